/**
 * The Byte-Range tracker battery (RFC 4975 §7.3.1), run against each backend by
 * thin entry files: test/core/ranges.test.ts (wasm), test/core/js-ranges.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Flag } from '../../src/core/constants.ts';
import type { RangeTracker, RangeTrackerOptions } from '../../src/core/ranges.ts';

const { END, MORE, ABORT } = Flag;

/** Registers and runs the tracker suites for one backend. */
export function rangeTrackerSuites(label: string, make: (o?: RangeTrackerOptions) => RangeTracker): void {
  const order = suite(`${label}: chunks in and out of order`);

  order('one chunk ending in $ is a whole message', () => {
    const t = make();
    const h = t.open(0);
    const r = t.record(h, 1, 23, END, 0);
    assert.is(r.status, 200);
    assert.is(r.newBytes, 23);
    assert.is(r.duplicateBytes, 0);
    assert.ok(r.complete);
    assert.is(r.total, 23);
    assert.is(r.intervals, 1);
    // complete: the tracker has let go of it
    assert.is(t.stats().messages, 0);
    assert.throws(() => t.discard(h), RangeError);
    t.free();
  });

  order('RFC 4975 §5.1 Figure 3: abcd (1-*/8, +) then EFGH (5-8/8, $)', () => {
    const t = make();
    const h = t.open(0);
    let r = t.record(h, 1, 4, MORE, 0);
    assert.equal([r.complete, r.total, r.received], [false, -1, 4]);
    r = t.record(h, 5, 4, END, 0);
    assert.equal([r.complete, r.total, r.received, r.newBytes], [true, 8, 8, 4]);
    t.free();
  });

  order('RFC 4975 §11.4: 1-137/148 then 138-148/148 carrying 10 octets completes at 147', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 1, 137, MORE, 0);
    const r = t.record(h, 138, 10, END, 0);
    assert.ok(r.complete);
    assert.is(r.total, 147);
    t.free();
  });

  order('the $ chunk first, then the rest in reverse', () => {
    const t = make();
    const h = t.open(0);
    assert.not.ok(t.record(h, 7, 3, END, 0).complete);
    assert.not.ok(t.record(h, 4, 3, MORE, 0).complete);
    assert.equal(t.ranges(h), [{ start: 4, end: 9 }]);
    const r = t.record(h, 1, 3, MORE, 0);
    assert.ok(r.complete);
    assert.equal([r.total, r.intervals], [9, 1]);
    t.free();
  });

  order('an empty message (1-0/0 $) is complete with total 0', () => {
    const t = make();
    const h = t.open(0);
    const r = t.record(h, 1, 0, END, 0);
    assert.equal([r.complete, r.total, r.intervals, r.newBytes], [true, 0, 0, 0]);
    t.free();
  });

  order('an interrupted chunk ends at start + body length - 1, not at range-end', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 1, 2500, MORE, 0); // sent as 1-*/10000 and cut after 2500 octets
    assert.equal(t.ranges(h), [{ start: 1, end: 2500 }]);
    const r = t.record(h, 2501, 7500, END, 0);
    assert.equal([r.complete, r.total], [true, 10000]);
    t.free();
  });

  const overlap = suite(`${label}: duplicates, overlaps, totals`);

  overlap('bytes 1-100 then 50-150: 51 duplicates, 50 new (RFC 4975 §7.3.1 example)', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 1, 100, MORE, 0);
    const r = t.record(h, 50, 101, MORE, 0);
    assert.equal([r.newBytes, r.duplicateBytes, r.received, r.intervals], [50, 51, 150, 1]);
    t.free();
  });

  overlap('a chunk bridging two intervals merges them and counts the gap as new', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 1, 10, MORE, 0);
    t.record(h, 21, 10, MORE, 0);
    t.record(h, 41, 10, MORE, 0);
    assert.is(t.ranges(h).length, 3);
    const r = t.record(h, 5, 40, MORE, 0);
    assert.equal([r.newBytes, r.duplicateBytes, r.intervals], [20, 20, 1]);
    assert.equal(t.ranges(h), [{ start: 1, end: 50 }]);
    t.free();
  });

  overlap('adjacent chunks merge into one interval', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 11, 10, MORE, 0);
    t.record(h, 1, 10, MORE, 0);
    assert.equal(t.ranges(h), [{ start: 1, end: 20 }]);
    t.free();
  });

  overlap('a whole duplicate adds nothing', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 5, 10, MORE, 0);
    const r = t.record(h, 7, 3, MORE, 0);
    assert.equal([r.newBytes, r.duplicateBytes, r.received], [0, 3, 10]);
    t.free();
  });

  overlap('bytes past the total a $ chunk set are dropped', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 5, 4, END, 0);
    const r = t.record(h, 1, 20, MORE, 0);
    assert.equal([r.newBytes, r.duplicateBytes, r.received, r.total, r.complete], [4, 4, 8, 8, true]);
    t.free();
  });

  overlap('a later $ chunk with a smaller total wins and cuts what lies past it', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 1, 5, MORE, 0);
    t.record(h, 8, 2, MORE, 0);
    t.record(h, 11, 5, MORE, 0);
    t.record(h, 20, 5, END, 0);
    let r = t.record(h, 7, 4, END, 0); // total 10 now: 11-15 and 20-24 are cut
    assert.equal([r.total, r.received, r.complete, r.intervals], [10, 9, false, 2]);
    assert.equal(t.ranges(h), [{ start: 1, end: 5 }, { start: 7, end: 10 }]);
    r = t.record(h, 1, 3, END, 0); // total 3 now: complete
    assert.equal([r.total, r.received, r.intervals, r.complete], [3, 3, 1, true]);
    t.free();
  });

  overlap('a $ chunk drops what is held past its end, even with no total known before', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 1, 8, MORE, 0);
    t.record(h, 12, 3, MORE, 0);
    const r = t.record(h, 4, 2, END, 0);
    assert.equal([r.total, r.received, r.intervals, r.complete, r.newBytes, r.duplicateBytes], [5, 5, 1, true, 0, 2]);
    t.free();
  });

  overlap('a later $ chunk with a larger total moves the total out', () => {
    const t = make();
    const h = t.open(0);
    assert.not.ok(t.record(h, 3, 3, END, 0).complete);
    const r = t.record(h, 8, 3, END, 0);
    assert.equal([r.total, r.received, r.complete], [10, 6, false]);
    assert.equal(t.ranges(h), [{ start: 3, end: 5 }, { start: 8, end: 10 }]);
    t.free();
  });

  overlap('# discards the message: its handle is gone', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 1, 10, MORE, 0);
    const r = t.record(h, 11, 3, ABORT, 0);
    assert.ok(r.aborted);
    assert.is(r.status, 200);
    assert.is(t.stats().messages, 0);
    assert.throws(() => t.ranges(h), RangeError);
    t.free();
  });

  const bad = suite(`${label}: bad input and caps`);

  bad('positions outside 1..2^53-1 give 400 and leave the message as it was', () => {
    const t = make();
    const h = t.open(0);
    t.record(h, 1, 10, MORE, 0);
    for (const [start, length] of [[0, 1], [-5, 1], [2 ** 53, 0], [2 ** 53 + 2, 1], [Number.MAX_SAFE_INTEGER, 2],
      [NaN, 1], [1, NaN], [1.5, 1], [1, 0.5], [Infinity, 1], [1, Infinity], [1, -1]]) {
      const r = t.record(h, start, length, MORE, 0);
      assert.is(r.status, 400, `${start} ${length}`);
      assert.is(r.received, 10);
    }
    assert.is(t.record(h, Number.MAX_SAFE_INTEGER, 1, MORE, 0).status, 200);
    assert.is(t.record(h, 1, 1, 0x41, 0).status, 400, 'unknown flag');
    assert.equal(t.ranges(h), [{ start: 1, end: 10 }, { start: Number.MAX_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER }]);
    t.free();
  });

  bad('more messages than maxMessages: open gives -413 until one is discarded', () => {
    const t = make({ maxMessages: 3 });
    const hs = [t.open(0), t.open(0), t.open(0)];
    assert.ok(hs.every((h) => h >= 0));
    assert.is(t.open(0), -413);
    t.discard(hs[1]);
    assert.ok(t.open(0) >= 0);
    assert.is(t.stats().messages, 3);
    t.free();
  });

  bad('more intervals than maxIntervals: 413 stops the message, which keeps its ranges until discarded', () => {
    const t = make({ maxIntervals: 3 });
    const h = t.open(0);
    for (const start of [1, 11, 21]) assert.is(t.record(h, start, 5, MORE, 0).status, 200);
    assert.is(t.record(h, 3, 5, MORE, 0).status, 200, 'merging needs no new interval');
    const r = t.record(h, 31, 5, MORE, 0);
    assert.equal([r.status, r.stopped, r.received, r.intervals], [413, true, 17, 3]);
    assert.equal(t.ranges(h), [{ start: 1, end: 7 }, { start: 11, end: 15 }, { start: 21, end: 25 }]);
    t.discard(h);
    assert.is(t.stats().messages, 0);
    assert.throws(() => t.record(h, 1, 1, MORE, 0), RangeError);
    t.free();
  });

  bad('stale handles are refused, also after their slot is reused', () => {
    const t = make();
    const h = t.open(0);
    t.discard(h);
    const h2 = t.open(0);
    assert.is.not(h2, h);
    assert.throws(() => t.discard(h), RangeError);
    assert.throws(() => t.touch(h, 0), RangeError);
    assert.throws(() => t.record(-1, 1, 1, END, 0), RangeError);
    t.free();
    assert.throws(() => t.open(0), RangeError);
  });

  bad('caps must be positive integers', () => {
    assert.throws(() => make({ maxMessages: 0 }), RangeError);
    assert.throws(() => make({ maxIntervals: 1.5 }), RangeError);
  });

  const time = suite(`${label}: expiry`);

  time('a message is idle when last active (open, record, touch) before the cutoff', () => {
    const t = make();
    const a = t.open(100);
    const b = t.open(100);
    const c = t.open(100);
    t.record(b, 1, 1, MORE, 500);
    t.touch(c, 400);
    assert.equal([a, b, c].map((h) => t.idle(h, 300)), [true, false, false]);
    assert.equal([a, b, c].map((h) => t.idle(h, 450)), [true, false, true]);
    assert.not.ok(t.idle(a, 100), 'strictly before');
    t.discard(a);
    assert.throws(() => t.idle(a, 0), RangeError);
    t.free();
  });

  for (const s of [order, overlap, bad, time]) s.run();
}
