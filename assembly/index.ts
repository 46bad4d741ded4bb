// The msrp core: numeric exports only (`msrp_*`), stub runtime, no bindings.
// src/core/wasm.ts loads it and src/core/wasm-engine.ts drives the framing
// exports; nothing else touches this memory.
//
// Memory: static data (tables, event table, the range tracker's pools), then,
// carved once by msrp_init, the parser slot pool and the input window. Memory
// grows in msrp_init and never afterwards, so views over it never detach.

import { FeedStatus } from './constants';
import { eventsPtr, resultPtr, setReserve } from './events';
import { feed, finish, reset } from './framing';
import { ST_BODY, ST_DEAD, WIN, setWindow } from './states';
import { buildTables } from './tables';
import {
  NEEDLE_PREFIX, Slot, TID_MAX, dropSlot, headerCapacity, initPool, liveSlot, needleOf, poolBytes, slotCount, slotsUsed,
  takeSlot,
} from './slot';

// The Byte-Range tracker (engineer D's) shares this binary.
export * from './ranges';

/** Guard octets around the window: the scans read whole words near its ends. */
const GUARD: usize = 64;

let windowSize: u32 = 0;

/**
 * Carves the pools: `slots` parser slots with room for `maxHeaders` header
 * entries each, and an input window of `window` octets; grows memory once.
 * 0 on success, 1 when already done, 2 for bad sizes, 3 when memory cannot grow.
 */
export function msrp_init(slots: i32, maxHeaders: i32, window: i32): i32 {
  if (windowSize != 0) return 1;
  if (slots < 1 || slots > 0x100000 || maxHeaders < 1 || maxHeaders > 0xffff || window < 64 || window > 0x4000000) {
    return 2;
  }
  buildTables();
  let pool = (__heap_base + 15) & ~15;
  let win = pool + poolBytes(slots, <u32>maxHeaders) + GUARD;
  let top = win + <usize>window + GUARD;
  let pages = <i32>((top + 0xffff) >>> 16) - memory.size();
  if (pages > 0 && memory.grow(pages) < 0) return 3;
  initPool(pool, slots, <u32>maxHeaders);
  setReserve(<u32>maxHeaders);
  setWindow(win);
  windowSize = <u32>window;
  return 0;
}

/** Address of the input window the adapter copies each feed into. */
export function msrp_input_ptr(): usize { return WIN; }
/** Octets the window holds. */
export function msrp_input_size(): u32 { return windowSize; }
/** Address of the result words (events.ts). */
export function msrp_result_ptr(): usize { return resultPtr(); }
/** Address of the event table. */
export function msrp_events_ptr(): usize { return eventsPtr(); }
/** 1 in the SIMD build, 0 in the baseline build. */
export function msrp_simd(): i32 { return ASC_FEATURE_SIMD ? 1 : 0; }

/**
 * A parser slot with its caps (octets; maxBody may be Infinity), or -1 when
 * every slot is taken, -2 when maxHeaders exceeds the pool's entry room or
 * the core is not initialised.
 */
export function msrp_alloc(maxLine: u32, maxHeaders: u32, maxHead: u32, maxBody: f64): i32 {
  if (windowSize == 0 || maxHeaders > headerCapacity()) return -2;
  let i = takeSlot();
  if (i < 0) return -1;
  let slot = changetype<Slot>(liveSlot(i));
  slot.maxLine = min(maxLine, 0x40000000);
  slot.maxHeaders = <u16>maxHeaders;
  slot.maxHead = min(maxHead, 0x40000000);
  slot.maxBody = maxBody;
  reset(slot);
  return i;
}

/** Releases a slot: 1, or 0 when it was not allocated. */
export function msrp_free(slot: i32): i32 {
  return dropSlot(slot) ? 1 : 0;
}

/**
 * Runs a slot over window octets [offset, offset + length). Returns a
 * FeedStatus; the result words say where it stopped and how many event
 * octets it wrote. Every call with length > 0 consumes at least one octet
 * unless it returns PAUSED on a full event table.
 */
export function msrp_feed(slot: i32, offset: u32, length: u32): i32 {
  let s = liveSlot(slot);
  if (s === null) return FeedStatus.BAD_SLOT;
  if (<u64>offset + <u64>length > <u64>windowSize) return FeedStatus.BAD_RANGE;
  let p = WIN + <usize>offset;
  let end = p + <usize>length;
  return feed(s, p, end) < end ? FeedStatus.PAUSED : FeedStatus.DONE;
}

/** The stream ended: reports a chunk in progress as TRUNCATED; the slot then reports nothing. */
export function msrp_finish(slot: i32): i32 {
  let s = liveSlot(slot);
  if (s === null) return FeedStatus.BAD_SLOT;
  finish(s);
  return FeedStatus.DONE;
}

/** Back to the start-of-chunk state. */
export function msrp_reset(slot: i32): i32 {
  let s = liveSlot(slot);
  if (s === null) return FeedStatus.BAD_SLOT;
  reset(s);
  return FeedStatus.DONE;
}

/** 1 when framing is lost on this slot (after a fatal error or finish). */
export function msrp_dead(slot: i32): i32 {
  let s = liveSlot(slot);
  return s !== null && s.state == ST_DEAD ? 1 : 0;
}

/** Pool accounting: slots in use. */
export function msrp_slots_used(): i32 { return slotsUsed(); }
/** Pool accounting: slots in the pool. */
export function msrp_slot_count(): i32 { return slotCount(); }
/** Header entries each slot has room for. */
export function msrp_header_capacity(): i32 { return <i32>headerCapacity(); }
/** Longest transaction id (RFC 4975 §9 `ident`). */
export function msrp_tid_max(): i32 { return <i32>TID_MAX; }

/**
 * Octets the slot may still take as plain body (its cap less what it took),
 * or -1 unless it is inside a body it hands on (not skipping it, no end-line
 * match pending). With msrp_body_advance and msrp_needle_ptr it lets the
 * adapter pass body octets it found free of the end-line elsewhere (the native
 * scan over the caller's Buffer) without copying them into the window.
 */
export function msrp_body_room(slot: i32): f64 {
  let s = liveSlot(slot);
  if (s === null || s.state != ST_BODY || s.skip) return -1;
  return s.maxBody - s.bodyLen;
}

/** Counts `n` body octets the adapter handed on itself (at most msrp_body_room, none of them an end-line start). */
export function msrp_body_advance(slot: i32, n: f64): i32 {
  let s = liveSlot(slot);
  if (s === null || s.state != ST_BODY || s.skip || n > s.maxBody - s.bodyLen) return FeedStatus.BAD_RANGE;
  s.bodyLen += n;
  return FeedStatus.DONE;
}

/** Address of the slot's end-line needle, `CRLF "-------" transact-id` (RFC 4975 §7.1); its length is msrp_needle_length. */
export function msrp_needle_ptr(slot: i32): usize {
  let s = liveSlot(slot);
  return s === null ? 0 : needleOf(s);
}

/** Octets of the slot's needle (9 plus the transaction id's). */
export function msrp_needle_length(slot: i32): u32 {
  let s = liveSlot(slot);
  return s === null ? 0 : NEEDLE_PREFIX + <u32>s.tidLen;
}
