// The framing state machine (RFC 4975 §7.1, §9): start line, header lines,
// body, end-line, resumable at any octet. Its rules are the ones
// src/core/js-engine.ts lists and fuzz/reference-parser.ts models; the events
// must be the same for any split of the input. This file drives the slot and
// scans bodies; head.ts and fastline.ts read heads.

import { ErrorCode, EventKind } from './constants';
import { HELD_SIZE, emitBody, emitEnd, emitError, eventsReset, eventsRoom, record, setResult } from './events';
import { fastLine } from './fastline';
import { headLines, startChunk } from './head';
import { endLineAt, matchesAt, nextCandidate } from './scan';
import { NEEDLE_PREFIX, Slot, needleOf } from './slot';
import { CR, ST_BODY, ST_DEAD, ST_HOTHER, ST_LINE0, ST_MATCH, ST_START, rel } from './states';

/** Runs slot `s` over [p, end) of the window. Returns the end position reached. */
export function feed(s: Slot, p: usize, end: usize): usize {
  eventsReset();
  let hb: isize = <isize>p - <isize>s.headPos;
  while (p < end) {
    if (!eventsRoom()) break;
    let st = s.state;
    if (st == ST_LINE0) {
      startChunk(s);
      hb = <isize>p;
      st = ST_START;
    }
    if (st <= ST_HOTHER) {
      // a whole, well-formed line at once when possible, else octet by octet
      let q = fastLine(s, p, end, hb);
      p = q != 0 ? q : headLines(s, p, end, hb);
    } else if (st == ST_BODY) {
      p = body(s, p, end);
    } else if (st == ST_MATCH) {
      p = carried(s, p, end);
    } else {
      p = end;
    }
  }
  let inHead = s.state >= ST_START && s.state <= ST_HOTHER;
  if (inHead) s.headPos = <u32>(<isize>p - hb);
  setResult(rel(<isize>p), inHead, rel(hb));
  return p;
}

/** The stream ended: a chunk in progress is TRUNCATED (offset 0: the adapter adds the stream end). */
export function finish(s: Slot): void {
  eventsReset();
  let st = s.state;
  if (st != ST_LINE0 && st != ST_DEAD) {
    let known = st != ST_START;
    emitError(ErrorCode.TRUNCATED, true, 0, 0, needleOf(s) + NEEDLE_PREFIX, known ? s.tidLen : 0);
  }
  s.state = ST_DEAD;
  setResult(0, false, 0);
}

/** Back to the start of a chunk. */
export function reset(s: Slot): void {
  s.state = ST_LINE0;
  s.headPos = 0;
}

/** Body (or skipped) octets from p: up to the first whole end-line, or to `end`. */
function body(s: Slot, p: usize, end: usize): usize {
  let needle = needleOf(s);
  let n = NEEDLE_PREFIX + <u32>s.tidLen;
  let q = p;
  for (;;) {
    let c = nextCandidate(q, end);
    if (c >= end) {
      bodyOut(s, p, end);
      return end;
    }
    let r = endLineAt(needle, n, c, end);
    if (r > 0) {
      bodyOut(s, p, c);
      let after = c + <usize>n + 3;
      if (!s.skip) emitEnd(<u32>load<u8>(c + <usize>n), rel(<isize>after));
      s.state = ST_LINE0;
      return after;
    }
    if (r < 0) {
      // a needle prefix runs to the end of the input: hold it back, undecided
      bodyOut(s, p, c);
      s.matchLen = <u32>(end - c);
      if (s.matchLen > n) s.flag = load<u8>(c + <usize>n);
      s.state = ST_MATCH;
      return end;
    }
    q = c + 1;
  }
  return end;
}

/** Hands on body octets [from, to) of the window, enforcing maxBody. */
function bodyOut(s: Slot, from: usize, to: usize): void {
  if (s.skip || to == from) return;
  let length = <f64>(to - from);
  let room = s.maxBody - s.bodyLen;
  if (length <= room) {
    emitBody(rel(<isize>from), <i32>(to - from));
    s.bodyLen += length;
    return;
  }
  let allowed = <i32>room;
  if (allowed > 0) emitBody(rel(<isize>from), allowed);
  tooLarge(s, rel(<isize>from) + allowed);
}

/** BODY_TOO_LARGE at window offset `offset` (the first octet over the cap); the chunk is skipped. */
function tooLarge(s: Slot, offset: i32): void {
  emitError(ErrorCode.BODY_TOO_LARGE, false, offset, s.request ? 413 : 0, needleOf(s) + NEEDLE_PREFIX, s.tidLen);
  s.skip = 1;
}

/**
 * Continues a partial end-line match at the start of this feed. When it turns
 * out not to be the end-line, the held octets are body and the scan restarts
 * at p: the octets after them can only begin a needle at a CR, and the only CR
 * inside a needle prefix is its first octet (or the flag's CR, whose LF failed).
 */
function carried(s: Slot, p: usize, end: usize): usize {
  let needle = needleOf(s);
  let n = NEEDLE_PREFIX + <u32>s.tidLen;
  let k = s.matchLen;
  let q = p;
  while (k < n + 3 && q < end) {
    let b = <u32>load<u8>(q);
    if (!matchesAt(needle, n, k, b)) break;
    if (k == n) s.flag = <u8>b;
    k++;
    q++;
  }
  if (k == n + 3) {
    if (!s.skip) emitEnd(s.flag, rel(<isize>q));
    s.state = ST_LINE0;
    return q;
  }
  if (q == end) {
    s.matchLen = k;
    return end;
  }
  s.state = ST_BODY;
  if (!s.skip) heldOut(s, s.matchLen, p);
  return p;
}

/** Hands on the `held` octets of a failed partial match (they precede p), enforcing maxBody. */
function heldOut(s: Slot, held: u32, p: usize): void {
  let room = s.maxBody - s.bodyLen;
  let count = <f64>held <= room ? held : <u32>room;
  if (count > 0) {
    let r = record(EventKind.HELD, HELD_SIZE);
    store<u8>(r, <u8>count, 1);
    store<i32>(r, rel(<isize>p), 4);
    let n = NEEDLE_PREFIX + <u32>s.tidLen;
    let needle = needleOf(s);
    for (let k: u32 = 0; k < count; k++) {
      let b: u32 = k < n ? <u32>load<u8>(needle + <usize>k) : k == n ? <u32>s.flag : CR;
      store<u8>(r + 16 + <usize>k, <u8>b);
    }
    s.bodyLen += <f64>count;
  }
  if (count < held) tooLarge(s, rel(<isize>p) - <i32>held + <i32>count);
}
