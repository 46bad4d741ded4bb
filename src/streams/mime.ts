/**
 * MIME header blocks inside message bodies: the content headers of a
 * Message/CPIM object (RFC 3862 §2.4) and the part headers of a multipart body
 * (RFC 2046 §5.1). Bodies are Buffers and stay binary: only the header lines
 * are decoded (as UTF-8), the content after the blank line is never copied.
 */
import { createParseError, type MsrpParseError } from '../errors.ts';

/** One header field: the name as written, the value unfolded and trimmed. */
export interface MimeHeader {
  name: string;
  value: string;
}

/** A header block read from a buffer. */
export interface MimeHeaderBlock {
  headers: MimeHeader[];
  /** offset of the first octet after the blank line (the content), or the buffer length when there is none */
  end: number;
  /** false when the buffer ended before the blank line that closes the block */
  terminated: boolean;
}

/** Default bound on one header block, so a hostile body cannot make header parsing unbounded. */
export const MAX_MIME_HEADER_BYTES = 64 * 1024;

const CR = 0x0d;
const LF = 0x0a;

/**
 * The line starting at `i`: [start, end without CR LF, next line start]. Lines
 * end in CRLF (RFC 3862 §2.2, RFC 2046 §5.1); a bare LF is tolerated on input.
 */
export function lineAt(buf: Buffer, i: number): [number, number, number] {
  const nl = buf.indexOf(LF, i);
  if (nl < 0) return [i, buf.length, buf.length];
  return [i, nl > i && buf[nl - 1] === CR ? nl - 1 : nl, nl + 1];
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** `v` without surrounding SP/HTAB. */
export function trimWs(v: string): string {
  let s = 0;
  let e = v.length;
  while (s < e && isWs(v.charCodeAt(s))) s++;
  while (e > s && isWs(v.charCodeAt(e - 1))) e--;
  return v.slice(s, e);
}

/** True when the header name is an RFC 5322 §3.6.8 `field-name` (printable ASCII but ":"). */
function isFieldName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3a) return false;
  }
  return true;
}

/**
 * Reads `name: value` lines from `start` up to and including the blank line.
 * Folded lines (starting with SP or HTAB) continue the previous field and are
 * joined with one space (RFC 5322 §2.2.3 unfolding; the RFC 5547 examples fold
 * Content-Disposition this way). Throws MsrpParseError with `code` on a line
 * that is not a header field or a block over `maxBytes`.
 */
export function readMimeHeaders(buf: Buffer, start: number, code: string, what: string,
  maxBytes = MAX_MIME_HEADER_BYTES): MimeHeaderBlock {
  const headers: MimeHeader[] = [];
  let i = start;
  while (i < buf.length) {
    const [s, e, next] = lineAt(buf, i);
    if (s === e) return { headers, end: next, terminated: true };
    if (next - start > maxBytes) throw fail(code, `${what}: header block longer than ${maxBytes} octets`);
    const line = buf.toString('utf8', s, e);
    if (isWs(line.charCodeAt(0))) {
      const last = headers[headers.length - 1];
      if (last === undefined) throw fail(code, `${what}: continuation line before any header: ${show(line)}`);
      last.value = trimWs(`${last.value} ${trimWs(line)}`);
    } else {
      const colon = line.indexOf(':');
      const name = colon < 0 ? '' : trimWs(line.slice(0, colon));
      if (!isFieldName(name)) throw fail(code, `${what}: not a header line: ${show(line)}`);
      headers.push({ name, value: trimWs(line.slice(colon + 1)) });
    }
    i = next;
  }
  return { headers, end: buf.length, terminated: false };
}

/** The value of the first header named `name` (compared case-insensitively, as MIME does), or null. */
export function mimeHeader(headers: readonly MimeHeader[], name: string): string | null {
  const want = name.toLowerCase();
  for (const h of headers) if (h.name.toLowerCase() === want) return h.value;
  return null;
}

/**
 * Wire form of header fields, each line ended by CRLF (no closing blank line).
 * Throws RangeError for a name that is not a field-name or a value holding CR or LF.
 */
export function formatMimeHeaders(headers: readonly MimeHeader[]): string {
  let s = '';
  for (const { name, value } of headers) {
    if (!isFieldName(name)) throw new RangeError(`${JSON.stringify(name)} is not a header field name`);
    if (/[\r\n]/.test(value)) throw new RangeError(`header ${name}: value contains CR or LF`);
    s += `${name}: ${value}\r\n`;
  }
  return s;
}

/** Quotes text for an error message, shortened. */
export function show(v: string): string {
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}

function fail(code: string, message: string): MsrpParseError {
  // a malformed body is answered like any bad request (RFC 4975 §7.3 leaves body checks to the application)
  return createParseError(code, message, 400);
}
