/**
 * Splitting: a framing engine reports the same events however its input is
 * cut into feeds, paused or not, and those events are the reference model's
 * (fuzz/reference-parser.ts). Parameterised by engine, so every engine runs
 * the same properties.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { JsFramingEngine } from '../src/core/js-engine.ts';
import { cutsArb, limitsArb, noisyStreamArb } from './arbitraries/streamArb.ts';
import { engineEvents, type MakeEngine, splitAt } from './engine-events.ts';
import { referenceEvents } from './reference-parser.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

function same(a: unknown, b: unknown, what: string): void {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  if (x !== y) throw new Error(`${what}:\n${x}\n!=\n${y}`);
}

/** The properties, by sentence, for the engines `makeEngine` makes. */
export function splitProperties(makeEngine: MakeEngine): Record<string, AnyProperty> {
  return {
    'any split of a stream gives the same events as the whole stream': fc.property(
      noisyStreamArb, cutsArb, fc.boolean(), (input, cuts, pause) => {
        const whole = engineEvents(makeEngine(), [input]);
        same(engineEvents(makeEngine(), splitAt(input, cuts.map((c) => c % (input.length + 1))), { pause }), whole, 'split');
      }),
    'the events are the reference model\'s, whatever the limits': fc.property(
      noisyStreamArb, fc.option(limitsArb, { nil: undefined }), cutsArb, (input, limits, cuts) => {
        const pieces = splitAt(input, cuts.map((c) => c % (input.length + 1)));
        same(engineEvents(makeEngine(limits), pieces), referenceEvents(input, limits), 'engine vs reference');
      }),
    'feeding one octet at a time gives the reference model\'s events': fc.property(noisyStreamArb, (input) => {
      const pieces = Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
      same(engineEvents(makeEngine(), pieces), referenceEvents(input), 'octet by octet');
    }),
  };
}

/** Runs every property as a uvu test. */
export function splitFuzzSuite(label: string, makeEngine: MakeEngine, numRuns = 300): void {
  const s = suite(`${label}: split properties${FUZZ_LONG ? ' (long)' : ''}`);
  for (const [name, property] of Object.entries(splitProperties(makeEngine))) {
    s(name, () => checkProperty(name, property, numRuns));
  }
  s.run();
}

if (FUZZ_LONG) splitFuzzSuite('js engine', (limits) => new JsFramingEngine(limits));
