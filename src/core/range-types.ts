/**
 * The Byte-Range tracker's interface (RFC 4975 §7.3.1), shared by its two
 * backends: the wasm core (ranges.ts) and the TypeScript interval list
 * (js-ranges.ts). Nothing here touches wasm.
 */

/** Caps of one tracker (one session). Exceeding one gives 413, never more memory. */
export interface RangeTrackerOptions {
  /** messages in progress at once (default 64) */
  maxMessages?: number;
  /** disjoint byte intervals held per message (default 256) */
  maxIntervals?: number;
}

/** Defaults for RangeTrackerOptions. */
export const DEFAULT_RANGE_OPTIONS: Required<RangeTrackerOptions> = {
  maxMessages: 64,
  maxIntervals: 256,
};

/**
 * What one recorded chunk did. Trackers reuse one object: read it before the
 * next call.
 */
export interface RangeResult {
  /**
   * The status to answer (RFC 4975 §10): 200; 400 when the chunk's positions are
   * outside 1..2^53-1 (the chunk is ignored); 413 when the message needs more
   * intervals than its cap (the chunk is not recorded; the message is stopped:
   * the caller reads its ranges if it reports them, then discards it).
   */
  readonly status: number;
  /** bytes of the chunk not held before */
  readonly newBytes: number;
  /** bytes of the chunk already held (overwritten: the last chunk received wins) */
  readonly duplicateBytes: number;
  /** the total the `$` chunk set, or -1 while unknown */
  readonly total: number;
  /** bytes held so far */
  readonly received: number;
  /** every byte 1..total held */
  readonly complete: boolean;
  /** disjoint intervals held */
  readonly intervals: number;
  /** the chunk ended in `#`: the message state is discarded (RFC 4975 §7.3.2) */
  readonly aborted: boolean;
  /** a 413 stopped the message: discard it */
  readonly stopped: boolean;
}

/** A received byte range, 1-based and inclusive, as a REPORT's Byte-Range names it. */
export interface ReceivedRange {
  start: number;
  end: number;
}

/** Pool accounting, for tests and monitoring. */
export interface RangeStats {
  /** messages this tracker holds */
  messages: number;
  /** wasm only: slots in use and slot counts of the shared pools */
  pool?: {
    trackers: number; messages: number; intervals: number;
    trackerSlots: number; messageSlots: number; intervalSlots: number;
  };
}

/** Per-session Byte-Range bookkeeping; handles are small non-negative integers. */
export interface RangeTracker {
  /** where the interval sets live: the wasm core's pools or JavaScript arrays */
  readonly backend: 'wasm' | 'js';
  /** Starts a message: its handle, or -413 when the message cap or pool is exhausted. */
  open(now: number): number;
  /**
   * Records a chunk at its end-line: `start` from Byte-Range (1-based), `length`
   * the actual body length, `flag` the end-line's continuation flag code.
   * After `complete` or `aborted` the handle is gone; after `stopped` it waits for `discard`.
   */
  record(handle: number, start: number, length: number, flag: number, now: number): RangeResult;
  /** The intervals held, in order (for REPORT Byte-Range values). */
  ranges(handle: number): ReceivedRange[];
  /** Marks a message active (a long body is still arriving). */
  touch(handle: number, now: number): void;
  /** Forgets a message. */
  discard(handle: number): void;
  /** True when the message was last active before `cutoff` (stalled; the caller gives it up). */
  idle(handle: number, cutoff: number): boolean;
  /** Pool accounting. */
  stats(): RangeStats;
  /** Frees the tracker and everything it holds. */
  free(): void;
}

/** The numeric exports of assembly/ranges.ts, as any instance of the core has them. */
export interface RangeExports {
  memory: WebAssembly.Memory;
  msrp_range_tracker_new(maxMessages: number, maxIntervals: number): number;
  msrp_range_tracker_free(tracker: number): number;
  msrp_range_open(tracker: number, now: number): number;
  msrp_range_record(handle: number, start: number, length: number, flag: number, now: number): number;
  msrp_range_discard(handle: number): number;
  msrp_range_touch(handle: number, now: number): number;
  msrp_range_idle(handle: number, cutoff: number): number;
  msrp_range_copy(handle: number, from: number): number;
  msrp_range_result_ptr(): number;
  msrp_range_out_ptr(): number;
  msrp_range_out_pairs(): number;
  msrp_range_stats(tracker: number): number;
}

/** Fills in defaults and checks caps (misuse is a RangeError). */
export function rangeOptions(options: RangeTrackerOptions = {}): Required<RangeTrackerOptions> {
  const o = {
    maxMessages: options.maxMessages ?? DEFAULT_RANGE_OPTIONS.maxMessages,
    maxIntervals: options.maxIntervals ?? DEFAULT_RANGE_OPTIONS.maxIntervals,
  };
  for (const key of ['maxMessages', 'maxIntervals'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1 || o[key] > 0x7fffffff) {
      throw new RangeError(`${key} must be a positive integer, got ${o[key]}`);
    }
  }
  return o;
}

/** RangeResult as a tracker fills it. */
export type MutableRangeResult = { -readonly [K in keyof RangeResult]: RangeResult[K] };

/** A fresh result record. */
export function emptyResult(): MutableRangeResult {
  return {
    status: 200, newBytes: 0, duplicateBytes: 0, total: -1, received: 0,
    complete: false, intervals: 0, aborted: false, stopped: false,
  };
}

/** Throws the misuse error for a handle the tracker does not hold. */
export function staleHandle(handle: number): never {
  throw new RangeError(`no message with handle ${handle} in this tracker`);
}
