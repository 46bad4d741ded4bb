// The whole-line fast path. A head line whose CRLF is already in the window
// and which is well-formed is read with bulk scans instead of octet by octet,
// and ends in the same lineEnd() verdict as the octet machine (head.ts).
// Anything unusual declines (returns 0): a line not complete in this window,
// a control octet or HTAB, a name that is no token, a Byte-Range or Status
// the grammar refuses. The line is then read by head.ts from its first octet,
// which the fast path has not moved past, so the octet machine stays the one
// definition of the rules and this is only a shortcut that must agree with it
// (the differential fuzz compares both cores with the reference model for any
// split, so lines go through both paths).

import { HeaderId } from './constants';
import { classEnd, isFlag, plainRun, valueHigh } from './scan';
import { C_ALNUM, C_ALPHA, C_IDENT, C_TOKEN, C_UPPER, cls, nameIdAt } from './tables';
import { NEEDLE_PREFIX, Slot, TID_MAX, needleOf } from './slot';
import { lineEnd } from './head';
import {
  BR_TOTAL, CR, HTAB, LF, MAX_SAFE, SL_CODE3, SL_COMMENT, SL_METHOD, SP, STS_AFTER, STS_COMMENT,
  ST_HFIRST, ST_HOTHER, ST_HVALUE, ST_START, V_ANY,
} from './states';

/** "MSRP" as a little-endian word */
const MSRP_WORD: u32 = 0x5052534d;

/**
 * Reads the head line starting at p (its first octet) whole when it can;
 * returns the position after its CRLF, or 0 to let the octet machine read it.
 */
export function fastLine(s: Slot, p: usize, end: usize, hb: isize): usize {
  let st = s.state;
  if (s.cr || <isize>p != hb + <isize>s.lineStart || (st != ST_START && st != ST_HFIRST)) return 0;
  if (st == ST_START && s.sub != 0) return 0;
  // the same cap as headLines: the CR may sit at line position `cap` at the
  // latest, and its LF must be in the window
  let cap = s.maxLine;
  if (st != ST_START) cap = max(cap, <u32>s.tidLen + 8);
  let crLim = min(end - 1, p + <usize>cap + 1);
  if (p >= crLim) return 0;
  let e = st == ST_START ? startLine(s, p, crLim) : headerLine(s, p, crLim, hb);
  return e != 0 ? lineEnd(s, e + 2, hb, <isize>p) : 0;
}

/** True when [e, e + 2) is the CRLF that ends a line. */
// @ts-ignore: decorator
@inline function crlfAt(e: usize): bool {
  return <u32>load<u16>(e) == 0x0a0d;
}

/**
 * RFC 4975 §9 req-start / resp-start, the common shapes only. Returns the
 * position of the line's CR (its CRLF must come before `lim` + 1), or 0.
 */
function startLine(s: Slot, p: usize, lim: usize): usize {
  if (lim - p < 8 || load<u32>(p) != MSRP_WORD || <u32>load<u8>(p, 4) != SP) return 0;
  // ident = ALPHANUM 3*31ident-char, then SP
  let t = p + 5;
  let q = classEnd(t, lim, C_IDENT);
  let n = <u32>(q - t);
  if (q + 1 >= lim || <u32>load<u8>(q) != SP || n < 4 || n > TID_MAX || !(cls(<u32>load<u8>(t)) & C_ALNUM)) return 0;
  // the id goes after `CRLF -------` in the needle: four words cover 32 octets (the needle has room)
  let to = needleOf(s) + NEEDLE_PREFIX;
  store<u64>(to, load<u64>(t));
  store<u64>(to, load<u64>(t, 8), 8);
  store<u64>(to, load<u64>(t, 16), 16);
  store<u64>(to, load<u64>(t, 24), 24);
  s.tidLen = <u8>n;
  let r = q + 1;
  let c = <u32>load<u8>(r);
  if (cls(c) & C_UPPER) {
    let m = r + 1;
    while (m < lim && (cls(<u32>load<u8>(m)) & C_UPPER)) m++;
    if (m >= lim || !crlfAt(m)) return undo(s);
    s.sub = SL_METHOD;
    return m;
  }
  // resp-start: a code from 100 to 999, then nothing or SP and a comment
  if (c < 0x31 || c > 0x39 || lim - r < 3) return undo(s);
  let c1 = <u32>load<u8>(r, 1) - 0x30;
  let c2 = <u32>load<u8>(r, 2) - 0x30;
  if (c1 > 9 || c2 > 9) return undo(s);
  let e = r + 3;
  let sub = SL_CODE3;
  if (<u32>load<u8>(e) == SP) {
    e = plainRun(e + 1, lim);
    sub = SL_COMMENT;
  }
  if (e >= lim || !crlfAt(e)) return undo(s);
  s.code = <u16>((c - 0x30) * 100 + c1 * 10 + c2);
  s.nonAscii = sub == SL_COMMENT && valueHigh ? 1 : 0;
  s.sub = sub;
  return e;
}

/** Forgets the transaction id written so far, so that the octet machine starts the line afresh. */
function undo(s: Slot): usize {
  s.tidLen = 0;
  s.tidBad = 0;
  s.ctl = 0;
  return 0;
}

/**
 * A header line from p: the blank line, the bodiless end-line, or
 * `hname ":" hval`. Returns the position of its CR, or 0; writes the slot
 * only when it returns a position.
 */
function headerLine(s: Slot, p: usize, lim: usize, hb: isize): usize {
  let c = <u32>load<u8>(p);
  if (c == CR) return crlfAt(p) ? p : 0;
  let tid = <u32>s.tidLen;
  if (c == 0x2d) {
    // `-------<tid><flag>` ends a bodiless chunk (RFC 4975 §7.1)
    let e = p + 8 + <usize>tid;
    if (e >= lim || !crlfAt(e)) return 0;
    let needle = needleOf(s);
    for (let k: u32 = 0; k < 7 + tid; k++) {
      if (load<u8>(p + <usize>k) != load<u8>(needle + 2 + <usize>k)) return 0;
    }
    let flag = <u32>load<u8>(e - 1);
    if (!isFlag(flag)) return 0;
    s.state = ST_HOTHER;
    s.endIdx = <u8>(8 + tid);
    s.flag = <u8>flag;
    return e;
  }
  if (!(cls(c) & C_ALPHA)) return 0;
  let q = classEnd(p + 1, lim, C_TOKEN);
  if (q >= lim || <u32>load<u8>(q) != 0x3a) return 0;
  let v = q + 1;
  while (v < lim && (<u32>load<u8>(v) == SP || <u32>load<u8>(v) == HTAB)) v++;
  // no control octet (nor HTAB) up to the CR
  let e = plainRun(v, lim);
  if (e >= lim || !crlfAt(e)) return 0;
  let last = e;
  while (last > v && <u32>load<u8>(last - 1) == SP) last--;
  let nameLen = <u32>(q - p);
  let known = nameIdAt(p, nameLen);
  let id = known & 0xff;
  if (id == HeaderId.BYTE_RANGE) {
    if (!byteRange(s, v, last)) return 0;
  } else if (id == HeaderId.STATUS) {
    if (!status(s, v, last)) return 0;
  } else {
    s.sub = V_ANY;
  }
  s.state = ST_HVALUE;
  s.id = <u8>id;
  s.nameLen = nameLen;
  s.exact = known > 0xff ? 0xffffffff : 0;
  if (v < e) {
    s.valueStart = <u32>(<isize>v - hb);
    s.valueEnd = <u32>(<isize>last - hb);
    s.nonAscii = valueHigh ? 1 : 0;
  }
  return e;
}

/** A decimal run from p up to `to` (at least one digit, at most 2^53 - 1); -1 when it is not one. */
function number(p: usize, to: usize): f64 {
  if (p >= to) return -1;
  let v: f64 = 0;
  for (; p < to; p++) {
    let d = <u32>load<u8>(p) - 0x30;
    if (d > 9) return -1;
    v = v * 10 + <f64>d;
    if (v > MAX_SAFE) return -1;
  }
  return v;
}

/** The position of octet `c` in [p, to), or `to`. */
function find(p: usize, to: usize, c: u32): usize {
  while (p < to && <u32>load<u8>(p) != c) p++;
  return p;
}

/** RFC 4975 §9 `range-start "-" range-end "/" total` over [p, to), as the octet machine leaves it. */
function byteRange(s: Slot, p: usize, to: usize): bool {
  let dash = find(p, to, 0x2d);
  let slash = find(dash, to, 0x2f);
  if (slash >= to) return false;
  let start = number(p, dash);
  let endStar = slash == dash + 2 && <u32>load<u8>(dash, 1) == 0x2a;
  let stop = endStar ? -1 : number(dash + 1, slash);
  let totalStar = to == slash + 2 && <u32>load<u8>(slash, 1) == 0x2a;
  let total = totalStar ? -1 : number(slash + 1, to);
  if (start < 0 || (stop < 0 && !endStar) || (total < 0 && !totalStar)) return false;
  s.rangeStart = start;
  s.rangeEnd = stop;
  s.acc = total;
  s.sub = BR_TOTAL;
  return true;
}

/** RFC 4975 §9 `namespace SP status-code [SP comment]` over the trimmed value [p, to). */
function status(s: Slot, p: usize, to: usize): bool {
  if (to - p < 7 || <u32>load<u8>(p, 3) != SP || (to > p + 7 && <u32>load<u8>(p, 7) != SP)) return false;
  let ns = number(p, p + 3);
  let code = number(p + 4, p + 7);
  if (ns < 0 || code < 0) return false;
  s.statusNs = <u16>ns;
  s.statusCode = <u16>code;
  s.sub = to > p + 7 ? STS_COMMENT : STS_AFTER;
  return true;
}
