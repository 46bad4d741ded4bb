// The event table: compact records msrp_feed/msrp_finish write for the
// adapter (src/core/wasm-engine.ts) to read after the call, so there is no JS
// callback per chunk, header or octet. Offsets in records are relative to the
// input window: negative ones point into an earlier feed (a cut head).
//
// Record layouts (little-endian), every size a multiple of 16:
//   HEAD   64 + 16n  u8 kind, u8 flags (F_*), u8 tidLen, u8 0, i32 headStart,
//                    u32 startLineLength (CRLF excluded), u16 code, u16 n,
//                    f64 range start, f64 range end, f64 total (-1 = "*"),
//                    u16 status namespace, u16 status code, u32 headLength,
//                    i32 at, 12 octets 0; then n entries:
//                    u32 nameOffset, u16 nameLength, u8 HeaderId, u8 E_* flags,
//                    u32 valueOffset, u32 valueLength (offsets head-relative,
//                    value without surrounding SP/HTAB)
//   BODY   16        u8 kind, 3 octets 0, i32 offset, u32 length, u32 0
//   HELD   64        u8 kind, u8 length, 2 octets 0, i32 at, 8 octets 0, the octets
//   END    16        u8 kind, u8 flag, 2 octets 0, i32 at, 8 octets 0
//   ERROR  48        u8 kind, u8 ErrorCode, u8 fatal, u8 tidLen (0: unknown),
//                    i32 offset, u16 statusCode, 6 octets 0, 32 octets tid
// `at` is the window offset right after the octet that produced the event: the
// consumed count to report when the sink pauses there.

import { EventKind } from './constants';
import { ENTRY_SIZE } from './slot';

/** head flags */
export const F_RESPONSE: u8 = 1;
/** the response comment holds octets >= 0x80 (decode as UTF-8) */
export const F_NONASCII: u8 = 2;
export const F_BYTE_RANGE: u8 = 4;
export const F_STATUS: u8 = 8;
/** a blank line ended the head: a body follows (else the end-line did: none) */
export const F_BODY: u8 = 16;
/** entry flags: the name is spelled exactly as registered; the value holds octets >= 0x80 */
export const E_CANONICAL: u8 = 1;
export const E_NONASCII: u8 = 2;

export const HEAD_SIZE: u32 = 64;
export const SMALL_SIZE: u32 = 16;
export const HELD_SIZE: u32 = 64;
export const ERROR_SIZE: u32 = 48;

/** 128 KiB: a 64 KiB feed of 220-octet chunks writes about 52 KiB. */
export const EVENT_BYTES: u32 = 131072;
const EVENTS: usize = memory.data(<i32>EVENT_BYTES, 16);

/** Result of the last call: u32 consumed end (window offset), u32 event bytes,
 *  u32 1 when the slot stopped inside a head, i32 that head's window offset. */
const RESULT: usize = memory.data(16, 16);

let cursor: u32 = 0;
/** Room a single step of the state machine may need (head with every entry, then two small records). */
let reserve: u32 = HEAD_SIZE + 3 * HELD_SIZE;

/** Address of the event table. */
export function eventsPtr(): usize { return EVENTS; }
/** Address of the result words. */
export function resultPtr(): usize { return RESULT; }

/** Sizes the per-step reservation for heads of up to `maxHeaders` entries. */
export function setReserve(maxHeaders: u32): void {
  reserve = HEAD_SIZE + maxHeaders * ENTRY_SIZE + 3 * HELD_SIZE;
}

// @ts-ignore: decorator
@inline export function eventsReset(): void { cursor = 0; }

/** True while one more step fits. */
// @ts-ignore: decorator
@inline export function eventsRoom(): bool { return cursor + reserve <= EVENT_BYTES; }

/** Writes the result words of a call. */
export function setResult(consumedEnd: i32, inHead: bool, headStart: i32): void {
  store<i32>(RESULT, consumedEnd);
  store<u32>(RESULT, cursor, 4);
  store<u32>(RESULT, inHead ? 1 : 0, 8);
  store<i32>(RESULT, headStart, 12);
}

/**
 * Starts a record of `size` octets with its first word (kind, then three
 * zero octets); returns its address. Writers fill every field the adapter
 * reads, so nothing else is cleared (a bulk fill per record costs more than
 * the record).
 */
// @ts-ignore: decorator
@inline export function record(kind: EventKind, size: u32): usize {
  let r = EVENTS + <usize>cursor;
  store<u32>(r, <u32>kind);
  cursor += size;
  return r;
}

/** A BODY record: window offset and length of body octets. */
export function emitBody(offset: i32, length: i32): void {
  let r = record(EventKind.BODY, SMALL_SIZE);
  store<i32>(r, offset, 4);
  store<u32>(r, length, 8);
}

/** An END record: the continuation flag, and the window offset after the end-line. */
export function emitEnd(flag: u32, at: i32): void {
  let r = record(EventKind.END, SMALL_SIZE);
  store<u8>(r, <u8>flag, 1);
  store<i32>(r, at, 4);
}

/** An error; `tid`/`tidLen` name the chunk's transaction id when known (tidLen 0: unknown). */
export function emitError(code: u32, fatal: bool, offset: i32, statusCode: u32, tid: usize, tidLen: u32): void {
  let r = record(EventKind.ERROR, ERROR_SIZE);
  store<u8>(r, <u8>code, 1);
  store<u8>(r, fatal ? 1 : 0, 2);
  store<u8>(r, <u8>tidLen, 3);
  store<i32>(r, offset, 4);
  store<u16>(r, <u16>statusCode, 8);
  if (tidLen != 0) memory.copy(r + 16, tid, tidLen);
}
