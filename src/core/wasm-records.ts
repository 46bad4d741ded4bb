/**
 * Reading the wasm core's event records (layouts in assembly/events.ts) into
 * the RawHead and RawError objects of the engine contract (types.ts). Only
 * wasm-engine.ts uses this.
 */
import { EventKind } from './constants.ts';
import type { RawError, RawHead } from './types.ts';

// Record kinds and sizes, as plain locals for the hot loops.
export const HEAD = EventKind.HEAD;
export const BODY = EventKind.BODY;
export const HELD = EventKind.HELD;
export const END = EventKind.END;
export const HEAD_SIZE = 64;
export const ENTRY_SIZE = 16;
export const SMALL_SIZE = 16;
export const HELD_SIZE = 64;
export const ERROR_SIZE = 48;
/** Offset of `at` (the window offset after the event) in HEAD records. */
export const HEAD_AT = 48;

// Head flags and entry flags.
const F_RESPONSE = 1;
const F_NONASCII = 2;
const F_BODY = 16;
const E_CANONICAL = 1;
const E_NONASCII = 2;

/** Buffer's native slicers (not in @types/node, present since Node 0.x). */
interface Slicer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Header names spelled exactly as registered, decoded once per HeaderId. */
const canonicalNames: Array<string | undefined> = [];

/** The method at text[from, to): the RFC 4975 methods as shared strings, others sliced. */
function methodOf(text: string, from: number, to: number): string {
  const length = to - from;
  if (length === 4 && text.startsWith('SEND', from)) return 'SEND';
  if (length === 6 && text.startsWith('REPORT', from)) return 'REPORT';
  return text.slice(from, to);
}

/** Stream offset of the head a HEAD record describes. */
export function headStartOf(view: DataView, r: number, winStream: number): number {
  return winStream + view.getInt32(r + 4, true);
}

/** Octets of the head (start line through the blank line or the end-line). */
export function headLengthOf(view: DataView, r: number): number {
  return view.getUint32(r + 44, true);
}

/** The ERROR record at `r`; `winStream` is the stream offset of the window. */
export function decodeError(bytes: Buffer, view: DataView, r: number, winStream: number): RawError {
  const tidLength = bytes[r + 3];
  return {
    code: bytes[r + 1],
    statusCode: view.getUint16(r + 8, true),
    fatal: bytes[r + 2] !== 0,
    offset: winStream + view.getInt32(r + 4, true),
    transactionId: tidLength === 0 ? null : (bytes as unknown as Slicer).latin1Slice(r + 16, r + 16 + tidLength),
  };
}

/**
 * The HEAD record at `r`, whose head octets are source[at, at + headLength):
 * one latin1 string of the whole head, then substrings of it; UTF-8 decoding
 * only for the comment and values the core flagged.
 */
export function decodeHead(bytes: Buffer, view: DataView, r: number, source: Buffer, at: number,
  headStart: number): RawHead {
  const flags = bytes[r + 1];
  const tidLength = bytes[r + 2];
  const startLength = view.getUint32(r + 8, true);
  const code = view.getUint16(r + 12, true);
  const count = view.getUint16(r + 14, true);
  const slicer = source as unknown as Slicer;
  const text = slicer.latin1Slice(at, at + headLengthOf(view, r));
  // "MSRP " tid SP rest
  const rest = 6 + tidLength;
  let method: string | null = null;
  let comment: string | null = null;
  if ((flags & F_RESPONSE) === 0) method = methodOf(text, rest, startLength);
  else if (startLength - rest > 3) {
    comment = (flags & F_NONASCII) !== 0 ? slicer.utf8Slice(at + rest + 4, at + startLength)
      : text.slice(rest + 4, startLength);
  }
  // sized up front: an array grown by push takes room for 17 entries at its first push
  const names = new Array<string>(count);
  const values = new Array<string>(count);
  const ids = new Array<number>(count);
  let e = r + HEAD_SIZE;
  for (let k = 0; k < count; k++, e += ENTRY_SIZE) {
    const nameOffset = view.getUint32(e, true);
    const id = bytes[e + 6];
    const entryFlags = bytes[e + 7];
    let name: string | undefined;
    if ((entryFlags & E_CANONICAL) !== 0) name = canonicalNames[id];
    if (name === undefined) {
      name = text.slice(nameOffset, nameOffset + view.getUint16(e + 4, true));
      if ((entryFlags & E_CANONICAL) !== 0) canonicalNames[id] = name;
    }
    const valueOffset = view.getUint32(e + 8, true);
    const valueEnd = valueOffset + view.getUint32(e + 12, true);
    names[k] = name;
    values[k] = (entryFlags & E_NONASCII) !== 0 ? slicer.utf8Slice(at + valueOffset, at + valueEnd)
      : text.slice(valueOffset, valueEnd);
    ids[k] = id;
  }
  return {
    transactionId: text.slice(5, 5 + tidLength), method, code, comment, names, values, ids,
    hasBody: (flags & F_BODY) !== 0, offset: headStart,
  };
}
