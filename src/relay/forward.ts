/**
 * Forwarding whole requests and relaying their responses (RFC 4976 §6.4.2,
 * §6.4.3). Non-SEND requests (REPORT, AUTH to a further relay, and methods
 * unknown to the relay, "forwarded as if they were REPORT requests") have
 * bodies of at most 10240 octets, which the connection gathers; they are
 * forwarded with a new transaction id (§6.4) and acknowledged end to end, so
 * their responses come back here and go on toward the sender under the
 * original transaction id, our URI moved from To-Path to From-Path. Nobody
 * answers a REPORT (RFC 4975 §7.1.2), so nothing waits for one.
 *
 * A bodiless SEND (a binding or a keepalive through relays) is forwarded the
 * same way but is acknowledged hop by hop like every SEND: 200 at once, and a
 * failure REPORT when the next hop fails it.
 */
import { HeaderId } from '../core/constants.ts';
import type { Logger } from '../log.ts';
import { Chunk, randomIdent } from '../protocol/chunk.ts';
import { headerId } from '../protocol/headers.ts';
import { isSuccess, StatusCode } from '../protocol/status.ts';
import { MsrpUri } from '../protocol/uri.ts';
import { failureReportOf, type MsrpConnection } from '../transport.ts';
import type { Opener } from './lanes.ts';
import type { RelayPeer } from './peer.ts';
import { reportFailure } from './reports.ts';
import type { Route } from './route.ts';
import type { SessionTable } from './sessions.ts';
import { forwardPathValues } from './use-path.ts';

/** What whole-request forwarding uses. */
export interface ForwardContext {
  open: Opener;
  sessions: SessionTable;
  logger: Logger;
  maxAuthFailures: number;
}

function isPathHeader(name: string): boolean {
  const id = headerId(name);
  return id === HeaderId.TO_PATH || id === HeaderId.FROM_PATH;
}

/** `chunk`'s headers with new path values first. */
export function rewrittenHeaders(chunk: Chunk, toPath: string, fromPath: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [['To-Path', toPath], ['From-Path', fromPath]];
  for (const h of chunk.headers) if (!isPathHeader(h[0])) headers.push(h);
  return headers;
}

/** A transaction id not in use on `connection` (RFC 4975 §7.1: ids must not collide). */
function freshId(connection: MsrpConnection): string {
  let id = randomIdent();
  while (connection.transactions.has(id)) id = randomIdent();
  return id;
}

/** Forwards a whole request along `route` (see the module comment). */
export async function forwardWhole(ctx: ForwardContext, request: Chunk, route: Extract<Route, { kind: 'forward' }>,
  arrival: RelayPeer): Promise<void> {
  const hopByHop = request.method === 'SEND';
  // RFC 4976 §6.4.1: a SEND is answered at once; 200 means received, not delivered
  if (hopByHop) arrival.connection.writeResponse(request, StatusCode.OK);
  const fail = (code: number, comment: string): void => {
    if (!hopByHop) return;
    const range = request.byteRange ?? { start: 1, end: 0, total: 0 };
    reportFailure(arrival.connection, {
      failureReport: failureReportOf(request), fromPath: request.getHeader('From-Path') as string, hop: route.hop,
      messageId: request.messageId as string,
    }, range, code, comment);
  };
  let connection: MsrpConnection;
  try {
    connection = await ctx.open(route.destination);
  } catch (error) {
    ctx.logger.warn({ destination: route.destination.key, err: (error as Error).message }, 'relay: next hop unreachable');
    return fail(StatusCode.REQUEST_TIMEOUT, 'Request Timeout (next hop unreachable)');
  }
  const forwarded = new Chunk({
    transactionId: freshId(connection), method: request.method, body: request.body,
    continuationFlag: request.continuationFlag, headers: rewrittenHeaders(request, route.toPath, route.fromPath),
  });
  let result;
  try {
    result = await connection.writeChunk(forwarded);
  } catch {
    return fail(StatusCode.REQUEST_TIMEOUT, 'Request Timeout (next hop connection lost)');
  }
  if (hopByHop) {
    if (result.code !== 0 && !isSuccess(result.code)) fail(result.code, result.comment ?? '');
    return;
  }
  if (result.response !== null) relayResponse(ctx, result.response, request, arrival);
}

/** The To-Path and From-Path after popping our own URIs (one, or two when both hops were ours); null when none is left or the first is not ours. */
function popOurs(ctx: ForwardContext, toPath: string, fromPath: string): { toPath: string; fromPath: string } | null {
  let paths = { toPathValue: toPath, fromPathValue: fromPath };
  for (let popped = 0; popped < 2; popped++) {
    let next;
    try {
      next = forwardPathValues(paths.toPathValue, paths.fromPathValue);
      if (ctx.sessions.get(MsrpUri.parse(next.hop)) === undefined) return popped === 0 ? null : { toPath: paths.toPathValue, fromPath: paths.fromPathValue };
    } catch {
      // only our URI is left: the response was for us (a hop-by-hop one), or the path is unreadable
      return popped === 0 ? null : { toPath: paths.toPathValue, fromPath: paths.fromPathValue };
    }
    paths = next;
  }
  return { toPath: paths.toPathValue, fromPath: paths.fromPathValue };
}

/**
 * Sends the response to a forwarded request back toward its sender (RFC 4976
 * §6.4.3): dropped when its To-Path does not start with our URI or names
 * nothing after it, and silently when the sender's connection has closed.
 */
export function relayResponse(ctx: ForwardContext, response: Chunk, request: Chunk, arrival: RelayPeer): void {
  const to = response.getHeader('To-Path');
  const from = response.getHeader('From-Path');
  if (to === undefined || from === undefined) return;
  const paths = popOurs(ctx, to, from);
  if (request.method === 'AUTH') {
    // RFC 4976 §6.3: failed AUTHs forwarded for a directly connected client count against it
    const stale = response.getHeaders('WWW-Authenticate').some((v) => /stale\s*=\s*"?true/i.test(v));
    if (response.code === StatusCode.UNAUTHORIZED && !stale && request.getHeader('Authorization') !== undefined) {
      arrival.authFailed(ctx.maxAuthFailures, null);
    } else if (isSuccess(response.code)) {
      arrival.succeeded();
    }
  }
  if (paths === null || arrival.connection.closing) return;
  const back = new Chunk({
    transactionId: request.transactionId, code: response.code, comment: response.comment,
    headers: rewrittenHeaders(response, paths.toPath, paths.fromPath),
  });
  arrival.connection.writeChunk(back).catch(() => {});
}
