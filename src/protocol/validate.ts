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
import { MsrpParseError } from '../errors.ts';
import type { Chunk } from './chunk.ts';
import { mediaTypeMatches } from './headers.ts';
import type { MsrpUri } from './uri.ts';
import { StatusCode } from './status.ts';

/** Why a chunk is refused: the status to answer (RFC 4975 §10) and a reason for logs and the comment. */
export interface ValidationFailure {
  statusCode: number;
  reason: string;
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
}

/** RFC 4975 §7.1: non-SEND request bodies are at most 10240 octets. */
export const MAX_NON_SEND_BODY = 10240;

const DEFAULT_METHODS = ['SEND', 'REPORT'];

function fail(statusCode: number, reason: string): ValidationFailure {
  return { statusCode, reason };
}

/** Runs a typed accessor: its MsrpParseError becomes a failure (400, or the status the codec names). */
function read<T>(get: () => T): { value: T } | ValidationFailure {
  try {
    return { value: get() };
  } catch (err) {
    if (err instanceof MsrpParseError) return fail(err.statusCode || StatusCode.BAD_REQUEST, err.message);
    throw err;
  }
}

/** Checks of a request's head; responses get only the path checks. */
export function validateHead(chunk: Chunk, options: ValidateOptions = {}): ValidationFailure | null {
  // RFC 4975 §9 `headers = To-Path CRLF From-Path CRLF ...`
  const toPath = read(() => chunk.toPath);
  if ('statusCode' in toPath) return toPath;
  const fromPath = read(() => chunk.fromPath);
  if ('statusCode' in fromPath) return fromPath;
  if (toPath.value === undefined) return fail(StatusCode.BAD_REQUEST, 'To-Path is missing');
  if (fromPath.value === undefined) return fail(StatusCode.BAD_REQUEST, 'From-Path is missing');
  if (chunk.method === null) return null;

  // RFC 4975 §7.3: the session comes first; 481 also covers a wrong To-Path.
  const session = options.session?.(toPath.value, fromPath.value) ?? 'ok';
  if (session === 'unknown') return fail(StatusCode.NO_SUCH_SESSION, 'the To-Path names no session of this connection');
  if (session === 'elsewhere') return fail(StatusCode.WRONG_CONNECTION, 'the session is bound to another connection');

  if (!(options.methods ?? DEFAULT_METHODS).includes(chunk.method)) {
    return fail(StatusCode.NOT_IMPLEMENTED, `method ${chunk.method} is not implemented`);
  }
  const typed: Array<() => unknown> = [() => chunk.messageId, () => chunk.byteRange, () => chunk.successReport,
    () => chunk.failureReport, () => chunk.status];
  for (const get of typed) {
    const r = read(get);
    if ('statusCode' in r) return r;
  }
  if ((chunk.method === 'SEND' || chunk.method === 'REPORT') && chunk.getHeader('Message-ID') === undefined) {
    return fail(StatusCode.BAD_REQUEST, `a ${chunk.method} needs a Message-ID (RFC 4975 §7.1.1, §7.1.2)`);
  }
  if (chunk.method === 'REPORT' && chunk.getHeader('Status') === undefined) {
    return fail(StatusCode.BAD_REQUEST, 'a REPORT needs a Status (RFC 4975 §7.1.2)');
  }

  const contentType = read(() => chunk.contentType);
  if ('statusCode' in contentType) return contentType;
  if (chunk.body !== undefined && contentType.value === undefined) {
    return fail(StatusCode.BAD_REQUEST, 'a body needs a Content-Type (RFC 4975 §7.1)');
  }
  const accept = options.acceptTypes;
  if (chunk.method === 'SEND' && accept !== undefined && contentType.value !== undefined) {
    const type = contentType.value;
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
  if (chunk.method === 'SEND' && chunk.getHeader('Byte-Range') === undefined && chunk.continuationFlag !== '$') {
    return fail(StatusCode.BAD_REQUEST, 'a SEND that is not a whole message in one chunk needs a Byte-Range (RFC 4975 §7.1.1)');
  }
  if (chunk.method !== 'SEND' && chunk.body !== undefined && chunk.body.length > MAX_NON_SEND_BODY) {
    return fail(StatusCode.TOO_LARGE, `a ${chunk.method} body of ${chunk.body.length} octets is over ${MAX_NON_SEND_BODY} (RFC 4975 §7.1)`);
  }
  return null;
}
