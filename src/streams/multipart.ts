/**
 * multipart/mixed and multipart/alternative bodies (RFC 2046 §5.1), which
 * every MSRP endpoint must receive (RFC 4975 §7.3): splitting a received body
 * into its parts by the boundary in its Content-Type, and building one.
 * Binary-safe: part bodies are views into the received Buffer.
 */
import { randomBytes } from 'node:crypto';
import { createParseError, type MsrpParseError } from '../errors.ts';
import { type ContentType, parseContentType } from '../protocol/headers.ts';
import { formatMimeHeaders, lineAt, type MimeHeader, mimeHeader, readMimeHeaders } from './mime.ts';

/** One body part. */
export interface MimePart {
  /** the part's MIME headers, in order */
  headers: MimeHeader[];
  /** its Content-Type, or the RFC 2046 §5.1 default (`text/plain;charset=us-ascii`, `message/rfc822` in a digest) */
  contentType: string;
  /** its body: a view into the multipart body */
  body: Buffer;
}

/** Options for `splitMultipart`. */
export interface MultipartOptions {
  /** most parts accepted (default 1000), so a hostile body cannot make the part list unbounded */
  maxParts?: number;
}

function multipartError(message: string): MsrpParseError {
  return createParseError('MSRP_ERR_MULTIPART', message, 400);
}

function toContentType(contentType: string | ContentType): ContentType {
  if (typeof contentType !== 'string') return contentType;
  try {
    return parseContentType(contentType);
  } catch (err) {
    throw multipartError(`Content-Type: ${(err as Error).message}`);
  }
}

/** True for a `multipart/*` content type. */
export function isMultipart(contentType: string | ContentType): boolean {
  try {
    return toContentType(contentType).type === 'multipart';
  } catch {
    return false;
  }
}

/**
 * The boundary delimiter starting at `at` (where its `--` is), if it is one:
 * followed by `--` (the close delimiter) or by optional transport padding and
 * a line end (RFC 2046 §5.1.1). Returns [is close, offset of the next line]
 * or null when the text only starts like a delimiter.
 */
function delimiterEnd(buf: Buffer, at: number, dash: Buffer): [boolean, number] | null {
  let i = at + dash.length;
  if (buf[i] === 0x2d && buf[i + 1] === 0x2d) return [true, i + 2];
  while (buf[i] === 0x20 || buf[i] === 0x09) i++;
  if (i >= buf.length) return null;
  const [s, e, next] = lineAt(buf, i);
  return s === e ? [false, next] : null;
}

/** The next delimiter line at or after `from`: [start of its line ending (CRLF or LF), `--` offset], or null. */
function nextDelimiter(buf: Buffer, from: number, dash: Buffer): [number, number] | null {
  const needle = Buffer.concat([Buffer.from('\n'), dash]);
  for (let i = buf.indexOf(needle, from); i >= 0; i = buf.indexOf(needle, i + 1)) {
    if (delimiterEnd(buf, i + 1, dash) !== null) return [i > 0 && buf[i - 1] === 0x0d ? i - 1 : i, i + 1];
  }
  return null;
}

/**
 * Splits a multipart body into its parts (RFC 2046 §5.1.1): the preamble
 * before the first boundary and the epilogue after the last are dropped.
 * Lines may end in CRLF or, tolerated, LF. Throws MsrpParseError (code
 * MSRP_ERR_MULTIPART, statusCode 400) when the type has no usable boundary,
 * the boundary never occurs, or the close delimiter is missing.
 */
export function splitMultipart(body: Buffer, contentType: string | ContentType, options: MultipartOptions = {}): MimePart[] {
  const ct = toContentType(contentType);
  if (ct.type !== 'multipart') throw multipartError(`${ct.type}/${ct.subtype} is not a multipart type`);
  const boundary = ct.params.find(([n]) => n === 'boundary')?.[1];
  if (boundary === undefined || boundary.length === 0 || boundary.length > 70) {
    throw multipartError('Content-Type has no boundary parameter of 1 to 70 characters (RFC 2046 §5.1.1)');
  }
  const defaultType = ct.subtype === 'digest' ? 'message/rfc822' : 'text/plain;charset=us-ascii';
  const maxParts = options.maxParts ?? 1000;
  const dash = Buffer.from(`--${boundary}`, 'utf8');
  // the first dash-boundary may open the body, or follow the preamble on a line of its own
  let at: number;
  if (body.subarray(0, dash.length).equals(dash) && delimiterEnd(body, 0, dash) !== null) at = 0;
  else {
    const d = nextDelimiter(body, 0, dash);
    if (d === null) throw multipartError(`boundary ${JSON.stringify(boundary)} does not occur in the body`);
    at = d[1];
  }
  const parts: MimePart[] = [];
  for (;;) {
    const [close, partStart] = delimiterEnd(body, at, dash) as [boolean, number];
    if (close) return parts;
    const next = nextDelimiter(body, partStart, dash);
    if (next === null) throw multipartError(`no close delimiter "--${boundary}--" (the body is truncated)`);
    if (parts.length === maxParts) throw multipartError(`more than ${maxParts} parts`);
    const part = body.subarray(partStart, next[0]);
    const block = readMimeHeaders(part, 0, 'MSRP_ERR_MULTIPART', `part ${parts.length + 1}`);
    parts.push({
      headers: block.headers,
      contentType: mimeHeader(block.headers, 'Content-Type') ?? defaultType,
      // a part without the blank line after its headers has an empty body
      body: block.terminated ? part.subarray(block.end) : part.subarray(part.length),
    });
    at = next[1];
  }
}

/** A part to build: its Content-Type, further headers and body (a string is UTF-8 encoded). */
export interface MimePartInit {
  contentType: string;
  headers?: MimeHeader[];
  body: Buffer | string;
}

/**
 * Builds a `multipart/<subtype>` body with a fresh random boundary that occurs
 * in no part. Returns the Content-Type (with the boundary) and the body.
 */
export function buildMultipart(parts: readonly MimePartInit[], subtype = 'mixed'): { contentType: string; body: Buffer } {
  if (parts.length === 0) throw new RangeError('a multipart body needs at least one part (RFC 2046 §5.1.1)');
  const bodies = parts.map((p) => (typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body));
  let boundary: string;
  do boundary = `msrp-${randomBytes(12).toString('hex')}`;
  while (bodies.some((b) => b.includes(boundary)));
  const pieces: Buffer[] = [];
  parts.forEach((p, i) => {
    const head = formatMimeHeaders([{ name: 'Content-Type', value: p.contentType }, ...(p.headers ?? [])]);
    pieces.push(Buffer.from(`${i === 0 ? '' : '\r\n'}--${boundary}\r\n${head}\r\n`, 'utf8'), bodies[i]);
  });
  pieces.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'));
  return { contentType: `multipart/${subtype};boundary=${boundary}`, body: Buffer.concat(pieces) };
}
