// Header values the framing checks (RFC 4975 §9), one octet at a time so
// that a value cut between feeds needs no copy: leading space, the trimmed
// bounds, octets >= 0x80, and the Byte-Range and Status grammars with their
// numbers. The whole-line fast path (fastline.ts) checks whole values instead
// and leaves the slot as this grammar would.

import { HeaderId } from './constants';
import { Slot } from './slot';
import {
  BR_DASH, BR_END, BR_END_STAR, BR_SLASH, BR_START, BR_TOTAL, BR_TOTAL_STAR, BR_TRAIL, HTAB, MAX_SAFE, NONE, SP,
  STS_AFTER, STS_C1, STS_C2, STS_C3, STS_COMMENT, STS_NS2, STS_NS3, STS_SP, STS_TRAIL, V_ANY, V_BAD, V_LEAD,
} from './states';

/** A value octet (not CR) of the current header at position `at`. */
export function valueOctet(s: Slot, c: u32, at: isize, hb: isize): void {
  let ws = c == SP || c == HTAB;
  let sub = s.sub;
  if (!ws) {
    let off = <u32>(at - hb);
    if (s.valueStart == NONE) s.valueStart = off;
    s.valueEnd = off + 1;
    if (c >= 0x80) s.nonAscii = 1;
  }
  if (sub == V_LEAD) {
    if (ws) return;
    let id = <u32>s.id;
    sub = id == HeaderId.BYTE_RANGE ? BR_START : id == HeaderId.STATUS ? STS_NS2 : V_ANY;
    if (sub == V_ANY) {
      s.sub = V_ANY;
      return;
    }
    // the first value octet opens the grammar
    if (c < 0x30 || c > 0x39) {
      s.sub = V_BAD;
      return;
    }
    s.acc = <f64>(c - 0x30);
    s.sub = sub;
    return;
  }
  if (sub == V_ANY || sub == V_BAD) return;
  let digit = c >= 0x30 && c <= 0x39;
  let next: u8 = V_BAD;
  // RFC 4975 §9: Byte-Range = range-start "-" range-end "/" total
  switch (sub) {
    case BR_START: {
      if (digit) next = accumulate(s, c) ? BR_START : V_BAD;
      else if (c == 0x2d) { s.rangeStart = s.acc; next = BR_DASH; }
      break;
    }
    case BR_DASH: {
      if (digit) { s.acc = <f64>(c - 0x30); next = BR_END; }
      else if (c == 0x2a) { s.rangeEnd = -1; next = BR_END_STAR; }
      break;
    }
    case BR_END: {
      if (digit) next = accumulate(s, c) ? BR_END : V_BAD;
      else if (c == 0x2f) { s.rangeEnd = s.acc; next = BR_SLASH; }
      break;
    }
    case BR_END_STAR: {
      if (c == 0x2f) next = BR_SLASH;
      break;
    }
    case BR_SLASH: {
      if (digit) { s.acc = <f64>(c - 0x30); next = BR_TOTAL; }
      else if (c == 0x2a) { s.acc = -1; next = BR_TOTAL_STAR; }
      break;
    }
    case BR_TOTAL: {
      if (digit) next = accumulate(s, c) ? BR_TOTAL : V_BAD;
      else if (ws) next = BR_TRAIL;
      break;
    }
    case BR_TOTAL_STAR:
    case BR_TRAIL: {
      if (ws) next = BR_TRAIL;
      break;
    }
    // Status = namespace SP status-code [SP comment]; the value is trimmed first
    case STS_NS2:
    case STS_NS3:
    case STS_C1:
    case STS_C2: {
      if (digit) { s.acc = s.acc * 10 + <f64>(c - 0x30); next = sub + 1; }
      break;
    }
    case STS_SP: {
      if (c == SP) { s.statusNs = <u16>s.acc; s.acc = 0; next = STS_C1; }
      break;
    }
    case STS_C3: {
      if (digit) { s.statusCode = <u16>(s.acc * 10 + <f64>(c - 0x30)); next = STS_AFTER; }
      break;
    }
    case STS_AFTER: {
      // SP opens a comment; HTAB may only be trailing space, trimmed away
      next = c == SP ? STS_COMMENT : c == HTAB ? STS_TRAIL : V_BAD;
      break;
    }
    case STS_COMMENT: {
      next = STS_COMMENT;
      break;
    }
    case STS_TRAIL: {
      if (ws) next = STS_TRAIL;
      break;
    }
    default:
  }
  s.sub = next;
}

/** acc = acc * 10 + digit; false once the number passes 2^53 - 1. */
// @ts-ignore: decorator
@inline function accumulate(s: Slot, c: u32): bool {
  // exact: acc <= 2^53 - 1 before, so any result above it is seen as above it
  let v = s.acc * 10 + <f64>(c - 0x30);
  s.acc = v;
  return v <= MAX_SAFE;
}
