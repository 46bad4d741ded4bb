// The head machine (RFC 4975 §9 start line and header lines), resumable at
// any octet. Head lines are judged whole, as the reference model does, but
// octet by octet: each octet updates flags (control seen, name shape,
// known-name candidates, Byte-Range/Status grammar) and the verdict is taken
// at the line's CRLF in the reference's order. So nothing of a line has to
// stay in memory when it is cut between feeds, only offsets relative to the
// head's first octet. Whole lines inside one window usually go through the
// faster fastline.ts instead, which ends in the same lineEnd().

import { ErrorCode, EventKind, HeaderId } from './constants';
import {
  E_CANONICAL, E_NONASCII, F_BODY, F_BYTE_RANGE, F_NONASCII, F_RESPONSE, F_STATUS, HEAD_SIZE, emitEnd, emitError,
  record,
} from './events';
import { isFlag, skipPlainValue, valueFirst, valueHigh, valueLast } from './scan';
import { C_ALNUM, C_ALPHA, C_CTL, C_DIGIT, C_IDENT, C_TOKEN, C_UPPER, cls, nameId, nameStepCI, nameStepCS } from './tables';
import { ENTRY_SIZE, NEEDLE_PREFIX, Slot, TID_MAX, entriesOf, needleOf } from './slot';
import { valueOctet } from './values';
import {
  BR_TOTAL, BR_TOTAL_STAR, BR_TRAIL, CR, END_MISMATCH, LF, NONE, SL_CODE1, SL_CODE2, SL_CODE3, SL_COMMENT, SL_DONE,
  SL_METHOD, SL_NO_MSRP, SL_REST, SL_TID, SP, STS_AFTER, STS_COMMENT, STS_TRAIL, ST_BODY, ST_DEAD, ST_HFIRST,
  ST_HNAME, ST_HOTHER, ST_HVALUE, ST_LINE0, ST_MATCH, ST_START, V_ANY, V_LEAD, rel,
} from './states';

/** The first octet of a chunk: clears the per-chunk fields and starts the needle `CRLF -------`. */
export function startChunk(s: Slot): void {
  s.state = ST_START;
  s.sub = 0;
  s.tidLen = 0;
  s.flags = 0;
  s.skip = 0;
  s.request = 0;
  s.tidBad = 0;
  s.startError = 0;
  s.headerCount = 0;
  s.code = 0;
  s.headPos = 0;
  s.lineStart = 0;
  s.bodyLen = 0;
  s.matchLen = 0;
  s.cr = 0;
  s.ctl = 0;
  s.nonAscii = 0;
  // the needle starts `CRLF -------`; the id follows at NEEDLE_PREFIX
  let needle = needleOf(s);
  store<u64>(needle, 0x2d2d2d2d2d2d0a0d);
  store<u8>(needle, 0x2d, 8);
}

/** A header-block line starts at head offset `lineStart`: clears the per-line fields. */
export function newLine(s: Slot, lineStart: u32): void {
  s.state = ST_HFIRST;
  s.lineStart = lineStart;
  s.cr = 0;
  s.ctl = 0;
  s.endIdx = 0;
  s.nameLen = 0;
  s.mask = 0xffffffff;
  s.exact = 0xffffffff;
  s.valueStart = NONE;
  s.valueEnd = 0;
  s.nonAscii = 0;
  s.id = 0;
  s.sub = V_LEAD;
}

/**
 * Head lines from p: returns after a line's verdict (so the caller can check
 * event room) or at `end`. `hb` is the position of the head's first octet
 * (before the window when the head began in an earlier feed).
 */
export function headLines(s: Slot, p: usize, end: usize, hb: isize): usize {
  let lineBase: isize = hb + <isize>s.lineStart;
  // A line may be at most `cap` octets plus CRLF: position cap + 1 of the line
  // may only hold its LF (js-engine.ts: "still without CRLF after
  // max(maxLineLength, end-line length) + 2 octets is HEADER_LINE_TOO_LONG at
  // once"). The cap never cuts off the end-line of a bodiless chunk.
  let cap = s.maxLine;
  if (s.state != ST_START) cap = max(cap, <u32>s.tidLen + 8);
  let lfAt: isize = lineBase + <isize>cap + 1;
  while (p < end) {
    let c = <u32>load<u8>(p);
    if (s.cr) {
      s.cr = 0;
      if (c == LF) return lineEnd(s, p + 1, hb, lineBase);
      // a bare CR is line content (a control octet)
      octet(s, CR, <isize>p - 1, hb, lineBase);
    }
    if (<isize>p >= lfAt) return lineError(s, ErrorCode.HEADER_LINE_TOO_LONG, lineBase, p, false);
    if (c == CR) {
      s.cr = 1;
      p++;
      continue;
    }
    // Runs of octets that need no per-octet decision are taken in inner loops
    // over locals; the octet that ends a run goes through octet() below.
    let lim = <isize>end < lfAt ? end : <usize>lfAt;
    let st = s.state;
    let q = p;
    if (st == ST_HVALUE) {
      if (s.sub == V_ANY) {
        // the bulk of a head: plain value octets
        q = skipPlainValue(p, lim);
        if (q > p) {
          if (valueFirst != 0 && s.valueStart == NONE) s.valueStart = <u32>(<isize>valueFirst - 1 - hb);
          if (valueLast != 0) s.valueEnd = <u32>(<isize>valueLast - hb);
          if (valueHigh) s.nonAscii = 1;
        }
      }
    } else if (st == ST_HNAME) {
      q = nameRun(s, p, lim, <u32>(<isize>p - lineBase));
    } else if (st == ST_START) {
      let sub = s.sub;
      if (sub == SL_TID) q = tidRun(s, p, lim);
      else if (sub == SL_METHOD) {
        while (q < lim && (cls(<u32>load<u8>(q)) & C_UPPER)) q++;
      }
    }
    if (q > p) {
      p = q;
      continue;
    }
    octet(s, c, <isize>p, hb, lineBase);
    p++;
  }
  return p;
}

/** A run of header-name token octets from p (name position i): the known-name masks follow along. */
export function nameRun(s: Slot, p: usize, lim: usize, i: u32): usize {
  let mask = s.mask;
  let exact = s.exact;
  while (p < lim) {
    let c = <u32>load<u8>(p);
    if (!(cls(c) & C_TOKEN)) break;
    mask = nameStepCI(mask, i, c);
    exact = nameStepCS(exact, i, c);
    p++;
    i++;
  }
  s.mask = mask;
  s.exact = exact;
  return p;
}

/** A run of transaction-id octets (up to SP or CR), copied into the needle and checked against `ident`. */
export function tidRun(s: Slot, p: usize, lim: usize): usize {
  let n = <u32>s.tidLen;
  let bad = s.tidBad;
  let to = needleOf(s) + NEEDLE_PREFIX;
  while (p < lim) {
    let c = <u32>load<u8>(p);
    if (c == SP || c == CR) break;
    let k = cls(c);
    // ident = ALPHANUM 3*31ident-char
    if (!(k & (n == 0 ? C_ALNUM : C_IDENT))) bad = 1;
    if (k & C_CTL) s.ctl = 1;
    if (n < TID_MAX) store<u8>(to + <usize>n, <u8>c);
    if (n <= TID_MAX) n++;
    p++;
  }
  s.tidLen = <u8>n;
  s.tidBad = bad;
  return p;
}

/** One content octet of a head line at position `at`. */
function octet(s: Slot, c: u32, at: isize, hb: isize, lineBase: isize): void {
  let k = cls(c);
  if (k & C_CTL) s.ctl = 1;
  let i = <u32>(at - lineBase);
  switch (s.state) {
    case ST_START: {
      startOctet(s, c, k, i);
      break;
    }
    case ST_HFIRST: {
      if (k & C_ALPHA) {
        s.state = ST_HNAME;
        s.mask = nameStepCI(s.mask, 0, c);
        s.exact = nameStepCS(s.exact, 0, c);
      } else {
        s.state = ST_HOTHER;
        s.endIdx = c == 0x2d ? 1 : END_MISMATCH;
      }
      break;
    }
    case ST_HNAME: {
      if (k & C_TOKEN) {
        s.mask = nameStepCI(s.mask, i, c);
        s.exact = nameStepCS(s.exact, i, c);
      } else if (c == 0x3a) {
        s.nameLen = i;
        let id = nameId(s.mask, i);
        s.id = <u8>id;
        if (id != 0 && (s.exact & (1 << (id - 1))) == 0) s.exact = 0;
        s.state = ST_HVALUE;
        s.sub = V_LEAD;
      } else {
        s.state = ST_HOTHER;
        s.endIdx = END_MISMATCH;
      }
      break;
    }
    case ST_HVALUE: {
      valueOctet(s, c, at, hb);
      break;
    }
    default: {
      // ST_HOTHER: does the line read `-------<tid><flag>`?
      let e = <u32>s.endIdx;
      if (e == END_MISMATCH) break;
      let tid = <u32>s.tidLen;
      if (e != i) s.endIdx = END_MISMATCH;
      else if (e < 7 + tid) s.endIdx = c == <u32>load<u8>(needleOf(s) + <usize>e + 2) ? <u8>(e + 1) : END_MISMATCH;
      else if (e == 7 + tid && isFlag(c)) {
        s.flag = <u8>c;
        s.endIdx = <u8>(e + 1);
      } else s.endIdx = END_MISMATCH;
    }
  }
}

/** RFC 4975 §9 req-start / resp-start, one octet at line position i. */
function startOctet(s: Slot, c: u32, k: u32, i: u32): void {
  let sub = s.sub;
  if (sub < SL_TID) {
    // "MSRP "
    let want: u32 = sub == 0 ? 0x4d : sub == 1 ? 0x53 : sub == 2 ? 0x52 : sub == 3 ? 0x50 : SP;
    s.sub = c == want ? sub + 1 : SL_NO_MSRP;
    return;
  }
  switch (sub) {
    case SL_TID: {
      if (c == SP) {
        if (s.tidLen < 4 || s.tidLen > <u8>TID_MAX) s.tidBad = 1;
        s.sub = SL_REST;
        return;
      }
      let n = <u32>s.tidLen;
      // ident = ALPHANUM 3*31ident-char
      if (!(k & (n == 0 ? C_ALNUM : C_IDENT))) s.tidBad = 1;
      if (n < TID_MAX) store<u8>(needleOf(s) + NEEDLE_PREFIX + <usize>n, <u8>c);
      if (n <= TID_MAX) s.tidLen = <u8>(n + 1);
      return;
    }
    case SL_REST: {
      if (k & C_DIGIT) {
        // resp-start: status codes are 100..999
        if (c == 0x30) s.startError = <u8>ErrorCode.STATUS_CODE;
        s.code = <u16>(c - 0x30);
        s.sub = SL_CODE1;
      } else if (k & C_UPPER) {
        s.sub = SL_METHOD;
      } else {
        s.startError = <u8>ErrorCode.METHOD;
        s.sub = SL_DONE;
      }
      return;
    }
    case SL_CODE1:
    case SL_CODE2: {
      if (k & C_DIGIT) {
        s.code = <u16>(<u32>s.code * 10 + c - 0x30);
        s.sub = sub + 1;
      } else {
        if (s.startError == 0) s.startError = <u8>ErrorCode.STATUS_CODE;
        s.sub = SL_DONE;
      }
      return;
    }
    case SL_CODE3: {
      if (c == SP) s.sub = SL_COMMENT;
      else {
        if (s.startError == 0) s.startError = <u8>ErrorCode.STATUS_CODE;
        s.sub = SL_DONE;
      }
      return;
    }
    case SL_COMMENT: {
      if (c >= 0x80) s.nonAscii = 1;
      return;
    }
    case SL_METHOD: {
      // other-method = 1*UPALPHA
      if (!(k & C_UPPER)) {
        s.startError = <u8>ErrorCode.METHOD;
        s.sub = SL_DONE;
      }
      return;
    }
    default:
      return;
  }
}

/** The verdict on a whole head line; `p` is just after its LF. */
export function lineEnd(s: Slot, p: usize, hb: isize, lineBase: isize): usize {
  let length = <u32>(<isize>p - 2 - lineBase);
  let headLength = <u32>(<isize>p - hb);
  if (s.state == ST_START) return startLineEnd(s, p, length, headLength, lineBase);
  // The end-line of a bodiless chunk and the blank line come first, free of caps.
  let tid = <u32>s.tidLen;
  if (s.state == ST_HOTHER && <u32>s.endIdx == 8 + tid) {
    // RFC 4975 §7.1: with no body the end-line follows the last header line
    emitHead(s, hb, headLength, p, 0);
    emitEnd(s.flag, rel(<isize>p));
    s.state = ST_LINE0;
    return p;
  }
  if (length == 0) {
    // the blank line: the body follows
    emitHead(s, hb, headLength, p, F_BODY);
    s.state = ST_BODY;
    return p;
  }
  if (length > s.maxLine) return lineError(s, ErrorCode.HEADER_LINE_TOO_LONG, lineBase, p, true);
  if (headLength > s.maxHead) return lineError(s, ErrorCode.HEAD_TOO_LARGE, lineBase, p, true);
  if (s.headerCount >= s.maxHeaders) return lineError(s, ErrorCode.TOO_MANY_HEADERS, lineBase, p, true);
  if (s.ctl) return lineError(s, ErrorCode.LINE_ENDING, lineBase, p, true);
  if (s.state != ST_HVALUE) return lineError(s, ErrorCode.HEADER_LINE, lineBase, p, true);
  let id = <u32>s.id;
  let sub = s.sub;
  if (id == HeaderId.BYTE_RANGE) {
    if (sub != BR_TOTAL && sub != BR_TOTAL_STAR && sub != BR_TRAIL) {
      return lineError(s, ErrorCode.BYTE_RANGE, lineBase, p, true);
    }
    s.brStart = s.rangeStart;
    s.brEnd = s.rangeEnd;
    // acc holds the total, -1 for "*" (trailing space leaves it alone)
    s.brTotal = s.acc;
    s.flags |= F_BYTE_RANGE;
  } else if (id == HeaderId.STATUS) {
    if (sub != STS_AFTER && sub != STS_COMMENT && sub != STS_TRAIL) {
      return lineError(s, ErrorCode.STATUS_HEADER, lineBase, p, true);
    }
    s.flags |= F_STATUS;
  }
  let e = entriesOf(s) + <usize>s.headerCount * ENTRY_SIZE;
  let lineStart = s.lineStart;
  store<u32>(e, lineStart);
  store<u16>(e, <u16>s.nameLen, 4);
  store<u8>(e, <u8>id, 6);
  let eflags: u8 = (s.exact != 0 && id != 0 ? E_CANONICAL : 0) | (s.nonAscii ? E_NONASCII : 0);
  store<u8>(e, eflags, 7);
  if (s.valueStart == NONE) {
    store<u32>(e, lineStart + s.nameLen + 1, 8);
    store<u32>(e, 0, 12);
  } else {
    store<u32>(e, s.valueStart, 8);
    store<u32>(e, s.valueEnd - s.valueStart, 12);
  }
  s.headerCount++;
  newLine(s, headLength);
  return p;
}

/** The verdict on the start line, in the reference's order. Every error is fatal. */
function startLineEnd(s: Slot, p: usize, length: u32, headLength: u32, lineBase: isize): usize {
  let code: u32 = 0;
  let sub = s.sub;
  if (headLength > s.maxHead) code = ErrorCode.HEAD_TOO_LARGE;
  else if (s.ctl) code = ErrorCode.LINE_ENDING;
  else if (sub <= SL_TID || sub == SL_NO_MSRP) code = ErrorCode.START_LINE;
  else if (s.tidBad) code = ErrorCode.TRANSACTION_ID;
  else if (s.startError != 0) code = s.startError;
  else if (sub == SL_REST) code = ErrorCode.METHOD;
  else if (sub == SL_CODE1 || sub == SL_CODE2) code = ErrorCode.STATUS_CODE;
  if (code != 0) {
    // the id is reported once it is known good (status code and method errors)
    let known = code == ErrorCode.STATUS_CODE || code == ErrorCode.METHOD;
    emitError(code, true, rel(lineBase), 0, needleOf(s) + NEEDLE_PREFIX, known ? s.tidLen : 0);
    s.state = ST_DEAD;
    return p;
  }
  s.request = sub == SL_METHOD ? 1 : 0;
  if (!s.request) s.flags |= F_RESPONSE;
  if (s.nonAscii) s.flags |= F_NONASCII;
  s.startLen = length;
  newLine(s, headLength);
  return p;
}

/**
 * A head-line error. In the start line framing is lost; after it the chunk is
 * skipped to its end-line, searched from the line's start. A line holds no
 * CRLF, so the needle can start no earlier than the line's own CR: when the
 * verdict came at the line's LF (`atLf`), that CRLF is already matched.
 */
export function lineError(s: Slot, code: u32, lineBase: isize, p: usize, atLf: bool): usize {
  let tid = needleOf(s) + NEEDLE_PREFIX;
  if (s.state == ST_START) {
    emitError(code, true, rel(lineBase), 0, tid, 0);
    s.state = ST_DEAD;
    return p;
  }
  emitError(code, false, rel(lineBase), s.request ? 400 : 0, tid, s.tidLen);
  s.skip = 1;
  if (atLf) {
    s.matchLen = 2;
    s.state = ST_MATCH;
  } else {
    s.state = ST_BODY;
  }
  return p;
}

/** Writes the HEAD record; `at` is just after the octet that ended the head. */
export function emitHead(s: Slot, hb: isize, headLength: u32, at: usize, flags: u8): void {
  let n = <u32>s.headerCount;
  let r = record(EventKind.HEAD, HEAD_SIZE + n * ENTRY_SIZE);
  store<u8>(r, s.flags | flags, 1);
  store<u8>(r, s.tidLen, 2);
  store<i32>(r, rel(hb), 4);
  store<u32>(r, s.startLen, 8);
  store<u16>(r, s.code, 12);
  store<u16>(r, <u16>n, 14);
  if (s.flags & F_BYTE_RANGE) {
    store<f64>(r, s.brStart, 16);
    store<f64>(r, s.brEnd, 24);
    store<f64>(r, s.brTotal, 32);
  }
  store<u16>(r, s.statusNs, 40);
  store<u16>(r, s.statusCode, 42);
  store<u32>(r, headLength, 44);
  store<i32>(r, rel(<isize>at), 48);
  // a few entries of 16 octets: word copies beat a bulk-memory call
  let from = entriesOf(s);
  let to = r + HEAD_SIZE;
  for (let k: u32 = 0; k < n; k++, from += ENTRY_SIZE, to += ENTRY_SIZE) {
    store<u64>(to, load<u64>(from));
    store<u64>(to, load<u64>(from, 8), 8);
  }
}
