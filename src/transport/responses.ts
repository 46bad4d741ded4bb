/**
 * Building responses and deciding whether one may be sent at all
 * (RFC 4975 §7.1.2, §7.1.4, §7.2). The one place these rules live: the
 * connection's own answers (481, 501, 506, 400, 415, 413) and the session's
 * 200s and errors all go through here.
 */
import { Chunk } from '../protocol/chunk.ts';
import { isIdent, parseFailureReport, type ReportValue } from '../protocol/headers.ts';
import { isSuccess, reasonPhrase } from '../protocol/status.ts';
import { MsrpParseError } from '../errors.ts';

/** The headers a response needs from its request, found in one pass (not one header lookup each). */
interface Wanted {
  to: string | undefined;
  from: string | undefined;
  failureReport: string | undefined;
}

function same(name: string, canonical: string): boolean {
  return name === canonical || name.toLowerCase() === canonical.toLowerCase();
}

function wanted(request: Chunk): Wanted {
  const w: Wanted = { to: undefined, from: undefined, failureReport: undefined };
  for (const [name, value] of request.headers) {
    if (name.length === 7) {
      if (w.to === undefined && same(name, 'To-Path')) w.to = value;
    } else if (name.length === 9) {
      if (w.from === undefined && same(name, 'From-Path')) w.from = value;
    } else if (name.length === 14) {
      if (w.failureReport === undefined && same(name, 'Failure-Report')) w.failureReport = value;
    }
  }
  return w;
}

/** A Failure-Report value, `yes` when absent or unreadable (RFC 4975 §7.1.1). */
function reportValue(value: string | undefined): ReportValue {
  if (value === undefined || value === 'yes') return 'yes';
  if (value === 'no' || value === 'partial') return value;
  try {
    return parseFailureReport(value);
  } catch (err) {
    if (err instanceof MsrpParseError) return 'yes';
    throw err;
  }
}

/** The request's Failure-Report, `yes` when absent or unreadable (RFC 4975 §7.1.1). */
export function failureReportOf(request: Chunk): ReportValue {
  return reportValue(request.getHeader('Failure-Report'));
}

function allowed(method: string | null, mode: ReportValue, code: number): boolean {
  if (method === 'REPORT' || method === null) return false;
  if (mode === 'no') return false;
  return !(mode === 'partial' && isSuccess(code));
}

/**
 * Whether `code` may answer `request`: never a REPORT (RFC 4975 §7.1.2:
 * "MSRP nodes MUST NOT send MSRP responses to REPORT requests"), nothing when
 * Failure-Report is `no`, no 2xx when it is `partial` (§7.1.4, §7.2).
 */
export function mayRespond(request: Chunk, code: number): boolean {
  if (request.method === 'REPORT' || request.method === null) return false;
  return allowed(request.method, failureReportOf(request), code);
}

/** The first URI of a path header value as written (URIs are separated by SP, RFC 4975 §9). */
function firstUri(value: string): string {
  const v = value.trim();
  const sp = v.search(/\s/);
  return sp < 0 ? v : v.slice(0, sp);
}

/**
 * A response to `request` (RFC 4975 §7.2): same transaction id; To-Path is
 * the first URI of the request's From-Path for a SEND (responses go to the
 * previous hop only) and the whole From-Path for other methods; From-Path is
 * `fromUri` (this endpoint in the session), by default the first URI of the
 * request's To-Path. Paths are copied as written, not re-parsed. `comment`
 * defaults to the reason phrase; null leaves it out.
 */
export function makeResponse(request: Chunk, code: number, comment?: string | null, fromUri?: string): Chunk {
  const [to, from] = responsePaths(request, fromUri);
  const headers: Array<[string, string]> = [];
  if (to !== undefined) headers.push(['To-Path', to]);
  if (from !== undefined) headers.push(['From-Path', from]);
  return new Chunk({
    transactionId: request.transactionId, code,
    comment: comment === undefined ? reasonPhrase(code) : comment, headers,
  });
}

/** The To-Path and From-Path values of a response to `request` (see makeResponse). */
function responsePaths(request: Chunk, fromUri: string | undefined, w: Wanted = wanted(request)): [to: string | undefined, from: string | undefined] {
  if (request.method === null) throw new TypeError('a response answers a request, not a response');
  const from = w.from;
  const to = w.to;
  return [
    from === undefined ? undefined : request.method === 'SEND' ? firstUri(from) : from.trim(),
    fromUri ?? (to === undefined ? undefined : firstUri(to)),
  ];
}

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * The wire bytes of makeResponse(...) in one Buffer, with the checks
 * Chunk.frame makes, without building a Chunk: a chat session answers every
 * message, so this is on the hot path.
 */
export function encodeResponse(request: Chunk, code: number, comment?: string | null, fromUri?: string): Buffer {
  return Buffer.from(encode(request, code, comment, fromUri, wanted(request)), 'utf8');
}

/**
 * The response as wire text (UTF-8 to write) when RFC 4975 allows one (see
 * mayRespond), else null: one pass over the request's headers for both questions.
 */
export function responseText(request: Chunk, code: number, comment?: string | null, fromUri?: string): string | null {
  if (request.method === 'REPORT' || request.method === null) return null;
  const w = wanted(request);
  return allowed(request.method, reportValue(w.failureReport), code) ? encode(request, code, comment, fromUri, w) : null;
}

/**
 * The path lines of the last response made and what they were made from: the
 * requests of a session repeat their paths, so they are cut and checked once.
 */
const lastPaths = {
  from: undefined as string | undefined, fromUri: undefined as string | undefined, to: undefined as string | undefined,
  send: false, block: '',
};
/** The last comment found free of control characters. */
let lastText: string | null = null;

/** The To-Path and From-Path lines of a response (see responsePaths), checked for control characters. */
function pathLines(request: Chunk, fromUri: string | undefined, w: Wanted): string {
  const send = request.method === 'SEND';
  // the request's To-Path matters only when fromUri is not given
  const toKey = fromUri === undefined ? w.to : undefined;
  const last = lastPaths;
  if (w.from === last.from && fromUri === last.fromUri && toKey === last.to && send === last.send) return last.block;
  const [to, from] = responsePaths(request, fromUri, w);
  if ((to !== undefined && CONTROL.test(to)) || (from !== undefined && CONTROL.test(from))) {
    throw new TypeError('a response line holds a control character (CR, LF, ...)');
  }
  let block = '';
  if (to !== undefined) block += `To-Path: ${to}\r\n`;
  if (from !== undefined) block += `From-Path: ${from}\r\n`;
  last.from = w.from;
  last.fromUri = fromUri;
  last.to = toKey;
  last.send = send;
  last.block = block;
  return block;
}

function encode(request: Chunk, code: number, comment: string | null | undefined, fromUri: string | undefined, w: Wanted): string {
  if (request.method === null) throw new TypeError('a response answers a request, not a response');
  const tid = request.transactionId;
  if (!isIdent(tid)) throw new RangeError(`transaction id ${JSON.stringify(tid)} is not an ident`);
  if (!Number.isInteger(code) || code < 100 || code > 999) throw new RangeError(`status code ${code} is not 100..999`);
  const text = comment === undefined ? reasonPhrase(code) : comment;
  if (text !== null && text !== lastText) {
    if (CONTROL.test(text)) throw new TypeError('a response line holds a control character (CR, LF, ...)');
    lastText = text;
  }
  const paths = pathLines(request, fromUri, w);
  const start = text === null ? `MSRP ${tid} ${code}\r\n` : `MSRP ${tid} ${code} ${text}\r\n`;
  return `${start}${paths}-------${tid}$\r\n`;
}
