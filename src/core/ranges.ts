/**
 * Byte-Range tracking of incoming messages (RFC 4975 §7.3.1): which bytes of
 * each message have arrived, which were duplicates, where gaps remain, when the
 * message is complete. Two backends behind one interface: the wasm core
 * (assembly/ranges.ts, fixed pools) and the TypeScript interval list in
 * js-ranges.ts (the benchmark baseline, and the fallback when wasm is missing or
 * its pools are full). This is the only module of the tracker that touches wasm.
 */

import { JsRangeTracker } from './js-ranges.ts';
import {
  rangeOptions, staleHandle,
  type RangeExports, type RangeResult, type RangeStats, type RangeTracker, type RangeTrackerOptions,
  type ReceivedRange,
} from './range-types.ts';
import { loadCore } from './wasm.ts';

export * from './range-types.ts';
export { JsRangeTracker };

/**
 * RangeResult read from the core's result record when a field is asked for
 * (most callers read three or four of them); valid until the next call.
 */
class WasmResult implements RangeResult {
  status = 200;
  f64 = new Float64Array(0);
  i32 = new Int32Array(0);
  /** index of the record in f64 and in i32 */
  f = 0;
  i = 0;
  get newBytes(): number { return this.f64[this.f]; }
  get duplicateBytes(): number { return this.f64[this.f + 1]; }
  get total(): number { return this.f64[this.f + 2]; }
  get received(): number { return this.f64[this.f + 3]; }
  get complete(): boolean { return this.i32[this.i + 8] !== 0; }
  get intervals(): number { return this.i32[this.i + 9]; }
  get aborted(): boolean { return this.i32[this.i + 10] !== 0; }
  get stopped(): boolean { return this.i32[this.i + 11] !== 0; }
}

/** The tracker over wasm memory: the interval sets live in the core's fixed pools. */
export class WasmRangeTracker implements RangeTracker {
  readonly backend = 'wasm' as const;
  readonly #core: RangeExports;
  #tracker: number;
  readonly #result = new WasmResult();
  // Views over wasm memory. Growing memory (another part of the core may; ours
  // never does) detaches the old buffer, which empties these views: that is the
  // cue to rebuild them, cheaper than comparing memory.buffer on every call.
  #f64 = new Float64Array(0);
  #i32 = new Int32Array(0);
  readonly #outAt: number;
  readonly #outPairs: number;

  /** Throws RangeError when the core's tracker slots are all taken (see createRangeTracker). */
  constructor(core: RangeExports, options?: RangeTrackerOptions) {
    const o = rangeOptions(options);
    this.#core = core;
    this.#tracker = core.msrp_range_tracker_new(o.maxMessages, o.maxIntervals);
    if (this.#tracker < 0) throw new RangeError('every wasm range tracker slot is in use');
    this.#result.f = core.msrp_range_result_ptr() >> 3;
    this.#result.i = core.msrp_range_result_ptr() >> 2;
    this.#outAt = core.msrp_range_out_ptr();
    this.#outPairs = core.msrp_range_out_pairs();
  }

  #views(): void {
    if (this.#f64.length === 0) {
      const buffer = this.#core.memory.buffer;
      this.#f64 = this.#result.f64 = new Float64Array(buffer);
      this.#i32 = this.#result.i32 = new Int32Array(buffer);
    }
  }

  #live(): number {
    if (this.#tracker < 0) throw new RangeError('range tracker already freed');
    return this.#tracker;
  }

  open(now: number): number {
    const handle = this.#core.msrp_range_open(this.#live(), now);
    return handle === -1 ? staleHandle(this.#tracker) : handle;
  }

  record(handle: number, start: number, length: number, flag: number, now: number): RangeResult {
    const status = this.#core.msrp_range_record(handle, start, length, flag, now);
    if (status === 0) staleHandle(handle);
    this.#views();
    this.#result.status = status;
    return this.#result;
  }

  ranges(handle: number): ReceivedRange[] {
    const out: ReceivedRange[] = [];
    for (;;) {
      const n = this.#core.msrp_range_copy(handle, out.length);
      if (n < 0) staleHandle(handle);
      this.#views();
      const f = this.#outAt >> 3;
      for (let k = 0; k < n; k++) out.push({ start: this.#f64[f + 2 * k], end: this.#f64[f + 2 * k + 1] });
      if (n < this.#outPairs) return out;
    }
  }

  touch(handle: number, now: number): void {
    if (!this.#core.msrp_range_touch(handle, now)) staleHandle(handle);
  }

  discard(handle: number): void {
    if (!this.#core.msrp_range_discard(handle)) staleHandle(handle);
  }

  idle(handle: number, cutoff: number): boolean {
    const idle = this.#core.msrp_range_idle(handle, cutoff);
    return idle < 0 ? staleHandle(handle) : idle === 1;
  }

  stats(): RangeStats {
    const at = this.#core.msrp_range_stats(this.#tracker) >> 2;
    this.#views();
    const s = this.#i32;
    return {
      messages: Math.max(0, s[at + 6]),
      pool: {
        trackers: s[at], messages: s[at + 1], intervals: s[at + 2],
        trackerSlots: s[at + 3], messageSlots: s[at + 4], intervalSlots: s[at + 5],
      },
    };
  }

  free(): void {
    if (this.#tracker >= 0) this.#core.msrp_range_tracker_free(this.#tracker);
    this.#tracker = -1;
  }
}

/**
 * A tracker for one session: over the wasm core (`core`, by default the one
 * loadCore() gives) while it has a free tracker slot, else the TypeScript
 * interval list (same behaviour, no shared pool). `core: null` asks for the
 * TypeScript tracker.
 */
export function createRangeTracker(options?: RangeTrackerOptions, core?: RangeExports | null): RangeTracker {
  const exports = core === undefined ? loadCore()?.exports : core;
  if (exports) {
    try {
      return new WasmRangeTracker(exports, options);
    } catch (err) {
      if (!(err instanceof RangeError) || !/slot/.test(err.message)) throw err;
    }
  }
  return new JsRangeTracker(options);
}
