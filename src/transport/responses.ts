/**
 * Building responses and deciding whether one may be sent at all
 * (RFC 4975 §7.1.2, §7.1.4, §7.2). The one place these rules live: the
 * connection's own answers (481, 501, 506, 400, 415, 413) and the session's
 * 200s and errors all go through here.
 */
import { Chunk } from '../protocol/chunk.ts';
import type { ReportValue } from '../protocol/headers.ts';
import { isSuccess, reasonPhrase } from '../protocol/status.ts';
import { MsrpParseError } from '../errors.ts';

/** The request's Failure-Report, `yes` when absent or unreadable (RFC 4975 §7.1.1). */
export function failureReportOf(request: Chunk): ReportValue {
  try {
    return request.failureReport ?? 'yes';
  } catch (err) {
    if (err instanceof MsrpParseError) return 'yes';
    throw err;
  }
}

/**
 * Whether `code` may answer `request`: never a REPORT (RFC 4975 §7.1.2:
 * "MSRP nodes MUST NOT send MSRP responses to REPORT requests"), nothing when
 * Failure-Report is `no`, no 2xx when it is `partial` (§7.1.4, §7.2).
 */
export function mayRespond(request: Chunk, code: number): boolean {
  if (request.method === 'REPORT' || request.method === null) return false;
  const mode = failureReportOf(request);
  if (mode === 'no') return false;
  if (mode === 'partial' && isSuccess(code)) return false;
  return true;
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
  if (request.method === null) throw new TypeError('a response answers a request, not a response');
  const headers: Array<[string, string]> = [];
  const from = request.getHeader('From-Path');
  const to = request.getHeader('To-Path');
  if (from !== undefined) headers.push(['To-Path', request.method === 'SEND' ? firstUri(from) : from.trim()]);
  const self = fromUri ?? (to !== undefined ? firstUri(to) : undefined);
  if (self !== undefined) headers.push(['From-Path', self]);
  return new Chunk({
    transactionId: request.transactionId, code,
    comment: comment === undefined ? reasonPhrase(code) : comment, headers,
  });
}
