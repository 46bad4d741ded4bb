import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Flag } from '../../src/core/constants.ts';
import { createRangeTracker, WasmRangeTracker } from '../../src/core/ranges.ts';
import { rangeCore } from '../helpers/ranges-wasm.ts';
import { rangeTrackerSuites } from '../suites/ranges.ts';

const core = rangeCore();
rangeTrackerSuites('WasmRangeTracker', (o) => new WasmRangeTracker(core, o));

const pools = suite('wasm range pools');

pools('slots return to the pools on discard, abort and free; memory never grows', () => {
  const c = rangeCore();
  const bytes = c.memory.buffer.byteLength;
  const t = new WasmRangeTracker(c, { maxMessages: 8, maxIntervals: 4 });
  const base = t.stats().pool!;
  assert.equal([base.trackers, base.messages, base.intervals], [1, 0, 0]);
  const a = t.open(0);
  const b = t.open(0);
  const d = t.open(0);
  const e = t.open(0);
  for (let k = 0; k < 3; k++) t.record(a, 1 + 10 * k, 5, Flag.MORE, 0);
  t.record(b, 1, 5, Flag.MORE, 0);
  t.record(d, 3, 5, Flag.MORE, 0);
  assert.equal([t.stats().pool!.messages, t.stats().pool!.intervals, t.stats().messages], [4, 5, 4]);
  t.record(a, 7, 3, Flag.ABORT, 0);
  assert.equal([t.stats().pool!.messages, t.stats().pool!.intervals], [3, 2]);
  for (let k = 0; k < 4; k++) t.record(b, 11 + 10 * k, 5, Flag.MORE, 0); // the 5th interval stops b
  assert.equal([t.stats().pool!.messages, t.stats().pool!.intervals], [3, 5]);
  t.discard(b);
  t.discard(d);
  t.discard(e);
  assert.equal([t.stats().pool!.messages, t.stats().pool!.intervals], [0, 0]);
  t.record(t.open(0), 1, 1, Flag.MORE, 0);
  t.free();
  const after = new WasmRangeTracker(c).stats().pool!;
  assert.equal([after.trackers, after.messages, after.intervals], [1, 0, 0]);
  assert.is(c.memory.buffer.byteLength, bytes);
});

pools('an exhausted message pool gives -413, an exhausted interval pool 413', () => {
  const c = rangeCore();
  const slots = new WasmRangeTracker(c).stats().pool!;
  const big = new WasmRangeTracker(c, { maxMessages: slots.messageSlots + 1, maxIntervals: slots.intervalSlots + 1 });
  const handles: number[] = [];
  for (let k = 0; k < slots.messageSlots; k++) handles.push(big.open(0));
  assert.ok(handles.every((h) => h >= 0));
  assert.is(big.open(0), -413);
  for (const h of handles.slice(1)) big.discard(h);
  const h = handles[0];
  let status = 200;
  let k = 0;
  for (; status === 200; k++) status = big.record(h, 1 + 2 * k, 1, Flag.MORE, 0).status;
  assert.is(status, 413);
  assert.is(k, slots.intervalSlots + 1);
  assert.is(big.stats().pool!.intervals, slots.intervalSlots);
  big.discard(h);
  assert.is(big.stats().pool!.intervals, 0);
});

pools('with every tracker slot taken, createRangeTracker falls back to the TypeScript tracker', () => {
  const c = rangeCore();
  const trackerSlots = new WasmRangeTracker(c).stats().pool!.trackerSlots;
  const all = [];
  for (let k = 1; k < trackerSlots; k++) all.push(createRangeTracker({}, c));
  assert.ok(all.every((t) => t.backend === 'wasm'));
  assert.throws(() => new WasmRangeTracker(c), /slot/);
  const fallback = createRangeTracker({}, c);
  assert.is(fallback.backend, 'js');
  all[0].free();
  assert.is(createRangeTracker({}, c).backend, 'wasm');
  assert.is(createRangeTracker().backend, 'js');
});

pools('a REPORT of many gaps is read out in several copies', () => {
  const t = new WasmRangeTracker(core, { maxIntervals: 1000 });
  const h = t.open(0);
  for (let k = 0; k < 700; k++) t.record(h, 1 + 3 * k, 2, Flag.MORE, 0);
  const ranges = t.ranges(h);
  assert.is(ranges.length, 700);
  assert.equal(ranges[699], { start: 2098, end: 2099 });
  t.free();
});

pools.run();
