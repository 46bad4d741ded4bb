/**
 * The reference model of MSRP framing (RFC 4975 §7.1, §9): the whole input at
 * once, no streaming, written to be read rather than to be fast. Every framing
 * engine (src/core/js-engine.ts, the wasm cores) must give the same normalized
 * events for any way its input is split; the rules are listed at the top of
 * src/core/js-engine.ts and in docs/errors.md.
 */
import { ErrorCode, ErrorCodeName, HeaderId } from '../src/core/constants.ts';
import { headerIdOf } from '../src/core/js-engine.ts';
import { DEFAULT_LIMITS } from '../src/core/types.ts';
import type { FramingLimits } from '../src/core/types.ts';

/** One normalized framing event. Consecutive body segments are merged into one. */
export type RefEvent =
  | {
    type: 'head'; transactionId: string; method: string | null; code: number; comment: string | null;
    headers: Array<[name: string, value: string]>; ids: number[]; hasBody: boolean; offset: number;
  }
  /** body octets as a latin1 string (one char per octet) */
  | { type: 'body'; data: string }
  | { type: 'end'; flag: string }
  | { type: 'error'; code: string; statusCode: number; fatal: boolean; offset: number; transactionId: string | null };

const FLAGS = '$+#';

/** The events an engine must report for `input` fed whole, then finish(). */
export function referenceEvents(input: Buffer, limits: FramingLimits = {}): RefEvent[] {
  const max = { ...DEFAULT_LIMITS, ...limits };
  const text = input.toString('latin1');
  const events: RefEvent[] = [];
  const error = (code: number, statusCode: number, fatal: boolean, offset: number, tid: string | null): void => {
    events.push({ type: 'error', code: ErrorCodeName[code], statusCode, fatal, offset, transactionId: tid });
  };
  const truncated = (tid: string | null): RefEvent[] => {
    error(ErrorCode.TRUNCATED, 0, true, input.length, tid);
    return events;
  };

  let pos = 0;
  chunks: while (pos < input.length) {
    const headStart = pos;

    // A head line: up to the first CRLF (null when the input ends first), or
    // too long once `cap` + 2 octets hold no CRLF. The cap lets an end-line through.
    const readLine = (at: number, cap: number): { end: number } | { error: number } | null => {
      const crlf = text.indexOf('\r\n', at);
      if (crlf < 0) return input.length - at >= cap + 2 ? { error: ErrorCode.HEADER_LINE_TOO_LONG } : null;
      if (crlf - at > cap) return { error: ErrorCode.HEADER_LINE_TOO_LONG };
      return { end: crlf };
    };
    // The caps on a complete start line or header line.
    const capsError = (at: number, end: number): number => {
      if (end - at > max.maxLineLength) return ErrorCode.HEADER_LINE_TOO_LONG;
      if (end + 2 - headStart > max.maxHeadLength) return ErrorCode.HEAD_TOO_LARGE;
      return 0;
    };

    // Start line (RFC 4975 §9 req-start / resp-start): every error is fatal.
    const first = readLine(pos, max.maxLineLength);
    if (first === null) return truncated(null);
    const firstError = 'error' in first ? first.error : capsError(pos, first.end);
    if (firstError !== 0 || 'error' in first) {
      error(firstError, 0, true, pos, null);
      return events;
    }
    const startLine = text.slice(pos, first.end);
    const m = /^MSRP ([^ ]*) (.*)$/s.exec(startLine);
    const tid = m !== null && /^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/.test(m[1]) ? m[1] : null;
    let failure = 0;
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(startLine)) failure = ErrorCode.LINE_ENDING;
    else if (m === null) failure = ErrorCode.START_LINE;
    else if (tid === null) failure = ErrorCode.TRANSACTION_ID;
    else if (/^[0-9]/.test(m[2]) && !/^[1-9][0-9]{2}( |$)/.test(m[2])) failure = ErrorCode.STATUS_CODE;
    else if (!/^[0-9]/.test(m[2]) && !/^[A-Z]+$/.test(m[2])) failure = ErrorCode.METHOD;
    if (failure !== 0 || m === null || tid === null) {
      error(failure, 0, true, pos, failure === ErrorCode.LINE_ENDING ? null : tid);
      return events;
    }
    const isResponse = /^[0-9]/.test(m[2]);
    const startBytes = input.subarray(pos, first.end);
    const head: RefEvent & { type: 'head' } = {
      type: 'head', transactionId: tid,
      method: isResponse ? null : m[2],
      code: isResponse ? Number(m[2].slice(0, 3)) : 0,
      comment: isResponse && m[2].length > 3 ? startBytes.subarray(5 + tid.length + 1 + 4).toString('utf8') : null,
      headers: [], ids: [], hasBody: false, offset: headStart,
    };
    pos = first.end + 2;

    // Where the end-line `CRLF -------tid flag CRLF` can be: 1 yes, 0 no, -1 not decided by the input.
    const endLine = `\r\n-------${tid}`;
    const endLineAt = (at: number): number => {
      for (let k = 0; k < endLine.length + 3; k++) {
        if (at + k >= input.length) return -1;
        const c = text[at + k];
        const ok = k < endLine.length ? c === endLine[k] : k === endLine.length ? FLAGS.includes(c) : c === '\r\n'[k - endLine.length - 1];
        if (!ok) return 0;
      }
      return 1;
    };
    const findEndLine = (from: number): number => {
      for (let at = from; at < input.length; at++) if (endLineAt(at) === 1) return at;
      return -1;
    };
    const status = (code: number): number => (head.method === null ? 0 : code);
    // A header error: skip the chunk up to its end-line, searched from the offending line's start.
    const skip = (code: number, lineStart: number): boolean => {
      error(code, status(400), false, lineStart, tid);
      const at = findEndLine(lineStart);
      if (at < 0) return false;
      pos = at + endLine.length + 3;
      return true;
    };

    // Header lines, up to the blank line or the end-line of a bodiless chunk.
    for (;;) {
      const line = readLine(pos, Math.max(max.maxLineLength, tid.length + 8));
      if (line === null) return truncated(tid);
      if ('error' in line) {
        if (skip(line.error, pos)) continue chunks;
        return truncated(tid);
      }
      const lineText = text.slice(pos, line.end);
      if (lineText.length === endLine.length - 1 && lineText.startsWith(endLine.slice(2)) && FLAGS.includes(lineText.slice(-1))) {
        events.push(head, { type: 'end', flag: lineText.slice(-1) });
        pos = line.end + 2;
        continue chunks;
      }
      if (lineText === '') {
        head.hasBody = true;
        pos = line.end + 2;
        break;
      }
      const name = /^([A-Za-z][!#-'*+\-.0-9A-Z^-~]*):/.exec(lineText);
      const value = name === null ? ''
        : input.subarray(pos + name[0].length, line.end).toString('utf8').replace(/^[ \t]+|[ \t]+$/g, '');
      const id = name === null ? 0 : headerIdOf(name[1]);
      const checks: Array<[failed: boolean, code: number]> = [
        [head.headers.length >= max.maxHeaders, ErrorCode.TOO_MANY_HEADERS],
        [/[\x00-\x08\x0a-\x1f\x7f]/.test(lineText), ErrorCode.LINE_ENDING],
        [name === null, ErrorCode.HEADER_LINE],
        [id === HeaderId.BYTE_RANGE && !isByteRange(value), ErrorCode.BYTE_RANGE],
        [id === HeaderId.STATUS && !/^[0-9]{3} [0-9]{3}( |$)/.test(value), ErrorCode.STATUS_HEADER],
      ];
      const bad = capsError(pos, line.end) || (checks.find(([failed]) => failed)?.[1] ?? 0);
      if (bad !== 0) {
        if (skip(bad, pos)) continue chunks;
        return truncated(tid);
      }
      head.headers.push([(name as RegExpExecArray)[1], value]);
      head.ids.push(id);
      pos = line.end + 2;
    }

    // The body: everything before the first whole end-line (RFC 4975 §7.1).
    events.push(head);
    const bodyStart = pos;
    const at = findEndLine(bodyStart);
    let bodyEnd = at;
    if (at < 0) {
      // Truncated: octets that could still start the end-line are not body yet.
      bodyEnd = bodyStart;
      while (bodyEnd < input.length && endLineAt(bodyEnd) !== -1) bodyEnd++;
    }
    const body = text.slice(bodyStart, bodyEnd);
    const tooLarge = body.length > max.maxBodyLength;
    const sent = tooLarge ? body.slice(0, max.maxBodyLength) : body;
    if (sent.length > 0) events.push({ type: 'body', data: sent });
    if (tooLarge) error(ErrorCode.BODY_TOO_LARGE, status(413), false, bodyStart + max.maxBodyLength, tid);
    if (at < 0) return truncated(tid);
    if (!tooLarge) events.push({ type: 'end', flag: text[at + endLine.length] });
    pos = at + endLine.length + 3;
  }
  return events;
}

/** RFC 4975 §9 Byte-Range, numbers at most 2^53 - 1. */
function isByteRange(value: string): boolean {
  const m = /^([0-9]+)-([0-9]+|\*)\/([0-9]+|\*)$/.exec(value);
  return m !== null && m.slice(1).every((n) => n === '*' || Number(n) <= Number.MAX_SAFE_INTEGER);
}
