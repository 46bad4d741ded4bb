/**
 * The checks a receiver applies to a parsed chunk before acting on it
 * (RFC 4975 §7.1, §7.3, §10). Each function returns null when the chunk is
 * acceptable, or the status code to answer with and why. Framing errors are
 * the ChunkParser's business; these are about what a well-framed chunk says.
 *
 * `validateHead` needs only the head (a ChunkParser 'head' event, whose body
 * is an empty Buffer when a body follows), so a relay or a file transfer can
 * refuse a chunk before its body streams in; `validateChunk` adds the checks
 * that need the end-line flag and the body.
 */
import { HeaderId } from '../core/constants.ts';
import { MsrpParseError } from '../errors.ts';
import type { Chunk } from './chunk.ts';
import {
  mediaTypeMatches, parseByteRange, parseContentType, parseFailureReport, parseMessageId, parsePath, parseStatus,
  parseSuccessReport, type ContentType,
} from './headers.ts';
import type { MsrpUri } from './uri.ts';
import { StatusCode } from './status.ts';

/** Why a chunk is refused: the status to answer (RFC 4975 §10) and a reason for logs and the comment. */
export interface ValidationFailure {
  statusCode: number;
  reason: string;
}

/** The last value of one header a connection parsed, and what it parsed to. */
class LastParsed<T> {
  #value: string | null = null;
  #parsed: T | undefined;

  /** `parse(value)`, or the earlier result when `value` is the one parsed last (a throw keeps the earlier one). */
  get(value: string, parse: (v: string) => T): T {
    if (value !== this.#value) {
      this.#parsed = parse(value);
      this.#value = value;
    }
    return this.#parsed as T;
  }
}

/**
 * What validateHead parsed before on one connection. The requests of a
 * session repeat their To-Path, From-Path and Content-Type values (one
 * session per connection is the common case, RFC 4975 §5.4), so each value
 * is parsed once while it stays the same. The URI arrays handed to `session`
 * are then shared between requests: read them, never change them.
 */
export class HeadMemo {
  readonly toPath = new LastParsed<MsrpUri[]>();
  readonly fromPath = new LastParsed<MsrpUri[]>();
  readonly contentType = new LastParsed<ContentType>();
}

/** What the receiver knows: its methods, its sessions, the media types it takes. */
export interface ValidateOptions {
  /** request methods this element implements; others are answered 501 (default SEND and REPORT) */
  methods?: readonly string[];
  /**
   * Whether the To-Path names a session of this connection (RFC 4975 §7.3):
   * 'ok', 'unknown' (481) or 'elsewhere', bound to another connection (506).
   * Without it, sessions are not checked.
   */
  session?: (toPath: MsrpUri[], fromPath: MsrpUri[]) => 'ok' | 'unknown' | 'elsewhere';
  /** RFC 4975 §8.6 accept-types for SEND bodies (`*`, `type/*` allowed); others get 415 */
  acceptTypes?: readonly string[];
  /** values parsed before on the same connection (see HeadMemo), to skip parsing them again */
  memo?: HeadMemo;
}

/** RFC 4975 §7.1: non-SEND request bodies are at most 10240 octets. */
export const MAX_NON_SEND_BODY = 10240;

const DEFAULT_METHODS = ['SEND', 'REPORT'];

function fail(statusCode: number, reason: string): ValidationFailure {
  return { statusCode, reason };
}

/** A codec's MsrpParseError as a failure (400, or the status the codec names); anything else is rethrown. */
function failure(err: unknown): ValidationFailure {
  if (err instanceof MsrpParseError) return fail(err.statusCode || StatusCode.BAD_REQUEST, err.message);
  throw err;
}

/** `value` parsed, through `last` when the connection keeps one; undefined for an absent header. */
function parsed<T>(value: string | undefined, parse: (v: string) => T, last: LastParsed<T> | undefined): T | undefined {
  if (value === undefined) return undefined;
  return last === undefined ? parse(value) : last.get(value, parse);
}

/** Checks of a request's head; responses get only the path checks. */
export function validateHead(chunk: Chunk, options: ValidateOptions = {}): ValidationFailure | null {
  // One pass over the headers for the first value of each header checked here (a lookup per
  // header scanned them all again, nine times a chunk: the largest cost of accepting a chat message)
  let toValue: string | undefined;
  let fromValue: string | undefined;
  let messageId: string | undefined;
  let byteRange: string | undefined;
  let successReport: string | undefined;
  let failureReport: string | undefined;
  let status: string | undefined;
  let contentTypeValue: string | undefined;
  const headers = chunk.headers;
  for (let i = 0; i < headers.length; i++) {
    switch (chunk.headerIdAt(i)) {
      case HeaderId.TO_PATH: toValue ??= headers[i][1]; break;
      case HeaderId.FROM_PATH: fromValue ??= headers[i][1]; break;
      case HeaderId.MESSAGE_ID: messageId ??= headers[i][1]; break;
      case HeaderId.BYTE_RANGE: byteRange ??= headers[i][1]; break;
      case HeaderId.SUCCESS_REPORT: successReport ??= headers[i][1]; break;
      case HeaderId.FAILURE_REPORT: failureReport ??= headers[i][1]; break;
      case HeaderId.STATUS: status ??= headers[i][1]; break;
      case HeaderId.CONTENT_TYPE: contentTypeValue ??= headers[i][1]; break;
      default:
    }
  }
  const memo = options.memo;
  let toPath: MsrpUri[] | undefined;
  let fromPath: MsrpUri[] | undefined;
  try {
    // RFC 4975 §9 `headers = To-Path CRLF From-Path CRLF ...`
    toPath = parsed(toValue, parsePath, memo?.toPath);
    fromPath = parsed(fromValue, parsePath, memo?.fromPath);
  } catch (err) {
    return failure(err);
  }
  if (toPath === undefined) return fail(StatusCode.BAD_REQUEST, 'To-Path is missing');
  if (fromPath === undefined) return fail(StatusCode.BAD_REQUEST, 'From-Path is missing');
  if (chunk.method === null) return null;

  // RFC 4975 §7.3: the session comes first; 481 also covers a wrong To-Path.
  const session = options.session?.(toPath, fromPath) ?? 'ok';
  if (session === 'unknown') return fail(StatusCode.NO_SUCH_SESSION, 'the To-Path names no session of this connection');
  if (session === 'elsewhere') return fail(StatusCode.WRONG_CONNECTION, 'the session is bound to another connection');

  if (!(options.methods ?? DEFAULT_METHODS).includes(chunk.method)) {
    return fail(StatusCode.NOT_IMPLEMENTED, `method ${chunk.method} is not implemented`);
  }
  try {
    // each present one is checked by parsing it (the first of each, as the typed accessors read them)
    if (messageId !== undefined) parseMessageId(messageId);
    if (byteRange !== undefined) parseByteRange(byteRange);
    if (successReport !== undefined) parseSuccessReport(successReport);
    if (failureReport !== undefined) parseFailureReport(failureReport);
    if (status !== undefined) parseStatus(status);
  } catch (err) {
    return failure(err);
  }
  if ((chunk.method === 'SEND' || chunk.method === 'REPORT') && messageId === undefined) {
    return fail(StatusCode.BAD_REQUEST, `a ${chunk.method} needs a Message-ID (RFC 4975 §7.1.1, §7.1.2)`);
  }
  if (chunk.method === 'REPORT' && status === undefined) {
    return fail(StatusCode.BAD_REQUEST, 'a REPORT needs a Status (RFC 4975 §7.1.2)');
  }

  let contentType: ContentType | undefined;
  try {
    contentType = parsed(contentTypeValue, parseContentType, memo?.contentType);
  } catch (err) {
    return failure(err);
  }
  if (chunk.body !== undefined && contentType === undefined) {
    return fail(StatusCode.BAD_REQUEST, 'a body needs a Content-Type (RFC 4975 §7.1)');
  }
  const accept = options.acceptTypes;
  if (chunk.method === 'SEND' && accept !== undefined && contentType !== undefined) {
    const type = contentType;
    if (!accept.some((pattern) => mediaTypeMatches(pattern, type))) {
      return fail(StatusCode.UNSUPPORTED_MEDIA_TYPE, `media type ${type.type}/${type.subtype} is not accepted`);
    }
  }
  return null;
}

/** validateHead plus the checks that need the whole chunk: its end-line flag and its body. */
export function validateChunk(chunk: Chunk, options: ValidateOptions = {}): ValidationFailure | null {
  const head = validateHead(chunk, options);
  if (head !== null || chunk.method === null) return head;
  // RFC 4975 §7.1.1: only a message sent whole, in one chunk, may go without Byte-Range.
  if (chunk.method === 'SEND' && chunk.getHeaderById(HeaderId.BYTE_RANGE) === undefined && chunk.continuationFlag !== '$') {
    return fail(StatusCode.BAD_REQUEST, 'a SEND that is not a whole message in one chunk needs a Byte-Range (RFC 4975 §7.1.1)');
  }
  if (chunk.method !== 'SEND' && chunk.body !== undefined && chunk.body.length > MAX_NON_SEND_BODY) {
    return fail(StatusCode.TOO_LARGE, `a ${chunk.method} body of ${chunk.body.length} octets is over ${MAX_NON_SEND_BODY} (RFC 4975 §7.1)`);
  }
  return null;
}
