/**
 * The wasm cores against each other and against the reference model
 * (fuzz/reference-parser.ts): the baseline and SIMD builds give the model's
 * events for any valid stream cut anywhere, and the same events up to and
 * including the first error for invalid input; arbitrary octets never throw,
 * never stall and stay within the caps; parser slots taken and given back in
 * any order never leak (the core's own pool accounting). Small-window cores
 * make every input cross window boundaries too.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import type { FramingLimits } from '../src/core/types.ts';
import { type CoreInstance, type CoreVariant, createCore, loadCore } from '../src/core/wasm.ts';
import { WasmFramingEngine } from '../src/core/wasm-engine.ts';
import { chunkArb } from './arbitraries/chunkArb.ts';
import { bytesFuzzSuite } from './bytes.fuzz.ts';
import { splitFuzzSuite } from './split.fuzz.ts';
import { cutsArb, limitsArb, msrpishArb, noisyStreamArb } from './arbitraries/streamArb.ts';
import { engineEvents, splitAt } from './engine-events.ts';
import { referenceEvents, type RefEvent } from './reference-parser.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

const VARIANTS: CoreVariant[] = ['baseline', 'simd'];

/** Each variant twice: the process-wide core, and one with a 97-octet window (feeds go in many passes). */
function cores(): Array<[label: string, core: CoreInstance]> {
  return VARIANTS.flatMap((v): Array<[string, CoreInstance]> => [
    [v, loadCore(v) as CoreInstance],
    [`${v}/97`, createCore(v, { slots: 64, window: 97 })],
  ]);
}

function same(a: unknown, b: unknown, what: string): void {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  if (x !== y) throw new Error(`${what}:\n${x}\n!=\n${y}`);
}

/** The events up to and including the first error. */
function toFirstError(events: RefEvent[]): RefEvent[] {
  const i = events.findIndex((e) => e.type === 'error');
  return i < 0 ? events : events.slice(0, i + 1);
}

function run(core: CoreInstance, input: Buffer, cuts: number[], limits?: FramingLimits, pause = false): RefEvent[] {
  return engineEvents(new WasmFramingEngine(core, limits), splitAt(input, cuts.map((c) => c % (input.length + 1))),
    { pause });
}

/** Valid chunks back to back (some with framing-hostile bodies). */
const validStreamArb = fc.array(chunkArb.map((c) => c.encode()), { minLength: 1, maxLength: 5 })
  .map((chunks) => Buffer.concat(chunks));

/** Bodies far larger than a window, with end-line lookalikes where windows are cut. */
const bigChunkArb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.array(fc.nat({ max: 200_000 }), { maxLength: 6 }),
  fc.constantFrom('$', '+', '#')).map(([seed, marks, flag]) => {
  const body = Buffer.alloc(200_000 + seed * 997, 0x61 + seed);
  for (const at of marks) body.write('\r\n-------big1$', Math.min(at, body.length - 13), 'latin1');
  return Buffer.concat([Buffer.from('MSRP big0 SEND\r\nContent-Type: a/b\r\n\r\n'), body,
    Buffer.from(`\r\n-------big0${flag}\r\n`)]);
});

/** Arbitrary octets, MSRP-looking noise, and valid or broken streams. */
const anyInputArb = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), msrpishArb, noisyStreamArb);

/** One step of the slot model: which engine (by index) and what to do with it. */
type Step = { op: 'create' } | { op: 'free' | 'finish' | 'reset' | 'feed'; at: number };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ op: 'create' }),
  fc.record({ op: fc.constantFrom('free', 'finish', 'reset', 'feed'), at: fc.nat() }) as fc.Arbitrary<Step>,
);

/** The properties, by sentence. */
export function engineProperties(): Record<string, AnyProperty> {
  const all = cores();
  // four-slot pools, made once: every run gives all its slots back
  const pools = VARIANTS.map((v) => createCore(v, { slots: 4 }));
  return {
    'baseline, SIMD and the reference model give the same events for any valid stream, cut anywhere': fc.property(
      validStreamArb, cutsArb, fc.boolean(), (input, cuts, pause) => {
        const want = referenceEvents(input);
        for (const [label, core] of all) same(run(core, input, cuts, undefined, pause), want, label);
      }),
    'bodies larger than the window are framed the same by both builds': fc.property(bigChunkArb, cutsArb, (input, cuts) => {
      const want = referenceEvents(input);
      for (const [label, core] of all) same(run(core, input, cuts.map((c) => c * 7919)), want, label);
    }),
    'on invalid input both builds give the reference events up to and including the first error': fc.property(
      anyInputArb, fc.option(limitsArb, { nil: undefined }), cutsArb, (input, limits, cuts) => {
        const want = toFirstError(referenceEvents(input, limits));
        for (const [label, core] of all) same(toFirstError(run(core, input, cuts, limits)), want, label);
      }),
    'arbitrary octets never throw, never stall and stay within the caps': fc.property(
      anyInputArb, limitsArb, cutsArb, (input, limits, cuts) => {
        for (const [label, core] of all) {
          const before = core.memory.buffer;
          // engineEvents throws when a feed stops without reporting anything
          const events = run(core, input, cuts, limits);
          let body = 0;
          for (const e of events) {
            if (e.type === 'head') {
              body = 0;
              if (limits.maxHeaders !== undefined && e.headers.length > limits.maxHeaders) throw new Error(`${label}: too many headers`);
            } else if (e.type === 'body') {
              body += e.data.length;
              if (limits.maxBodyLength !== undefined && body > limits.maxBodyLength) throw new Error(`${label}: body over the cap`);
            }
          }
          if (core.memory.buffer !== before) throw new Error(`${label}: memory grew`);
        }
      }),
    'parser slots taken and given back in any order never leak': fc.property(
      fc.array(stepArb, { maxLength: 60 }), validStreamArb, (steps, input) => {
        for (const core of pools) {
          const engines: WasmFramingEngine[] = [];
          // the model: which engines hold a slot, which were freed for good
          const holds: boolean[] = [];
          const freed: boolean[] = [];
          const nop = { onHead() {}, onBody() {}, onEnd() {}, onError() {} };
          const held = (): number => holds.filter(Boolean).length;
          for (const step of steps) {
            const i = step.op === 'create' ? -1 : step.at % Math.max(engines.length, 1);
            if (step.op === 'create') {
              if (held() < 4) {
                engines.push(new WasmFramingEngine(core));
                holds.push(true);
                freed.push(false);
              } else if (!threw(() => new WasmFramingEngine(core))) throw new Error('a fifth slot was handed out');
            } else if (engines.length === 0) {
              continue;
            } else if (step.op === 'free') {
              engines[i].free();
              holds[i] = false;
              freed[i] = true;
            } else if (step.op === 'finish') {
              engines[i].finish(nop);
              holds[i] = false;
            } else if (step.op === 'reset') {
              if (freed[i] || holds[i]) engines[i].reset();
              else if (held() < 4) {
                engines[i].reset();
                holds[i] = true;
              } else if (!threw(() => engines[i].reset())) throw new Error('reset took a slot from a full pool');
            } else {
              engines[i].feed(input, nop);
            }
            if (core.exports.msrp_slots_used() !== held()) {
              throw new Error(`pool says ${core.exports.msrp_slots_used()} slots in use, model ${held()}`);
            }
          }
          for (const e of engines) e.free();
          if (core.exports.msrp_slots_used() !== 0) throw new Error('slots leaked');
        }
      }),
  };
}

function threw(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return true;
  }
}

/** Runs every property as a uvu test. */
export function enginesFuzzSuite(numRuns = 300): void {
  const s = suite(`wasm engines: properties${FUZZ_LONG ? ' (long)' : ''}`);
  for (const [name, property] of Object.entries(engineProperties())) s(name, () => checkProperty(name, property, numRuns));
  s.run();
}

/** The engine-parameterised split and hostile-bytes properties on both wasm builds. */
export function wasmSplitAndBytesSuites(splitRuns?: number, bytesRuns?: number): void {
  for (const variant of VARIANTS) {
    const core = loadCore(variant) as CoreInstance;
    splitFuzzSuite(`wasm ${variant} engine`, (limits) => new WasmFramingEngine(core, limits), splitRuns);
    bytesFuzzSuite(`wasm ${variant} engine`, (limits) => new WasmFramingEngine(core, limits), bytesRuns);
  }
}

if (FUZZ_LONG) {
  enginesFuzzSuite();
  wasmSplitAndBytesSuites();
}
