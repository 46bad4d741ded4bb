import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Flag } from '../../src/core/constants.ts';
import { createRangeTracker, type RangeExports, type RangeTracker, WasmRangeTracker } from '../../src/core/ranges.ts';
import { createCore, loadCore } from '../../src/core/wasm.ts';
import { rangeTrackerSuites } from '../suites/ranges.ts';

// The tracker is compiled into both builds of the core; run the battery on each.
for (const variant of ['baseline', 'simd'] as const) {
  const core = loadCore(variant)!.exports;
  rangeTrackerSuites(`WasmRangeTracker (${variant})`, (o) => new WasmRangeTracker(core, o));
}

// Each pool test exhausts or counts the shared pools: it gets a core instance
// of its own (the smallest framing pools; the tracker's are fixed at build).
const freshCore = (): RangeExports => createCore('baseline', { slots: 1, maxHeaders: 1, window: 64 }).exports;
const pool = (t: RangeTracker) => t.stats().pool!;

const pools = suite('wasm range pools');

pools('slots return to the pools on discard, abort and free; memory never grows', () => {
  const core = freshCore();
  const bytes = core.memory.buffer.byteLength;
  const t = new WasmRangeTracker(core, { maxMessages: 8, maxIntervals: 4 });
  assert.equal([pool(t).trackers, pool(t).messages, pool(t).intervals], [1, 0, 0]);
  const used = () => [pool(t).messages, pool(t).intervals];
  const a = t.open(0);
  const b = t.open(0);
  const d = t.open(0);
  const e = t.open(0);
  for (let k = 0; k < 3; k++) t.record(a, 1 + 10 * k, 5, Flag.MORE, 0);
  t.record(b, 1, 5, Flag.MORE, 0);
  t.record(d, 3, 5, Flag.MORE, 0);
  assert.equal([...used(), t.stats().messages], [4, 5, 4]);
  t.record(a, 7, 3, Flag.ABORT, 0);
  assert.equal(used(), [3, 2]);
  for (let k = 0; k < 4; k++) t.record(b, 11 + 10 * k, 5, Flag.MORE, 0); // the 5th interval stops b
  assert.equal(used(), [3, 5]);
  t.discard(b);
  t.discard(d);
  t.discard(e);
  assert.equal(used(), [0, 0]);
  t.record(t.open(0), 1, 1, Flag.MORE, 0);
  t.free();
  const probe = new WasmRangeTracker(core);
  assert.equal([pool(probe).trackers, pool(probe).messages, pool(probe).intervals], [1, 0, 0]);
  assert.is(core.memory.buffer.byteLength, bytes);
});

pools('an exhausted message pool gives -413, an exhausted interval pool 413', () => {
  const core = freshCore();
  const probe = new WasmRangeTracker(core);
  const slots = pool(probe);
  probe.free();
  const big = new WasmRangeTracker(core, { maxMessages: slots.messageSlots + 1, maxIntervals: slots.intervalSlots + 1 });
  const handles: number[] = [];
  for (let h = big.open(0); h >= 0; h = big.open(0)) handles.push(h);
  assert.is(handles.length, slots.messageSlots);
  assert.is(big.open(0), -413);
  for (const h of handles.slice(1)) big.discard(h);
  const h = handles[0];
  let status = 200;
  let k = 0;
  for (; status === 200; k++) status = big.record(h, 1 + 2 * k, 1, Flag.MORE, 0).status;
  assert.is(status, 413);
  assert.is(k, slots.intervalSlots + 1);
  assert.is(pool(big).intervals, slots.intervalSlots);
  big.free();
  const after = new WasmRangeTracker(core);
  assert.equal([pool(after).messages, pool(after).intervals], [0, 0]);
});

pools('with every tracker slot taken, createRangeTracker falls back to the TypeScript tracker', () => {
  const core = freshCore();
  const taken: RangeTracker[] = [];
  for (let t = createRangeTracker({}, core); t.backend === 'wasm'; t = createRangeTracker({}, core)) taken.push(t);
  assert.is(taken.length, pool(taken[0]).trackerSlots);
  assert.throws(() => new WasmRangeTracker(core), /slot/);
  taken.pop()!.free();
  assert.is(createRangeTracker({}, core).backend, 'wasm');
  assert.is(createRangeTracker({}, null).backend, 'js');
  const byDefault = createRangeTracker();
  assert.is(byDefault.backend, 'wasm');
  byDefault.free();
});

pools('a REPORT of many gaps is read out in several copies', () => {
  const t = new WasmRangeTracker(loadCore()!.exports, { maxIntervals: 1000 });
  const h = t.open(0);
  for (let k = 0; k < 700; k++) t.record(h, 1 + 3 * k, 2, Flag.MORE, 0);
  const ranges = t.ranges(h);
  assert.is(ranges.length, 700);
  assert.equal(ranges[699], { start: 2098, end: 2099 });
  t.free();
});

pools.run();
