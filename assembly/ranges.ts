// Byte-Range tracking of incoming messages (RFC 4975 §7.3.1): per message, the
// set of byte intervals received so far, kept in fixed pools carved out once by
// memory.data (zero-filled, so they cost nothing in the binary and memory never
// grows). Positions are 0-based half-open [start, end) inside the core; the
// exports take and give the RFC's 1-based values.
//
// Numeric exports only (`msrp_range_*`). A tracker belongs to one session and
// carries its caps; a message handle belongs to one tracker. Handles carry a
// generation so that a stale handle is refused instead of reaching a reused slot.

import { Flag } from './constants';

/** Trackers (sessions) the whole pool can hold at once. */
const TRACKER_SLOTS: i32 = 1024;
/** Messages in progress across all trackers. */
const MESSAGE_SLOTS: i32 = 4096;
/** Intervals across all messages. */
const INTERVAL_SLOTS: i32 = 65536;
/** Interval pairs `msrp_range_copy` writes per call. */
const OUT_PAIRS: i32 = 256;

// Tracker and message records both start with a generation and a live flag, so
// one check validates either kind of handle: (generation << 16) | slot.
const GEN: usize = 0;
const LIVE: usize = 4;

// Tracker record: caps, the number of messages it holds, its message list.
const T_MAX_MESSAGES: usize = 8;
const T_MAX_INTERVALS: usize = 12;
const T_MESSAGES: usize = 16;
const T_FIRST: usize = 20;
const T_NEXT_FREE: usize = 24;
const TRACKER_SIZE: usize = 32;

// Message record: its interval list (sorted, disjoint, never adjacent), the
// total set by the `$` chunk (-1 until then), bytes held, last activity.
const M_TRACKER: usize = 8;
const M_HEAD: usize = 12;
const M_CURSOR: usize = 16;
const M_COUNT: usize = 20;
const M_TOTAL: usize = 24;
const M_RECEIVED: usize = 32;
const M_ACTIVE: usize = 40;
const M_PREV: usize = 48;
const M_NEXT: usize = 52;
const MESSAGE_SIZE: usize = 64;

// Interval node: [start, end) and the next node (the free-list link when free).
const I_START: usize = 0;
const I_END: usize = 8;
const I_NEXT: usize = 16;
const INTERVAL_SIZE: usize = 24;

const TRACKERS: usize = memory.data(<i32>TRACKER_SLOTS * <i32>TRACKER_SIZE, 16);
const MESSAGES: usize = memory.data(<i32>MESSAGE_SLOTS * <i32>MESSAGE_SIZE, 16);
const INTERVALS: usize = memory.data(<i32>INTERVAL_SLOTS * <i32>INTERVAL_SIZE, 16);
/** f64 newBytes, duplicateBytes, total, received; i32 complete, intervals, aborted, stopped */
const RESULT: usize = memory.data(48, 16);
/** f64 pairs: 1-based first and last byte of each interval */
const OUT: usize = memory.data(OUT_PAIRS * 16, 16);
/** i32 trackers, messages, intervals in use; the three slot counts; the tracker's messages */
const STATS: usize = memory.data(32, 16);

// Status codes to answer (RFC 4975 §10): 0 marks a handle that is not live.
const INVALID: i32 = 0;
const OK: i32 = 200;
const BAD_REQUEST: i32 = 400;
const TOO_LARGE: i32 = 413;

/** 2^53 - 1: the last position a JavaScript number holds exactly. */
const MAX_POSITION: f64 = 9007199254740991;

let freeTracker: i32 = -1;
let freshTracker: i32 = 0;
let usedTrackers: i32 = 0;
let freeMessage: i32 = -1;
let freshMessage: i32 = 0;
let usedMessages: i32 = 0;
let freeInterval: i32 = -1;
let freshInterval: i32 = 0;
let usedIntervals: i32 = 0;

// @ts-ignore: decorator
@inline function tr(i: i32): usize { return TRACKERS + <usize>i * TRACKER_SIZE; }
// @ts-ignore: decorator
@inline function msg(i: i32): usize { return MESSAGES + <usize>i * MESSAGE_SIZE; }
// @ts-ignore: decorator
@inline function iv(i: i32): usize { return INTERVALS + <usize>i * INTERVAL_SIZE; }

// Each pool hands out a never-used slot (bump) before reusing a freed one, so
// nothing has to be threaded at start-up.
function takeInterval(): i32 {
  let i = freeInterval;
  if (i >= 0) freeInterval = load<i32>(iv(i), I_NEXT);
  else if (freshInterval < INTERVAL_SLOTS) i = freshInterval++;
  else return -1;
  usedIntervals++;
  return i;
}

// @ts-ignore: decorator
@inline function dropInterval(i: i32): void {
  store<i32>(iv(i), freeInterval, I_NEXT);
  freeInterval = i;
  usedIntervals--;
}

/** The record a live handle names in a pool, or 0 (stale or out of range). */
function recordOf(handle: i32, base: usize, size: usize, slots: i32): usize {
  if (handle < 0) return 0;
  let i = handle & 0xffff;
  if (i >= slots) return 0;
  let r = base + <usize>i * size;
  if (!load<i32>(r, LIVE) || load<i32>(r, GEN) != handle >>> 16) return 0;
  return r;
}

// @ts-ignore: decorator
@inline function trackerOf(handle: i32): usize { return recordOf(handle, TRACKERS, TRACKER_SIZE, TRACKER_SLOTS); }
// @ts-ignore: decorator
@inline function messageOf(handle: i32): usize { return recordOf(handle, MESSAGES, MESSAGE_SIZE, MESSAGE_SLOTS); }

// @ts-ignore: decorator
@inline function handleOf(m: usize): i32 {
  return (load<i32>(m, GEN) << 16) | <i32>((m - MESSAGES) / MESSAGE_SIZE);
}

/** Frees a message, its intervals, and unlinks it from its tracker. */
function release(m: usize): void {
  let n = load<i32>(m, M_HEAD);
  while (n >= 0) {
    let next = load<i32>(iv(n), I_NEXT);
    dropInterval(n);
    n = next;
  }
  let t = tr(load<i32>(m, M_TRACKER));
  let prev = load<i32>(m, M_PREV);
  let next = load<i32>(m, M_NEXT);
  if (prev >= 0) store<i32>(msg(prev), next, M_NEXT);
  else store<i32>(t, next, T_FIRST);
  if (next >= 0) store<i32>(msg(next), prev, M_PREV);
  store<i32>(t, load<i32>(t, T_MESSAGES) - 1, T_MESSAGES);
  let i = <i32>((m - MESSAGES) / MESSAGE_SIZE);
  store<i32>(m, 0, LIVE);
  store<i32>(m, (load<i32>(m, GEN) + 1) & 0x7fff, GEN);
  store<i32>(m, freeMessage, M_NEXT);
  freeMessage = i;
  usedMessages--;
}

/**
 * Adds [s, e) to the interval list of `m`; returns how many of its bytes were
 * not held before, or -1 when a new interval is needed and the message's cap or
 * the pool is exhausted. Overlapping and adjacent intervals merge, so the list
 * stays minimal and "complete" is one interval [0, total).
 */
function insert(m: usize, s: i64, e: i64): i64 {
  let prev: i32 = -1;
  let cur = load<i32>(m, M_HEAD);
  // Start from the last interval touched when it lies wholly before s: chunks
  // arriving in order then cost O(1) however many gaps precede them.
  let hint = load<i32>(m, M_CURSOR);
  if (hint >= 0 && load<i64>(iv(hint), I_END) < s) {
    prev = hint;
    cur = load<i32>(iv(hint), I_NEXT);
  }
  while (cur >= 0 && load<i64>(iv(cur), I_END) < s) {
    prev = cur;
    cur = load<i32>(iv(cur), I_NEXT);
  }
  if (cur < 0 || load<i64>(iv(cur), I_START) > e) {
    // Neither overlapping nor adjacent: a new interval between prev and cur.
    let t = tr(load<i32>(m, M_TRACKER));
    let count = load<i32>(m, M_COUNT);
    if (count >= load<i32>(t, T_MAX_INTERVALS)) return -1;
    let n = takeInterval();
    if (n < 0) return -1;
    let p = iv(n);
    store<i64>(p, s, I_START);
    store<i64>(p, e, I_END);
    store<i32>(p, cur, I_NEXT);
    if (prev >= 0) store<i32>(iv(prev), n, I_NEXT);
    else store<i32>(m, n, M_HEAD);
    store<i32>(m, count + 1, M_COUNT);
    store<i32>(m, n, M_CURSOR);
    return e - s;
  }
  // cur touches [s, e): absorb it and every following interval starting at or before e.
  let c = iv(cur);
  let cs = load<i64>(c, I_START);
  let newStart = s < cs ? s : cs;
  let newEnd = e;
  let covered: i64 = 0;
  let absorbed: i32 = 0;
  let n = cur;
  while (n >= 0) {
    let q = iv(n);
    let qs = load<i64>(q, I_START);
    if (qs > e) break;
    let qe = load<i64>(q, I_END);
    // every absorbed interval ends at or after s and starts at or before e, so this is >= 0
    covered += (qe < e ? qe : e) - (qs > s ? qs : s);
    if (qe > newEnd) newEnd = qe;
    let next = load<i32>(q, I_NEXT);
    if (n != cur) {
      dropInterval(n);
      absorbed++;
    }
    n = next;
  }
  store<i64>(c, newStart, I_START);
  store<i64>(c, newEnd, I_END);
  store<i32>(c, n, I_NEXT);
  store<i32>(m, load<i32>(m, M_COUNT) - absorbed, M_COUNT);
  store<i32>(m, cur, M_CURSOR);
  return (e - s) - covered;
}

/** Drops every byte at or past `total` (a later `$` chunk set a smaller total). */
function truncate(m: usize, total: i64): void {
  let prev: i32 = -1;
  let cur = load<i32>(m, M_HEAD);
  while (cur >= 0 && load<i64>(iv(cur), I_END) <= total) {
    prev = cur;
    cur = load<i32>(iv(cur), I_NEXT);
  }
  if (cur < 0) return;
  let received = load<i64>(m, M_RECEIVED);
  let count = load<i32>(m, M_COUNT);
  let c = iv(cur);
  if (load<i64>(c, I_START) < total) {
    // cut this interval at the total and keep it
    received -= load<i64>(c, I_END) - total;
    store<i64>(c, total, I_END);
    prev = cur;
    cur = load<i32>(c, I_NEXT);
  }
  if (prev >= 0) store<i32>(iv(prev), -1, I_NEXT);
  else store<i32>(m, -1, M_HEAD);
  while (cur >= 0) {
    let q = iv(cur);
    received -= load<i64>(q, I_END) - load<i64>(q, I_START);
    let next = load<i32>(q, I_NEXT);
    dropInterval(cur);
    count--;
    cur = next;
  }
  store<i64>(m, received, M_RECEIVED);
  store<i32>(m, count, M_COUNT);
  store<i32>(m, -1, M_CURSOR);
}

function writeResult(fresh: f64, duplicate: f64, m: usize, aborted: i32, stopped: i32): void {
  store<f64>(RESULT, fresh, 0);
  store<f64>(RESULT, duplicate, 8);
  if (m) {
    let total = load<i64>(m, M_TOTAL);
    let received = load<i64>(m, M_RECEIVED);
    store<f64>(RESULT, <f64>total, 16);
    store<f64>(RESULT, <f64>received, 24);
    store<i32>(RESULT, i32(total >= 0 && received == total), 32);
    store<i32>(RESULT, load<i32>(m, M_COUNT), 36);
  } else {
    store<f64>(RESULT, -1, 16);
    store<f64>(RESULT, 0, 24);
    store<i32>(RESULT, 0, 32);
    store<i32>(RESULT, 0, 36);
  }
  store<i32>(RESULT, aborted, 40);
  store<i32>(RESULT, stopped, 44);
}

/**
 * A tracker for one session: at most `maxMessages` messages in progress, each
 * with at most `maxIntervals` disjoint byte intervals. Returns its handle, or
 * -1 when every tracker slot is taken.
 */
export function msrp_range_tracker_new(maxMessages: i32, maxIntervals: i32): i32 {
  let i = freeTracker;
  if (i >= 0) freeTracker = load<i32>(tr(i), T_NEXT_FREE);
  else if (freshTracker < TRACKER_SLOTS) i = freshTracker++;
  else return -1;
  usedTrackers++;
  let t = tr(i);
  store<i32>(t, maxMessages, T_MAX_MESSAGES);
  store<i32>(t, maxIntervals > 0 ? maxIntervals : 1, T_MAX_INTERVALS);
  store<i32>(t, 0, T_MESSAGES);
  store<i32>(t, -1, T_FIRST);
  store<i32>(t, 1, LIVE);
  return (load<i32>(t, GEN) << 16) | i;
}

/** Frees a tracker and every message it holds. Returns 0 for a stale handle. */
export function msrp_range_tracker_free(tracker: i32): i32 {
  let t = trackerOf(tracker);
  if (!t) return 0;
  let first = load<i32>(t, T_FIRST);
  while (first >= 0) {
    release(msg(first));
    first = load<i32>(t, T_FIRST);
  }
  store<i32>(t, 0, LIVE);
  store<i32>(t, (load<i32>(t, GEN) + 1) & 0x7fff, GEN);
  store<i32>(t, freeTracker, T_NEXT_FREE);
  freeTracker = tracker & 0xffff;
  usedTrackers--;
  return 1;
}

/**
 * Starts tracking a message. Returns its handle; -413 when the tracker already
 * holds `maxMessages` messages or the message pool is exhausted (RFC 4975 §10.5:
 * the sender should stop sending this message); -1 for a stale tracker.
 */
export function msrp_range_open(tracker: i32, now: f64): i32 {
  let t = trackerOf(tracker);
  if (!t) return -1;
  let count = load<i32>(t, T_MESSAGES);
  if (count >= load<i32>(t, T_MAX_MESSAGES)) return -TOO_LARGE;
  let i = freeMessage;
  if (i >= 0) freeMessage = load<i32>(msg(i), M_NEXT);
  else if (freshMessage < MESSAGE_SLOTS) i = freshMessage++;
  else return -TOO_LARGE;
  usedMessages++;
  let m = msg(i);
  let first = load<i32>(t, T_FIRST);
  store<i32>(m, tracker & 0xffff, M_TRACKER);
  store<i32>(m, -1, M_HEAD);
  store<i32>(m, -1, M_CURSOR);
  store<i32>(m, 0, M_COUNT);
  store<i64>(m, -1, M_TOTAL);
  store<i64>(m, 0, M_RECEIVED);
  store<f64>(m, now, M_ACTIVE);
  store<i32>(m, -1, M_PREV);
  store<i32>(m, first, M_NEXT);
  store<i32>(m, 1, LIVE);
  if (first >= 0) store<i32>(msg(first), i, M_PREV);
  store<i32>(t, i, T_FIRST);
  store<i32>(t, count + 1, T_MESSAGES);
  return handleOf(m);
}

/**
 * Records one chunk at its end-line: `start` is its Byte-Range range-start
 * (1-based), `length` the actual length of its body (RFC 4975 §7.3.1: the body,
 * not range-end, says where an interrupted chunk ends), `flag` its continuation
 * flag. The chunk ending in `$` defines the total, whatever Byte-Range said; a
 * later `$` chunk redefines it (the last chunk received takes precedence) and
 * bytes past it are dropped. `#` discards the message (RFC 4975 §7.3.2).
 *
 * Returns the status to answer: 200; 400 for a start outside 1..2^53-1 or a
 * chunk reaching past 2^53-1 (the chunk is ignored, the message kept); 413 when
 * the message would need more intervals than its cap (the chunk is not recorded
 * and the message is stopped: read its ranges if needed, then discard it); 0 for
 * a stale handle. Details are in the result record. A message this chunk
 * completes is freed, like an aborted one: its handle is stale afterwards.
 */
export function msrp_range_record(handle: i32, start: f64, length: f64, flag: i32, now: f64): i32 {
  let m = messageOf(handle);
  if (!m) {
    writeResult(0, 0, 0, 0, 0);
    return INVALID;
  }
  store<f64>(m, now, M_ACTIVE);
  if (flag == Flag.ABORT) {
    release(m);
    writeResult(0, 0, 0, 1, 0);
    return OK;
  }
  // NaN fails every comparison, so it lands here too; floor() rejects fractions.
  if (!(start >= 1 && start <= MAX_POSITION && length >= 0 && length <= MAX_POSITION - start + 1)
    || floor(start) != start || floor(length) != length || (flag != Flag.END && flag != Flag.MORE)) {
    writeResult(0, 0, m, 0, 0);
    return BAD_REQUEST;
  }
  let s = <i64>start - 1;
  let e = s + <i64>length;
  let total = load<i64>(m, M_TOTAL);
  if (flag == Flag.END) {
    // anything held past the end of the `$` chunk is not part of the message
    if (total != e) truncate(m, e);
    store<i64>(m, e, M_TOTAL);
  } else if (total >= 0 && e > total) {
    // bytes past the total the `$` chunk set are not part of the message
    e = total;
  }
  let fresh: i64 = 0;
  if (e > s) {
    fresh = insert(m, s, e);
    if (fresh < 0) {
      // kept as it was, so its ranges can still be reported; the caller discards it
      writeResult(0, 0, m, 0, 1);
      return TOO_LARGE;
    }
    store<i64>(m, load<i64>(m, M_RECEIVED) + fresh, M_RECEIVED);
  }
  let span = e > s ? e - s : 0;
  writeResult(<f64>fresh, <f64>(span - fresh), m, 0, 0);
  // A complete message needs no more tracking: its one range is 1..total.
  if (load<i32>(RESULT, 32)) release(m);
  return OK;
}

/** Forgets a message (delivered, aborted or given up). Returns 0 for a stale handle. */
export function msrp_range_discard(handle: i32): i32 {
  let m = messageOf(handle);
  if (!m) return 0;
  release(m);
  return 1;
}

/** Marks a message active at `now` (a long chunk body still arriving). */
export function msrp_range_touch(handle: i32, now: f64): i32 {
  let m = messageOf(handle);
  if (!m) return 0;
  store<f64>(m, now, M_ACTIVE);
  return 1;
}

/**
 * 1 when the message was last active before `cutoff` (stalled: the caller reads
 * its ranges for a REPORT, then discards it), 0 when not, -1 for a stale handle.
 */
export function msrp_range_idle(handle: i32, cutoff: f64): i32 {
  let m = messageOf(handle);
  if (!m) return -1;
  return <i32>(load<f64>(m, M_ACTIVE) < cutoff);
}

/**
 * Writes up to OUT_PAIRS intervals, from the `from`-th on, to the out area as
 * 1-based (first, last) byte positions: what a REPORT's Byte-Range names
 * (RFC 4975 §7.1.3). Returns how many were written (-1 for a stale handle).
 */
export function msrp_range_copy(handle: i32, from: i32): i32 {
  let m = messageOf(handle);
  if (!m) return -1;
  let n = load<i32>(m, M_HEAD);
  for (let k = 0; k < from && n >= 0; k++) n = load<i32>(iv(n), I_NEXT);
  let written: i32 = 0;
  while (n >= 0 && written < OUT_PAIRS) {
    let p = iv(n);
    let o = OUT + (<usize>written << 4);
    store<f64>(o, <f64>(load<i64>(p, I_START) + 1), 0);
    store<f64>(o, <f64>load<i64>(p, I_END), 8);
    written++;
    n = load<i32>(p, I_NEXT);
  }
  return written;
}

/** Address of the result record `msrp_range_record` fills. */
export function msrp_range_result_ptr(): usize { return RESULT; }

/** Address of the interval pairs `msrp_range_copy` fills. */
export function msrp_range_out_ptr(): usize { return OUT; }

/** Capacity of the out area in pairs. */
export function msrp_range_out_pairs(): i32 { return OUT_PAIRS; }

/**
 * Fills the stats record (pool accounting) and returns its address: slots in
 * use per pool, the pool sizes, and the messages `tracker` holds (-1 if stale).
 */
export function msrp_range_stats(tracker: i32): usize {
  store<i32>(STATS, usedTrackers, 0);
  store<i32>(STATS, usedMessages, 4);
  store<i32>(STATS, usedIntervals, 8);
  store<i32>(STATS, TRACKER_SLOTS, 12);
  store<i32>(STATS, MESSAGE_SLOTS, 16);
  store<i32>(STATS, INTERVAL_SLOTS, 20);
  let t = trackerOf(tracker);
  store<i32>(STATS, t ? load<i32>(t, T_MESSAGES) : -1, 24);
  return STATS;
}
