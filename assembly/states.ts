// States of a framing slot (assembly/slot.ts) and the constants the head
// machine (head.ts), its whole-line fast path (fastline.ts) and the body scan
// (framing.ts) share.

export const CR: u32 = 0x0d;
export const LF: u32 = 0x0a;
export const SP: u32 = 0x20;
export const HTAB: u32 = 0x09;

// Slot states.
/** before the first octet of a chunk */
export const ST_LINE0: u8 = 0;
/** inside the start line */
export const ST_START: u8 = 1;
/** at the first octet of a header-block line */
export const ST_HFIRST: u8 = 2;
/** inside a header name */
export const ST_HNAME: u8 = 3;
/** inside a header value */
export const ST_HVALUE: u8 = 4;
/** the rest of a line that is no header: maybe the end-line of a bodiless chunk */
export const ST_HOTHER: u8 = 5;
/** in the body, or skipping to the end-line when `skip` is set */
export const ST_BODY: u8 = 6;
/** a partial end-line match carried over from the previous feed */
export const ST_MATCH: u8 = 7;
/** framing lost: everything is consumed, nothing reported */
export const ST_DEAD: u8 = 8;

// Start-line sub-states: "MSRP " (0..4), then the id, then the rest.
export const SL_TID: u8 = 5;
export const SL_REST: u8 = 6;
export const SL_CODE1: u8 = 7;
export const SL_CODE2: u8 = 8;
export const SL_CODE3: u8 = 9;
export const SL_COMMENT: u8 = 10;
export const SL_METHOD: u8 = 11;
export const SL_NO_MSRP: u8 = 12;
export const SL_DONE: u8 = 13;

// Value sub-states: leading space, then Byte-Range or Status grammar.
export const V_LEAD: u8 = 0;
export const V_ANY: u8 = 1;
export const V_BAD: u8 = 2;
export const BR_START: u8 = 10;
export const BR_DASH: u8 = 11;
export const BR_END: u8 = 12;
export const BR_END_STAR: u8 = 13;
export const BR_SLASH: u8 = 14;
export const BR_TOTAL: u8 = 15;
export const BR_TOTAL_STAR: u8 = 16;
export const BR_TRAIL: u8 = 17;
/** one namespace digit seen */
export const STS_NS2: u8 = 20;
export const STS_NS3: u8 = 21;
/** three namespace digits seen: SP next */
export const STS_SP: u8 = 22;
export const STS_C1: u8 = 23;
export const STS_C2: u8 = 24;
export const STS_C3: u8 = 25;
/** the status code is complete */
export const STS_AFTER: u8 = 26;
export const STS_COMMENT: u8 = 27;
export const STS_TRAIL: u8 = 28;

export const NONE: u32 = 0xffffffff;
/** 2^53 - 1: Byte-Range numbers above it are refused (JavaScript numbers stay exact) */
export const MAX_SAFE: f64 = 9007199254740991;
export const END_MISMATCH: u8 = 255;

/** The input window, set by msrp_init. */
export let WIN: usize = 0;

// @ts-ignore: decorator
@inline export function rel(p: isize): i32 {
  return <i32>(p - <isize>WIN);
}

/** Places the input window (msrp_init). */
export function setWindow(at: usize): void {
  WIN = at;
}
