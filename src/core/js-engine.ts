/**
 * The plain TypeScript framing engine: a resumable state machine over MSRP
 * chunks (RFC 4975 §7.1, §9) implementing FramingEngine (types.ts). It is the
 * fallback when WebAssembly is unavailable and the benchmark baseline, so it
 * keeps to a straightforward design: Buffer.indexOf for CRLF, one latin1 slice
 * per head line, Buffer.indexOf of the end-line needle `CRLF -------<tid>` for
 * the body, then a check of the flag and CRLF after it.
 *
 * The rules every engine follows (fuzz/reference-parser.ts is their model,
 * docs/errors.md the list of codes):
 * - A head line ends at the first CRLF. In the header block the end-line of a
 *   bodiless chunk and the blank line are recognised first, free of caps. Then,
 *   in order: longer than maxLineLength -> HEADER_LINE_TOO_LONG; start line and
 *   header lines so far (through this CRLF) longer than maxHeadLength ->
 *   HEAD_TOO_LARGE; too many headers; a control character other than HTAB ->
 *   LINE_ENDING; then the grammar. A line still without CRLF after
 *   max(maxLineLength, end-line length) + 2 octets is HEADER_LINE_TOO_LONG at
 *   once.
 * - Start-line errors are fatal (framing is lost). Header errors are not: the
 *   transaction id is known, so the engine skips to the end-line and goes on.
 * - In the header block, `-------<tid><flag>` ends a bodiless chunk, an empty
 *   line starts the body. The body is everything before the first
 *   `CRLF -------<tid>` followed by a flag and CRLF; a lookalike is body data.
 *   Byte-Range is never used to locate it.
 * - Error offsets: the first octet of the offending line; for BODY_TOO_LARGE
 *   the first body octet over the cap; for TRUNCATED the end of the stream.
 */
import { ErrorCode, HeaderId } from './constants.ts';
import { DEFAULT_LIMITS } from './types.ts';
import type { FramingEngine, FramingLimits, FramingSink, RawHead } from './types.ts';

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n', 'latin1');

const enum State {
  START_LINE = 0,
  HEADERS = 1,
  BODY = 2,
  DEAD = 3,
}

/** RFC 4975 §9 `ident`: ALPHANUM 3*31ident-char. */
export const IDENT = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/;
/** RFC 4975 §9 `hname = ALPHA *token` followed by the colon. */
const HEADER_NAME = /^[A-Za-z][!#-'*+\-.0-9A-Z^-~]*:/;
/** Octets a line may not contain: CTLs but HTAB (RFC 4975 §9 `utf8text`), so also bare CR and LF. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** RFC 4975 §9 `Byte-Range` value. */
const BYTE_RANGE = /^(\d+)-(\d+|\*)\/(\d+|\*)$/;
/** RFC 4975 §9 `Status` value: namespace SP status-code [SP comment]. */
const STATUS = /^\d{3} \d{3}(?: |$)/;

/**
 * The HeaderId of a header name, case-insensitively; 0 for unknown names.
 * Derived from the enum member names (`Message-ID` -> MESSAGE_ID), so the enum
 * file stays the one list of known headers.
 */
export function headerIdOf(name: string): number {
  if (name.includes('_')) return HeaderId.UNKNOWN;
  const id = (HeaderId as Record<string, number>)[name.toUpperCase().replace(/-/g, '_')];
  return id ?? HeaderId.UNKNOWN;
}

/** True when a Byte-Range value follows the grammar and its numbers stay below 2^53. */
export function isByteRangeValue(value: string): boolean {
  const m = BYTE_RANGE.exec(value);
  if (m === null) return false;
  for (let i = 1; i <= 3; i++) {
    if (m[i] !== '*' && !Number.isSafeInteger(Number(m[i]))) return false;
  }
  return true;
}

/** True when a Status header value follows RFC 4975 §9. */
export function isStatusValue(value: string): boolean {
  return STATUS.test(value);
}

/** Decodes a line slice: latin1 is exact for ASCII, UTF-8 otherwise (RFC 4975 §9 is UTF-8). */
function decode(bytes: Buffer, latin1: string): string {
  for (let i = 0; i < latin1.length; i++) {
    if (latin1.charCodeAt(i) > 0x7f) return bytes.toString('utf8');
  }
  return latin1;
}

/** Strips SP and HTAB from both ends (some RFC examples put two spaces after the colon). */
function trimValue(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** See the module comment for the framing rules. */
export class JsFramingEngine implements FramingEngine {
  private readonly limits: Required<FramingLimits>;
  private state = State.START_LINE;
  /** stream offset of input[0] in the current feed */
  private base = 0;
  /** copied octets of a head line whose CRLF has not arrived */
  private partial: Buffer | null = null;
  private headStart = 0;
  private transactionId: string | null = null;
  private method: string | null = null;
  private code = 0;
  private comment: string | null = null;
  private names: string[] = [];
  private values: string[] = [];
  private ids: number[] = [];
  /** `CRLF -------<tid>`: the body ends right before it (RFC 4975 §7.1) */
  private needle = CRLF;
  /** copied body tail that may still be the start of the end-line */
  private held: Buffer | null = null;
  private bodyStart = 0;
  private bodyLength = 0;
  /** skipping to the end-line after a non-fatal error: no body or end events */
  private discard = false;
  /** the flag of a bodiless chunk whose end was held back because onHead paused */
  private pendingEnd = 0;
  private paused = false;

  constructor(limits: FramingLimits = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get holdsEvents(): boolean {
    return this.pendingEnd !== 0;
  }

  feed(input: Buffer, sink: FramingSink): number {
    if (this.state === State.DEAD) {
      this.base += input.length;
      return input.length;
    }
    this.paused = false;
    if (this.pendingEnd !== 0) {
      const flag = this.pendingEnd;
      this.pendingEnd = 0;
      if (sink.onEnd(flag) === false) return 0;
    }
    let pos = 0;
    while (pos < input.length && !this.paused && !this.dead()) {
      pos = this.state === State.BODY ? this.scanBody(input, pos, sink) : this.scanLine(input, pos, sink);
    }
    if (this.dead()) pos = input.length;
    this.base += pos;
    return pos;
  }

  /** A method, not a field test, so the state read after calls is not narrowed away. */
  private dead(): boolean {
    return this.state === State.DEAD;
  }

  finish(sink: FramingSink): void {
    if (this.state === State.DEAD) return;
    if (this.pendingEnd !== 0) {
      sink.onEnd(this.pendingEnd);
      this.pendingEnd = 0;
    }
    const inChunk = this.state !== State.START_LINE || this.partial !== null;
    this.state = State.DEAD;
    if (inChunk) {
      sink.onError({ code: ErrorCode.TRUNCATED, statusCode: 0, fatal: true, offset: this.base,
        transactionId: this.transactionId });
    }
  }

  reset(): void {
    this.state = State.START_LINE;
    this.base = 0;
    this.partial = null;
    this.pendingEnd = 0;
    this.paused = false;
    this.clearChunk();
  }

  free(): void {
    this.reset();
    this.state = State.DEAD;
  }

  private clearChunk(): void {
    this.transactionId = null;
    this.method = null;
    this.code = 0;
    this.comment = null;
    this.names = [];
    this.values = [];
    this.ids = [];
    this.needle = CRLF;
    this.held = null;
    this.bodyLength = 0;
    this.discard = false;
  }

  /** Collects one head line and processes it; returns the next input position. */
  private scanLine(input: Buffer, pos: number, sink: FramingSink): number {
    const partial = this.partial;
    const lineStart = partial === null ? this.base + pos : this.base - partial.length;
    if (this.state === State.START_LINE && partial === null) this.headStart = lineStart;
    // The CRLF may straddle the previous feed and this one.
    if (partial !== null && partial[partial.length - 1] === CR && input[pos] === LF) {
      this.partial = null;
      const line = partial.subarray(0, partial.length - 1);
      return this.line(line, lineStart, input, pos, true, sink) ?? pos + 1;
    }
    const crlf = input.indexOf(CRLF, pos);
    const have = (partial?.length ?? 0) + (crlf < 0 ? input.length : crlf) - pos;
    // The line cap never cuts off an end-line, whatever the cap.
    const tid = this.transactionId;
    const cap = tid === null ? this.limits.maxLineLength : Math.max(this.limits.maxLineLength, tid.length + 8);
    if (crlf < 0 && have < cap + 2) {
      const rest = input.subarray(pos);
      this.partial = partial === null ? Buffer.from(rest) : Buffer.concat([partial, rest]);
      return input.length;
    }
    this.partial = null;
    if (crlf < 0 || have > cap) {
      // Too long: decided without materialising the line.
      return this.fail(ErrorCode.HEADER_LINE_TOO_LONG, lineStart, input, pos, false, sink);
    }
    const line = partial === null ? input.subarray(pos, crlf) : Buffer.concat([partial, input.subarray(pos, crlf)]);
    return this.line(line, lineStart, input, pos, false, sink) ?? crlf + 2;
  }

  /**
   * Processes a complete head line (CRLF excluded). Returns undefined to go on
   * after the line's CRLF, or the input position to resume at after an error.
   * `pos`/`crSplit` say where the line's own octets begin in `input`, so that
   * a skip after a header error can search from there.
   */
  private line(line: Buffer, lineStart: number, input: Buffer, pos: number, crSplit: boolean,
    sink: FramingSink): number | undefined {
    const lineEnd = lineStart + line.length + 2;
    const text = line.toString('latin1');
    if (this.state === State.START_LINE) {
      const capped = this.caps(line, lineStart, input, pos, crSplit, sink);
      return capped ?? this.startLine(line, text, lineStart, sink);
    }
    // RFC 4975 §7.1: with no body the end-line follows the last header directly.
    const tid = this.transactionId as string;
    if (text.length === tid.length + 8 && text.startsWith('-------') && text.endsWith(tid, text.length - 1)) {
      const flag = text.charCodeAt(text.length - 1);
      if (flag === 0x24 || flag === 0x2b || flag === 0x23) {
        if (this.emitHead(false, sink) === false) {
          this.pendingEnd = flag;
          this.paused = true;
        } else if (sink.onEnd(flag) === false) {
          this.paused = true;
        }
        this.endChunk();
        return undefined;
      }
    }
    if (text.length === 0) {
      // The blank line: the body follows (RFC 4975 §7.1).
      this.state = State.BODY;
      this.bodyStart = lineEnd;
      if (this.emitHead(true, sink) === false) this.paused = true;
      return undefined;
    }
    const capped = this.caps(line, lineStart, input, pos, crSplit, sink);
    if (capped !== undefined) return capped;
    if (this.names.length >= this.limits.maxHeaders) {
      return this.fail(ErrorCode.TOO_MANY_HEADERS, lineStart, input, pos, crSplit, sink);
    }
    if (CONTROL.test(text)) return this.fail(ErrorCode.LINE_ENDING, lineStart, input, pos, crSplit, sink);
    const name = HEADER_NAME.exec(text);
    if (name === null) return this.fail(ErrorCode.HEADER_LINE, lineStart, input, pos, crSplit, sink);
    const colon = name[0].length - 1;
    const id = headerIdOf(text.slice(0, colon));
    const value = trimValue(decode(line.subarray(colon + 1), text.slice(colon + 1)));
    if (id === HeaderId.BYTE_RANGE && !isByteRangeValue(value)) {
      return this.fail(ErrorCode.BYTE_RANGE, lineStart, input, pos, crSplit, sink);
    }
    if (id === HeaderId.STATUS && !isStatusValue(value)) {
      return this.fail(ErrorCode.STATUS_HEADER, lineStart, input, pos, crSplit, sink);
    }
    this.names.push(text.slice(0, colon));
    this.values.push(value);
    this.ids.push(id);
    return undefined;
  }

  /** The line and head caps for a start line or header line; undefined when within them. */
  private caps(line: Buffer, lineStart: number, input: Buffer, pos: number, crSplit: boolean,
    sink: FramingSink): number | undefined {
    if (line.length > this.limits.maxLineLength) {
      return this.fail(ErrorCode.HEADER_LINE_TOO_LONG, lineStart, input, pos, crSplit, sink);
    }
    if (lineStart + line.length + 2 - this.headStart > this.limits.maxHeadLength) {
      return this.fail(ErrorCode.HEAD_TOO_LARGE, lineStart, input, pos, crSplit, sink);
    }
    return undefined;
  }

  /** RFC 4975 §9 req-start / resp-start. Every failure here is fatal. */
  private startLine(line: Buffer, text: string, lineStart: number, sink: FramingSink): number | undefined {
    const fatal = (code: number): number => {
      this.state = State.DEAD;
      sink.onError({ code, statusCode: 0, fatal: true, offset: lineStart, transactionId: this.transactionId });
      return 0;
    };
    if (CONTROL.test(text)) return fatal(ErrorCode.LINE_ENDING);
    const sp = text.indexOf(' ', 5);
    if (!text.startsWith('MSRP ') || sp < 0) return fatal(ErrorCode.START_LINE);
    const tid = text.slice(5, sp);
    if (!IDENT.test(tid)) return fatal(ErrorCode.TRANSACTION_ID);
    this.transactionId = tid;
    const rest = text.slice(sp + 1);
    const c = rest.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) {
      // resp-start: 3DIGIT [SP comment]; codes are 100..999 (RFC 4975 §10 classes)
      if (!/^[1-9]\d\d(?: |$)/.test(rest)) return fatal(ErrorCode.STATUS_CODE);
      this.code = Number(rest.slice(0, 3));
      this.comment = rest.length > 3 ? decode(line.subarray(sp + 5), rest.slice(4)) : null;
    } else {
      if (!/^[A-Z]+$/.test(rest)) return fatal(ErrorCode.METHOD);
      this.method = rest;
    }
    this.needle = Buffer.from(`\r\n-------${tid}`, 'latin1');
    this.state = State.HEADERS;
    return undefined;
  }

  private emitHead(hasBody: boolean, sink: FramingSink): boolean | void {
    const head: RawHead = {
      transactionId: this.transactionId as string, method: this.method, code: this.code,
      comment: this.comment, names: this.names, values: this.values, ids: this.ids, hasBody,
      offset: this.headStart,
    };
    return sink.onHead(head);
  }

  private endChunk(): void {
    this.clearChunk();
    this.state = State.START_LINE;
  }

  /**
   * Reports an error found in a head line. Before the transaction id is known
   * framing is lost; after it, the chunk is skipped up to its end-line, which is
   * searched from the line's first octet in `input` (a line holds no CRLF, so
   * only its own terminator can begin the needle; when that CR came in the
   * previous feed it is held over).
   */
  private fail(code: number, offset: number, input: Buffer, pos: number, crSplit: boolean,
    sink: FramingSink): number {
    const tid = this.transactionId;
    if (this.state === State.START_LINE || tid === null) {
      this.state = State.DEAD;
      sink.onError({ code, statusCode: 0, fatal: true, offset, transactionId: tid });
      return input.length;
    }
    // State first, so that a sink that throws leaves the engine consistent.
    this.state = State.BODY;
    this.discard = true;
    this.held = crSplit ? Buffer.from('\r', 'latin1') : null;
    sink.onError({ code, statusCode: this.method === null ? 0 : 400, fatal: false, offset, transactionId: tid });
    return pos;
  }

  /**
   * 1 when a whole end-line (needle, flag, CRLF) starts at `at`, 0 when it
   * certainly does not, -1 when `buf` ends before that is decided.
   */
  private endLineAt(buf: Buffer, at: number): number {
    const needle = this.needle;
    const n = needle.length;
    for (let k = 0; k < n + 3; k++) {
      if (at + k >= buf.length) return -1;
      const b = buf[at + k];
      const ok = k < n ? b === needle[k] : k === n ? b === 0x24 || b === 0x2b || b === 0x23 : b === (k === n + 1 ? CR : LF);
      if (!ok) return 0;
    }
    return 1;
  }

  /** Scans body octets for the end-line; returns the next input position. */
  private scanBody(input: Buffer, pos: number, sink: FramingSink): number {
    const n = this.needle.length;
    if (this.held !== null) {
      // Decide the held tail with the octets that just arrived (bounded look-ahead).
      const held = this.held;
      const look = Buffer.concat([held, input.subarray(pos, pos + n + 2)]);
      for (let m = 0; m < held.length; m++) {
        const r = this.endLineAt(look, m);
        if (r === 0) continue;
        this.held = null;
        if (r === 1) {
          if (!this.emitBody(held.subarray(0, m), sink)) {
            this.held = held.subarray(m);
            return pos;
          }
          this.end(look[m + n], sink);
          return pos + m + n + 3 - held.length;
        }
        if (!this.emitBody(held.subarray(0, m), sink)) {
          this.held = held.subarray(m);
          return pos;
        }
        this.held = look.subarray(m);
        return input.length;
      }
      this.held = null;
      if (!this.emitBody(held, sink)) return pos;
    }
    let search = pos;
    for (;;) {
      const i = input.indexOf(this.needle, search);
      if (i < 0) break;
      const r = this.endLineAt(input, i);
      if (r === 1) {
        if (!this.emitBody(input.subarray(pos, i), sink)) return i;
        this.end(input[i + n], sink);
        return i + n + 3;
      }
      if (r === -1) return this.hold(input, pos, i, sink);
      search = i + 1;
    }
    // No whole needle: a prefix of one may sit at the very end.
    for (let p = Math.max(pos, input.length - n + 1); p < input.length; p++) {
      if (input[p] === CR && this.endLineAt(input, p) === -1) return this.hold(input, pos, p, sink);
    }
    this.emitBody(input.subarray(pos), sink);
    return input.length;
  }

  /** Emits input[pos, at) as body and keeps input[at, end) back, undecided. */
  private hold(input: Buffer, pos: number, at: number, sink: FramingSink): number {
    if (!this.emitBody(input.subarray(pos, at), sink)) return at;
    this.held = Buffer.from(input.subarray(at));
    return input.length;
  }

  /** Hands on a body segment; false when the sink paused. Enforces maxBodyLength. */
  private emitBody(segment: Buffer, sink: FramingSink): boolean {
    if (this.discard || segment.length === 0) return true;
    const room = this.limits.maxBodyLength - this.bodyLength;
    if (segment.length > room) {
      // The segment up to the cap goes out (its pause request is moot: the chunk is skipped now).
      if (room > 0) sink.onBody(segment.subarray(0, room));
      this.discard = true;
      sink.onError({ code: ErrorCode.BODY_TOO_LARGE, statusCode: this.method === null ? 0 : 413, fatal: false,
        offset: this.bodyStart + this.limits.maxBodyLength, transactionId: this.transactionId });
      return true;
    }
    this.bodyLength += segment.length;
    if (sink.onBody(segment) === false) {
      this.paused = true;
      return false;
    }
    return true;
  }

  private end(flag: number, sink: FramingSink): void {
    const report = !this.discard;
    this.endChunk();
    if (report && sink.onEnd(flag) === false) this.paused = true;
  }
}
