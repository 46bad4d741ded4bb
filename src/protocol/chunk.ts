/**
 * Chunk: one MSRP request or response (RFC 4975 §7, §9), the counterpart of
 * msrplib's MSRPData. Headers are kept in order as written; typed accessors
 * go through the codecs of headers.ts. `Chunk.frame` and `encode` write the
 * exact wire bytes.
 */
import { randomFillSync } from 'node:crypto';
import { HeaderId } from '../core/constants.ts';
import type { RawHead } from '../core/types.ts';
import type { MsrpUri } from './uri.ts';
import {
  canonicalHeaderName, HEADER_NAMES, formatByteRange, formatContentDisposition, formatContentId, formatContentType, formatDigest,
  formatExpires, formatPath, formatStatus, formatUseNickname, headerId, isIdent, parseByteRange,
  parseContentDescription, parseContentDisposition, parseContentId, parseContentType, parseDigest, parseExpires,
  parseFailureReport, parseMessageId, parsePath, parseStatus, parseSuccessReport, parseUseNickname,
} from './headers.ts';
import type { ByteRange, ContentDisposition, ContentType, DigestValue, MsrpStatus, ReportValue } from './headers.ts';

/** RFC 4975 §9 `continuation-flag`: `$` last chunk, `+` more follow, `#` aborted. */
export type ContinuationFlag = '$' | '+' | '#';

/** What a Chunk is made from; everything but the transaction id is optional. */
export interface ChunkInit {
  transactionId: string;
  /** request method (any `1*UPALPHA`), or null/absent for a response */
  method?: string | null;
  /** response status code (100..999), 0 for a request */
  code?: number;
  /** response comment, null for none */
  comment?: string | null;
  /** headers in order, names as they are to be written (canonicalised for known headers on encode) */
  headers?: Array<[name: string, value: string]>;
  /** undefined for a bodiless chunk; an empty Buffer is an empty body (RFC 4975 §7.1) */
  body?: Buffer;
  continuationFlag?: ContinuationFlag;
}

/**
 * The body of every parsed head that a body follows: its octets come as
 * 'body' events, so the head's Buffer stays empty, and one frozen empty
 * Buffer serves them all (a Buffer.alloc(0) per chunk was a fifth of the
 * small-chunk parse path).
 */
const EMPTY_BODY: Buffer = Object.freeze(Buffer.alloc(0)) as Buffer;

const METHOD = /^[A-Z]+$/;
const HEADER_NAME = /^[A-Za-z][!#-'*+\-.0-9A-Z^-~]*$/;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * A fresh transaction id or Message-ID: 20 hex digits, 80 random bits
 * (RFC 4975 §7.1 asks for at least 64), always an RFC 4975 §9 `ident`.
 * `octets` random octets give twice as many digits (at most 16: an ident
 * has at most 32 characters).
 */
export function randomIdent(octets = 10): string {
  // one call into the CSPRNG per 409 ids: a call per id cost more than the rest of a chat message's path
  if (identAt + octets > IDENT_POOL.length) {
    randomFillSync(IDENT_POOL);
    identAt = 0;
  }
  // Buffer's native hexSlice, without toString's encoding lookup and argument checks (half the cost of an id)
  const id = (IDENT_POOL as unknown as HexSlicer).hexSlice(identAt, identAt + octets);
  identAt += octets;
  return id;
}

/** Buffer's native hex slicer (not in @types/node, present since Node 0.x). */
interface HexSlicer {
  hexSlice(start: number, end: number): string;
}

const IDENT_POOL = Buffer.allocUnsafe(4096);
let identAt = IDENT_POOL.length;

/** An MSRP request or response. */
export class Chunk {
  /** RFC 4975 §9 `transact-id`; replaced by encode/frame when the body holds the end-line */
  transactionId: string;
  /** the request method, null for a response */
  method: string | null;
  /** the response status code, 0 for a request */
  code: number;
  /** the response comment, null for none */
  comment: string | null;
  /** headers in wire order: [name, value] */
  headers: Array<[name: string, value: string]>;
  /**
   * The body: undefined for a bodiless chunk, an empty Buffer for an empty
   * body (they differ on the wire, RFC 4975 §7.1). For a chunk handed out by a
   * ChunkParser 'head' event it is an empty Buffer whenever a body follows
   * (its octets come as 'body' events).
   */
  body: Buffer | undefined;
  /** the end-line's flag */
  continuationFlag: ContinuationFlag;
  /**
   * The header names a framing engine read and their HeaderIds (RawHead.names
   * and ids), so a lookup needs no name matching. A header's id holds while
   * its name is still the very string read (`headers` is public and may be
   * changed): any other name is matched by headerId() as before.
   */
  #readNames: readonly string[] | null = null;
  #readIds: readonly number[] | null = null;

  constructor(init: ChunkInit) {
    this.transactionId = init.transactionId;
    this.method = init.method ?? null;
    this.code = init.code ?? 0;
    this.comment = init.comment ?? null;
    this.headers = init.headers ?? [];
    this.body = init.body;
    this.continuationFlag = init.continuationFlag ?? '$';
  }

  /** A Chunk from a framing engine's head record; `body` is an empty Buffer when one follows. */
  static fromHead(head: RawHead): Chunk {
    const names = head.names;
    const values = head.values;
    const headers = new Array<[string, string]>(names.length);
    for (let i = 0; i < names.length; i++) headers[i] = [names[i], values[i]];
    const chunk = new Chunk({
      transactionId: head.transactionId, method: head.method, code: head.code, comment: head.comment, headers,
      body: head.hasBody ? EMPTY_BODY : undefined,
    });
    chunk.#readNames = names;
    chunk.#readIds = head.ids;
    return chunk;
  }

  /** True for a request (it has a method). */
  get isRequest(): boolean {
    return this.method !== null;
  }

  /** True for a response (it has a status code). */
  get isResponse(): boolean {
    return this.method === null;
  }

  /** The first value of header `name` (any case), or undefined. */
  getHeader(name: string): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.headers[i][1];
  }

  /** The first value of the known header `id` (HeaderId), or undefined: getHeader without a name to match. */
  getHeaderById(id: HeaderId): string | undefined {
    const i = this.#indexOfId(id);
    return i < 0 ? undefined : this.headers[i][1];
  }

  /**
   * The HeaderId of the header at index `i` of `headers` (UNKNOWN for others):
   * for one pass over the headers that switches on known ones.
   */
  headerIdAt(i: number): HeaderId {
    return this.#idAt(i, this.headers[i][0]) as HeaderId;
  }

  /** Every value of header `name` (any case), in order. */
  getHeaders(name: string): string[] {
    const id = headerId(name);
    const lower = name.toLowerCase();
    return this.headers.filter(([n], i) => this.#matches(i, n, id, lower)).map(([, v]) => v);
  }

  /** Sets header `name`: replaces its first occurrence (dropping later ones) or appends it. */
  setHeader(name: string, value: string): this {
    const i = this.indexOf(name);
    if (i < 0) {
      this.headers.push([name, value]);
      return this;
    }
    this.headers[i] = [this.headers[i][0], value];
    this.removeHeader(name, i + 1);
    return this;
  }

  /** Appends a header, even when one of that name exists. */
  addHeader(name: string, value: string): this {
    this.headers.push([name, value]);
    return this;
  }

  /** Removes every occurrence of header `name` (from index `from` on). */
  removeHeader(name: string, from = 0): this {
    const id = headerId(name);
    const lower = name.toLowerCase();
    this.headers = this.headers.filter(([n], i) => i < from || !this.#matches(i, n, id, lower));
    return this;
  }

  private indexOf(name: string): number {
    const id = headerId(name);
    return id !== HeaderId.UNKNOWN ? this.#indexOfId(id) : this.#indexOfUnknown(name.toLowerCase());
  }

  /** Index of the first header whose HeaderId is `id`, or -1 (always -1 for UNKNOWN, which names no header). */
  #indexOfId(id: HeaderId): number {
    if (id === HeaderId.UNKNOWN) return -1;
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) if (this.#idAt(i, headers[i][0]) === id) return i;
    return -1;
  }

  /** The HeaderId of header `n` at index `i`: the engine's when `n` is the name it read there. */
  #idAt(i: number, n: string): number {
    const names = this.#readNames;
    return names !== null && i < names.length && names[i] === n ? (this.#readIds as readonly number[])[i] : headerId(n);
  }

  /** Index of the first header named `lower` in any case, or -1. */
  #indexOfUnknown(lower: string): number {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) if (headers[i][0].toLowerCase() === lower) return i;
    return -1;
  }

  /** Whether header `n`, at index `i`, is the header asked for by (`id`, `lower`). */
  #matches(i: number, n: string, id: HeaderId, lower: string): boolean {
    return id === HeaderId.UNKNOWN ? n.toLowerCase() === lower : this.#idAt(i, n) === id;
  }

  /** Parses a known header with `parse`: undefined when absent, MsrpParseError (400) when malformed. */
  private typed<T>(id: HeaderId, parse: (v: string) => T): T | undefined {
    const i = this.#indexOfId(id);
    return i < 0 ? undefined : parse(this.headers[i][1]);
  }

  /** Writes a known header with `format`, or removes it for undefined. */
  private setTyped<T>(id: HeaderId, value: T | undefined, format: (v: T) => string): void {
    if (value === undefined) this.removeHeader(canonicalName(id));
    else this.setHeader(canonicalName(id), format(value));
  }

  /** To-Path (RFC 4975 §9): leftmost URI first. */
  get toPath(): MsrpUri[] | undefined { return this.typed(HeaderId.TO_PATH, parsePath); }
  set toPath(v: readonly MsrpUri[] | undefined) { this.setTyped(HeaderId.TO_PATH, v, formatPath); }

  /** From-Path (RFC 4975 §9). */
  get fromPath(): MsrpUri[] | undefined { return this.typed(HeaderId.FROM_PATH, parsePath); }
  set fromPath(v: readonly MsrpUri[] | undefined) { this.setTyped(HeaderId.FROM_PATH, v, formatPath); }

  /** Use-Path (RFC 4976 §7), in a relay's AUTH response. */
  get usePath(): MsrpUri[] | undefined { return this.typed(HeaderId.USE_PATH, parsePath); }
  set usePath(v: readonly MsrpUri[] | undefined) { this.setTyped(HeaderId.USE_PATH, v, formatPath); }

  /** Message-ID (RFC 4975 §9 `ident`). */
  get messageId(): string | undefined { return this.typed(HeaderId.MESSAGE_ID, parseMessageId); }
  set messageId(v: string | undefined) { this.setTyped(HeaderId.MESSAGE_ID, v, (id) => parseMessageId(id)); }

  /** Byte-Range (RFC 4975 §7.1.1). Never used to find the end of a body. */
  get byteRange(): ByteRange | undefined { return this.typed(HeaderId.BYTE_RANGE, parseByteRange); }
  set byteRange(v: ByteRange | undefined) { this.setTyped(HeaderId.BYTE_RANGE, v, formatByteRange); }

  /** Success-Report; absent means "no" (RFC 4975 §7.1.1). */
  get successReport(): 'yes' | 'no' | undefined { return this.typed(HeaderId.SUCCESS_REPORT, parseSuccessReport); }
  set successReport(v: 'yes' | 'no' | undefined) { this.setTyped(HeaderId.SUCCESS_REPORT, v, String); }

  /** Failure-Report; absent means "yes" (RFC 4975 §7.1.1). */
  get failureReport(): ReportValue | undefined { return this.typed(HeaderId.FAILURE_REPORT, parseFailureReport); }
  set failureReport(v: ReportValue | undefined) { this.setTyped(HeaderId.FAILURE_REPORT, v, String); }

  /** Status of a REPORT (RFC 4975 §9). */
  get status(): MsrpStatus | undefined { return this.typed(HeaderId.STATUS, parseStatus); }
  set status(v: MsrpStatus | undefined) { this.setTyped(HeaderId.STATUS, v, formatStatus); }

  /** Content-Type (RFC 4975 §9 `media-type`). */
  get contentType(): ContentType | undefined { return this.typed(HeaderId.CONTENT_TYPE, parseContentType); }
  set contentType(v: ContentType | undefined) { this.setTyped(HeaderId.CONTENT_TYPE, v, formatContentType); }

  /** Content-ID without its angle brackets (RFC 2045 §7). */
  get contentId(): string | undefined { return this.typed(HeaderId.CONTENT_ID, parseContentId); }
  set contentId(v: string | undefined) { this.setTyped(HeaderId.CONTENT_ID, v, formatContentId); }

  /** Content-Description (RFC 2045 §8). */
  get contentDescription(): string | undefined { return this.typed(HeaderId.CONTENT_DESCRIPTION, parseContentDescription); }
  set contentDescription(v: string | undefined) { this.setTyped(HeaderId.CONTENT_DESCRIPTION, v, parseContentDescription); }

  /** Content-Disposition (RFC 2183). */
  get contentDisposition(): ContentDisposition | undefined { return this.typed(HeaderId.CONTENT_DISPOSITION, parseContentDisposition); }
  set contentDisposition(v: ContentDisposition | undefined) { this.setTyped(HeaderId.CONTENT_DISPOSITION, v, formatContentDisposition); }

  /** Expires in seconds (RFC 4976 §7). */
  get expires(): number | undefined { return this.typed(HeaderId.EXPIRES, parseExpires); }
  set expires(v: number | undefined) { this.setTyped(HeaderId.EXPIRES, v, formatExpires); }

  /** Min-Expires in seconds (RFC 4976 §7). */
  get minExpires(): number | undefined { return this.typed(HeaderId.MIN_EXPIRES, parseExpires); }
  set minExpires(v: number | undefined) { this.setTyped(HeaderId.MIN_EXPIRES, v, formatExpires); }

  /** Max-Expires in seconds (RFC 4976 §7). */
  get maxExpires(): number | undefined { return this.typed(HeaderId.MAX_EXPIRES, parseExpires); }
  set maxExpires(v: number | undefined) { this.setTyped(HeaderId.MAX_EXPIRES, v, formatExpires); }

  /** WWW-Authenticate digest challenge (RFC 4976 §5.1). */
  get wwwAuthenticate(): DigestValue | undefined { return this.typed(HeaderId.WWW_AUTHENTICATE, parseDigest); }
  set wwwAuthenticate(v: DigestValue | undefined) { this.setTyped(HeaderId.WWW_AUTHENTICATE, v, digest); }

  /** Authorization digest credentials (RFC 4976 §5.1). */
  get authorization(): DigestValue | undefined { return this.typed(HeaderId.AUTHORIZATION, parseDigest); }
  set authorization(v: DigestValue | undefined) { this.setTyped(HeaderId.AUTHORIZATION, v, digest); }

  /** Authentication-Info (RFC 4976 §5.1). */
  get authenticationInfo(): DigestValue | undefined { return this.typed(HeaderId.AUTHENTICATION_INFO, parseDigest); }
  set authenticationInfo(v: DigestValue | undefined) { this.setTyped(HeaderId.AUTHENTICATION_INFO, v, digest); }

  /** Use-Nickname, unquoted (RFC 7701 §7.1); malformed values answer 424. */
  get useNickname(): string | undefined { return this.typed(HeaderId.USE_NICKNAME, parseUseNickname); }
  set useNickname(v: string | undefined) { this.setTyped(HeaderId.USE_NICKNAME, v, formatUseNickname); }

  /** The end-line `-------<tid><flag>` (RFC 4975 §9), without CRLF. */
  get endLine(): string {
    return `-------${this.transactionId}${this.continuationFlag}`;
  }

  /** The whole chunk as wire bytes (see `Chunk.frame`). */
  encode(): Buffer {
    const [head, body, endLine] = Chunk.frame(this);
    return body === undefined ? Buffer.concat([head, endLine]) : Buffer.concat([head, body, endLine]);
  }

  /**
   * The wire bytes in three parts, for writev: the start line and header block
   * (with the blank line when there is a body), the body itself (not copied),
   * and the end-line (with the CRLF that precedes it after a body). Headers go
   * To-Path, From-Path, the rest in order, Content-Type last (RFC 4975 §7.1),
   * with canonical names and one SP after the colon.
   *
   * Writes nothing anywhere; its one effect is RFC 4975 §7.1's rule that the
   * end-line must not occur in the body: when the body holds `-------<tid>`,
   * `chunk.transactionId` is first replaced by a fresh one not in the body.
   * Throws TypeError/RangeError for a chunk that cannot be written.
   */
  static frame(chunk: Chunk): [head: Buffer, body: Buffer | undefined, endLine: Buffer] {
    const body = chunk.body;
    if (body !== undefined) {
      while (body.includes(`-------${chunk.transactionId}`, 0, 'latin1')) chunk.transactionId = randomIdent();
    }
    let head = `MSRP ${chunk.transactionId} ${startLineTail(chunk)}\r\n`;
    for (const [name, value] of orderedHeaders(chunk.headers)) head += `${name}: ${value}\r\n`;
    if (body !== undefined) head += '\r\n';
    const endLine = `${body === undefined ? '' : '\r\n'}${chunk.endLine}\r\n`;
    return [Buffer.from(head, 'utf8'), body, Buffer.from(endLine, 'latin1')];
  }
}

function canonicalName(id: HeaderId): string {
  return HEADER_NAMES[id];
}

function digest(v: DigestValue): string {
  return formatDigest(v.scheme, v.params);
}

/** The start line after `MSRP tid `, checked (RFC 4975 §9). */
function startLineTail(chunk: Chunk): string {
  if (!isIdent(chunk.transactionId)) throw new RangeError(`transaction id ${JSON.stringify(chunk.transactionId)} is not an ident`);
  if (!'$+#'.includes(chunk.continuationFlag) || chunk.continuationFlag.length !== 1) {
    throw new RangeError(`continuation flag ${JSON.stringify(chunk.continuationFlag)} is not $, + or #`);
  }
  if (chunk.method !== null) {
    if (!METHOD.test(chunk.method)) throw new RangeError(`method ${JSON.stringify(chunk.method)} is not 1*UPALPHA`);
    return chunk.method;
  }
  if (!Number.isInteger(chunk.code) || chunk.code < 100 || chunk.code > 999) {
    throw new RangeError(`status code ${chunk.code} is not 100..999`);
  }
  if (chunk.comment === null) return String(chunk.code);
  if (CONTROL.test(chunk.comment)) throw new RangeError('the comment contains a control character');
  return `${chunk.code} ${chunk.comment}`;
}

/** To-Path, From-Path, the others in order, Content-Type last; names canonical, values checked. */
function orderedHeaders(headers: ReadonlyArray<[string, string]>): Array<[string, string]> {
  const rank = (name: string): number => {
    const id = headerId(name);
    return id === HeaderId.TO_PATH ? 0 : id === HeaderId.FROM_PATH ? 1 : id === HeaderId.CONTENT_TYPE ? 3 : 2;
  };
  const out: Array<[string, string]> = [];
  for (const r of [0, 1, 2, 3]) {
    for (const [name, value] of headers) {
      if (rank(name) !== r) continue;
      if (!HEADER_NAME.test(name)) throw new TypeError(`header name ${JSON.stringify(name)} is not ALPHA *token`);
      if (CONTROL.test(value)) throw new TypeError(`header ${name} has a control character (CR, LF, ...) in its value`);
      out.push([canonicalHeaderName(name), value]);
    }
  }
  return out;
}
