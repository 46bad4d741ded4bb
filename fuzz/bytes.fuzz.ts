/**
 * Hostile input: arbitrary octets never make an engine throw, every feed
 * consumes all it is given (nothing pauses here), the events follow the
 * grammar head (body)* (end | error), nothing follows a fatal error, and the
 * events equal the reference model's.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { JsFramingEngine } from '../src/core/js-engine.ts';
import type { FramingLimits } from '../src/core/types.ts';
import { cutsArb, limitsArb, msrpishArb, noisyStreamArb } from './arbitraries/streamArb.ts';
import { engineEvents, type MakeEngine, splitAt } from './engine-events.ts';
import { referenceEvents, type RefEvent } from './reference-parser.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

/** Throws when the events break the sink contract of src/core/types.ts. */
function checkGrammar(events: RefEvent[]): void {
  let inChunk = false;
  events.forEach((e, i) => {
    const at = `event ${i} (${e.type}) of ${JSON.stringify(events)}`;
    if (e.type === 'head') {
      if (inChunk) throw new Error(`head inside a chunk: ${at}`);
      inChunk = true;
    } else if (e.type === 'body' || e.type === 'end') {
      if (!inChunk) throw new Error(`${e.type} outside a chunk: ${at}`);
      inChunk = e.type === 'body';
    } else {
      inChunk = false;
      if (e.fatal && i !== events.length - 1) throw new Error(`events after a fatal error: ${at}`);
      if (![0, 400, 413].includes(e.statusCode)) throw new Error(`status ${e.statusCode}: ${at}`);
    }
  });
}

/** A stream with a few octets flipped, inserted or deleted. */
const mutatedArb = fc.tuple(noisyStreamArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.integer({ min: 0, max: 255 })),
  { minLength: 1, maxLength: 4 })).map(([input, edits]) => {
  let bytes = [...input];
  for (const [at, kind, octet] of edits) {
    const i = at % (bytes.length + 1);
    if (kind === 0) bytes.splice(i, 0, octet);
    else if (kind === 1) bytes.splice(i, 1);
    else bytes[i] = octet;
  }
  return Buffer.from(bytes);
});

const inputArb = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  msrpishArb,
  mutatedArb,
);

/** The properties, by sentence, for the engines `makeEngine` makes. */
export function bytesProperties(makeEngine: MakeEngine): Record<string, AnyProperty> {
  const run = (input: Buffer, limits: FramingLimits | undefined, cuts: number[]): RefEvent[] =>
    engineEvents(makeEngine(limits), splitAt(input, cuts.map((c) => c % (input.length + 1))));
  return {
    'arbitrary octets never throw, always make progress and follow the event grammar': fc.property(
      inputArb, fc.option(limitsArb, { nil: undefined }), cutsArb, (input, limits, cuts) => {
        checkGrammar(run(input, limits, cuts));
      }),
    'on arbitrary octets the engine equals the reference model': fc.property(
      inputArb, fc.option(limitsArb, { nil: undefined }), cutsArb, (input, limits, cuts) => {
        const got = JSON.stringify(run(input, limits, cuts));
        const want = JSON.stringify(referenceEvents(input, limits));
        if (got !== want) throw new Error(`${got}\n!=\n${want}`);
      }),
  };
}

/** Runs every property as a uvu test. */
export function bytesFuzzSuite(label: string, makeEngine: MakeEngine, numRuns = 400): void {
  const s = suite(`${label}: hostile bytes properties${FUZZ_LONG ? ' (long)' : ''}`);
  for (const [name, property] of Object.entries(bytesProperties(makeEngine))) {
    s(name, () => checkProperty(name, property, numRuns));
  }
  s.run();
}

if (FUZZ_LONG) bytesFuzzSuite('js engine', (limits) => new JsFramingEngine(limits));
