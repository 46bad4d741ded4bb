/**
 * The TypeScript Byte-Range tracker: per message, two sorted arrays of interval
 * starts and ends. Same behaviour as the wasm core's tracker (assembly/ranges.ts),
 * whose rules are documented on RangeTracker; it is the benchmark baseline and
 * the fallback when wasm is unavailable or its pools are full.
 */

import { Flag } from './constants.ts';
import {
  emptyResult, type MutableRangeResult, rangeOptions, staleHandle,
  type RangeResult, type RangeStats, type RangeTracker, type RangeTrackerOptions, type ReceivedRange,
} from './range-types.ts';

/** One message: [starts[i], ends[i]) 0-based half-open, sorted, disjoint, never adjacent. */
interface MessageState {
  starts: number[];
  ends: number[];
  /** set by the `$` chunk, -1 until then */
  total: number;
  received: number;
  active: number;
}

/** RangeTracker over plain arrays. */
export class JsRangeTracker implements RangeTracker {
  readonly backend = 'js' as const;
  readonly #maxMessages: number;
  readonly #maxIntervals: number;
  #messages: Map<number, MessageState> | null = new Map();
  #nextHandle = 0;
  #result = emptyResult();

  constructor(options?: RangeTrackerOptions) {
    const o = rangeOptions(options);
    this.#maxMessages = o.maxMessages;
    this.#maxIntervals = o.maxIntervals;
  }

  #all(): Map<number, MessageState> {
    if (!this.#messages) throw new RangeError('range tracker already freed');
    return this.#messages;
  }

  #get(handle: number): MessageState {
    return this.#all().get(handle) ?? staleHandle(handle);
  }

  open(now: number): number {
    const all = this.#all();
    if (all.size >= this.#maxMessages) return -413;
    // handles are never reused (wrapping after 2^31 opens), so stale ones stay stale
    const handle = this.#nextHandle;
    this.#nextHandle = (this.#nextHandle + 1) & 0x7fffffff;
    all.set(handle, { starts: [], ends: [], total: -1, received: 0, active: now });
    return handle;
  }

  record(handle: number, start: number, length: number, flag: number, now: number): RangeResult {
    const m = this.#get(handle);
    const r = this.#result;
    m.active = now;
    r.newBytes = 0;
    r.duplicateBytes = 0;
    r.aborted = false;
    r.stopped = false;
    if (flag === Flag.ABORT) {
      this.#all().delete(handle);
      r.aborted = true;
      return this.#fill(r, 200, null);
    }
    if (!(start >= 1 && start <= Number.MAX_SAFE_INTEGER && length >= 0
      && length <= Number.MAX_SAFE_INTEGER - start + 1)
      || !Number.isInteger(start) || !Number.isInteger(length) || (flag !== Flag.END && flag !== Flag.MORE)) {
      return this.#fill(r, 400, m);
    }
    const s = start - 1;
    let e = s + length;
    if (flag === Flag.END) {
      // anything held past the end of the `$` chunk is not part of the message
      if (m.total !== e) truncate(m, e);
      m.total = e;
    } else if (m.total >= 0 && e > m.total) {
      e = m.total;
    }
    if (e > s) {
      const fresh = this.#insert(m, s, e);
      if (fresh < 0) {
        r.stopped = true;
        return this.#fill(r, 413, m);
      }
      m.received += fresh;
      r.newBytes = fresh;
      r.duplicateBytes = e - s - fresh;
    }
    this.#fill(r, 200, m);
    // a complete message needs no more tracking: its one range is 1..total
    if (r.complete) this.#all().delete(handle);
    return r;
  }

  #fill(r: MutableRangeResult, status: number, m: MessageState | null): RangeResult {
    r.status = status;
    r.total = m ? m.total : -1;
    r.received = m ? m.received : 0;
    r.complete = m !== null && m.total >= 0 && m.received === m.total;
    r.intervals = m ? m.starts.length : 0;
    return r;
  }

  /** Adds [s, e); returns the bytes not held before, or -1 when the interval cap is reached. */
  #insert(m: MessageState, s: number, e: number): number {
    const { starts, ends } = m;
    // first interval ending at or after s: it overlaps or touches [s, e), or lies after it
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    if (lo === ends.length || starts[lo] > e) {
      if (starts.length >= this.#maxIntervals) return -1;
      starts.splice(lo, 0, s);
      ends.splice(lo, 0, e);
      return e - s;
    }
    let j = lo;
    let covered = 0;
    let end = e;
    while (j < starts.length && starts[j] <= e) {
      covered += Math.min(ends[j], e) - Math.max(starts[j], s);
      if (ends[j] > end) end = ends[j];
      j++;
    }
    starts[lo] = Math.min(s, starts[lo]);
    ends[lo] = end;
    if (j > lo + 1) {
      starts.splice(lo + 1, j - lo - 1);
      ends.splice(lo + 1, j - lo - 1);
    }
    return e - s - covered;
  }

  ranges(handle: number): ReceivedRange[] {
    const m = this.#get(handle);
    return m.starts.map((s, i) => ({ start: s + 1, end: m.ends[i] }));
  }

  touch(handle: number, now: number): void {
    this.#get(handle).active = now;
  }

  discard(handle: number): void {
    if (!this.#all().delete(handle)) staleHandle(handle);
  }

  idle(handle: number, cutoff: number): boolean {
    return this.#get(handle).active < cutoff;
  }

  stats(): RangeStats {
    return { messages: this.#messages?.size ?? 0 };
  }

  free(): void {
    this.#messages = null;
  }
}

/** Drops every byte at or past `total` (a later `$` chunk set a smaller total). */
function truncate(m: MessageState, total: number): void {
  const { starts, ends } = m;
  let i = 0;
  while (i < ends.length && ends[i] <= total) i++;
  if (i < ends.length && starts[i] < total) {
    m.received -= ends[i] - total;
    ends[i] = total;
    i++;
  }
  for (let k = i; k < starts.length; k++) m.received -= ends[k] - starts[k];
  starts.length = i;
  ends.length = i;
}
