// Parser slots: one fixed record per byte stream (connection direction),
// carved out of one pool by msrp_init and handed out through a free list, so
// nothing is allocated per chunk or per connection and memory never grows
// after start-up.
//
// A slot holds no input octets beyond the transaction id: a head cut between
// two feeds is tracked by head-relative offsets and the adapter keeps the
// earlier octets (at most the head cap), see src/core/wasm-engine.ts.

/** Transaction ids are at most 32 octets (RFC 4975 §9 `ident`). */
export const TID_MAX: u32 = 32;
/** The needle `CRLF "-------" transact-id` is 9 octets plus the id. */
export const NEEDLE_PREFIX: u32 = 9;
/** Octets of one header entry (layout in events.ts). */
export const ENTRY_SIZE: u32 = 16;

/** The state of one framing stream. Fields are grouped by size to keep it packed. */
@unmanaged export class Slot {
  /** ST_* (framing.ts) */
  state: u8;
  /** start-line (SL_*) or header-value (V_*) sub-state */
  sub: u8;
  /** octets of the transaction id seen (saturates at TID_MAX + 1) */
  tidLen: u8;
  /** F_* head flags (events.ts) */
  flags: u8;
  /** the previous line octet was a CR whose LF has not come yet */
  cr: u8;
  /** the current head line holds a control octet */
  ctl: u8;
  /** HeaderId of the current header line */
  id: u8;
  /** the continuation flag octet of a partial end-line match */
  flag: u8;
  /** skipping to the end-line after a non-fatal error: no body or end events */
  skip: u8;
  /** the start line is a request (errors answer 400/413; responses get none) */
  request: u8;
  /** the transaction id breaks RFC 4975 §9 `ident` */
  tidBad: u8;
  /** ErrorCode decided for the start line, 0 while it is well-formed */
  startError: u8;
  /** the current value holds an octet >= 0x80 */
  nonAscii: u8;
  /** octets of `-------<tid><flag>` the current line has matched (a bodiless end-line) */
  endIdx: u8;
  /** allocated */
  live: u8;
  pad0: u8;
  headerCount: u16;
  maxHeaders: u16;
  code: u16;
  statusNs: u16;
  statusCode: u16;
  pad1: u16;
  /** head-relative offset of the next octet (octets of the head before this feed) */
  headPos: u32;
  /** head-relative offset of the current line */
  lineStart: u32;
  /** length of the current header name (octets before the colon) */
  nameLen: u32;
  /** head-relative offset of the first value octet that is not SP/HTAB, or NONE */
  valueStart: u32;
  /** head-relative offset after the last value octet that is not SP/HTAB */
  valueEnd: u32;
  /** known-name candidates (tables.ts), case-insensitive and exact */
  mask: u32;
  exact: u32;
  /** octets of the end-line needle matched by a partial match at the end of a feed */
  matchLen: u32;
  maxLine: u32;
  maxHead: u32;
  /** next free slot index, -1 at the end of the free list */
  nextFree: i32;
  /** length of the start line, CRLF excluded */
  startLen: u32;
  /** body octets handed on so far, and the cap */
  bodyLen: f64;
  maxBody: f64;
  /** number being parsed in a Byte-Range value, and the range parsed so far */
  acc: f64;
  rangeStart: f64;
  rangeEnd: f64;
  /** the last valid Byte-Range of this head (-1 for "*") */
  brStart: f64;
  brEnd: f64;
  brTotal: f64;
}

/** Slot record: the struct, the needle `CRLF -------<tid>`, then the header entries. */
export const NEEDLE_AT: usize = (offsetof<Slot>() + 15) & ~15;
const ENTRIES_AT: usize = NEEDLE_AT + 48;

let pool: usize = 0;
let slots: i32 = 0;
let entryCap: u32 = 0;
let slotSize: usize = 0;
let freeHead: i32 = -1;
let fresh: i32 = 0;
let used: i32 = 0;

/** Octets `count` slots with room for `maxHeaders` header entries each take. */
export function poolBytes(count: i32, maxHeaders: u32): usize {
  return <usize>count * (ENTRIES_AT + <usize>maxHeaders * ENTRY_SIZE);
}

/** Adopts the pool carved by msrp_init. */
export function initPool(at: usize, count: i32, maxHeaders: u32): void {
  pool = at;
  slots = count;
  entryCap = maxHeaders;
  slotSize = ENTRIES_AT + <usize>maxHeaders * ENTRY_SIZE;
  freeHead = -1;
  fresh = 0;
  used = 0;
}

// @ts-ignore: decorator
@inline export function slotAt(i: i32): Slot {
  return changetype<Slot>(pool + <usize>i * slotSize);
}

// @ts-ignore: decorator
@inline export function needleOf(s: Slot): usize {
  return changetype<usize>(s) + NEEDLE_AT;
}

// @ts-ignore: decorator
@inline export function entriesOf(s: Slot): usize {
  return changetype<usize>(s) + ENTRIES_AT;
}

/** The live slot with index `i`, or null. */
export function liveSlot(i: i32): Slot | null {
  if (i < 0 || i >= slots) return null;
  let s = slotAt(i);
  return s.live ? s : null;
}

/** Takes a slot: a never-used one first, then a freed one. -1 when all are taken. */
export function takeSlot(): i32 {
  let i = freeHead;
  if (i >= 0) freeHead = slotAt(i).nextFree;
  else if (fresh < slots) i = fresh++;
  else return -1;
  used++;
  let s = slotAt(i);
  memory.fill(changetype<usize>(s), 0, ENTRIES_AT);
  s.live = 1;
  return i;
}

/** Returns a slot to the free list; false when it was not live. */
export function dropSlot(i: i32): bool {
  let s = liveSlot(i);
  if (s === null) return false;
  s.live = 0;
  s.nextFree = freeHead;
  freeHead = i;
  used--;
  return true;
}

/** Slots in use, for accounting checks. */
export function slotsUsed(): i32 { return used; }
/** Slots in the pool. */
export function slotCount(): i32 { return slots; }
/** Header entries each slot has room for. */
export function headerCapacity(): u32 { return entryCap; }
