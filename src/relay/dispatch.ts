/**
 * The request targets the relay gives its connections. Every request a
 * relay connection reads is routed first (route.ts, from the connection's
 * resolver); its handlers then act on that route:
 *
 * - SEND chunks with a body stream through a ForwardJob in the session's
 *   lane toward the destination; the 200 goes upstream at the end-line
 *   (RFC 4976 §6.4.1: hop by hop, "immediately");
 * - AUTH addressed to the relay is answered here (auth.ts);
 * - other requests, and bodiless SENDs, are forwarded whole (forward.ts);
 * - a refused request is discarded and answered 403 when a response is
 *   allowed (local policy, docs/relay.md); its body is skipped unread.
 */
import type { Logger } from '../log.ts';
import { childLogger } from '../log.ts';
import type { Chunk } from '../protocol/chunk.ts';
import { HeaderId } from '../core/constants.ts';
import { HEADER_NAMES, headerId } from '../protocol/headers.ts';
import { StatusCode } from '../protocol/status.ts';
import { failureReportOf, type RequestTarget } from '../transport.ts';
import { handleAuth, type AuthContext } from './auth.ts';
import { forwardWhole, type ForwardContext } from './forward.ts';
import { ForwardJob, JOB_COST, Lane } from './lanes.ts';
import type { RelayPeer } from './peer.ts';
import type { Route } from './route.ts';

/** Methods the relay knows; others are forwarded as REPORTs are (RFC 4976 §6.4.2) or refused. */
export const RELAY_METHODS: readonly string[] = ['SEND', 'REPORT', 'AUTH'];

/** What the handlers use. */
export interface DispatchContext extends AuthContext, ForwardContext {}

type Forward = Extract<Route, { kind: 'forward' }>;

/** The route of `chunk` if the resolver made it for this chunk. */
function routeOf(peer: RelayPeer, chunk: Chunk): Route | null {
  const r = peer.routed;
  return r !== null && r.chunk === chunk ? r.route : null;
}

/**
 * The lane of `route`'s session toward its destination, made on first use and
 * kept while the session lives (a lane per chunk would cost more than the
 * chunk); the session's end drops its lanes (sessions.ts).
 */
function laneFor(ctx: DispatchContext, route: Forward): Lane {
  const session = route.session;
  const lanes = (session.lanes ??= new Map()) as Map<string, Lane>;
  const key = route.destination.key;
  let lane = lanes.get(key);
  if (lane === undefined) {
    const logger: Logger = childLogger(ctx.logger, { session: session.uri.sessionId, user: session.user });
    lane = new Lane(route.destination, ctx.open, logger);
    lanes.set(key, lane);
  }
  return lane;
}

/**
 * A job for an incoming SEND chunk's head. Its header block is written out
 * here, once, in the writer's template form (OutgoingMessageInit.template):
 * To-Path and From-Path first, the other headers as they came (known names
 * canonical, values already checked by the framing engine: no CR or LF),
 * Byte-Range left to the writer, Content-Type last (RFC 4975 §7.1).
 */
function jobFor(chunk: Chunk, route: Forward, peer: RelayPeer): ForwardJob {
  const range = chunk.byteRange;
  const messageId = chunk.messageId as string;
  const failureReport = failureReportOf(chunk);
  let before = `To-Path: ${route.toPath}\r\nFrom-Path: ${route.fromPath}\r\n`;
  let after = '';
  for (const [name, value] of chunk.headers) {
    const id = headerId(name);
    if (id === HeaderId.TO_PATH || id === HeaderId.FROM_PATH || id === HeaderId.BYTE_RANGE) continue;
    const line = `${id === HeaderId.UNKNOWN ? name : HEADER_NAMES[id]}: ${value}\r\n`;
    if (id === HeaderId.CONTENT_TYPE) after += line;
    else before += line;
  }
  return new ForwardJob({
    upstream: peer, template: [before, after], messageId, start: range?.start ?? 1, total: range?.total ?? '*', failureReport,
    report: { failureReport, fromPath: chunk.getHeader('From-Path') as string, hop: route.hop, messageId },
  });
}

/** The target for requests routed to AUTH handling or forwarding. */
export function relayTarget(ctx: DispatchContext, peer: RelayPeer, methods: readonly string[] = RELAY_METHODS): RequestTarget {
  const failed = (error: unknown): void => {
    ctx.logger.error({ connection: peer.connection.label, err: (error as Error).message }, 'relay: request handling failed');
  };
  return {
    methods,
    takesBodilessSend: true,
    onSendHead(chunk) {
      const route = routeOf(peer, chunk);
      if (route === null || route.kind !== 'forward') return true;
      peer.succeeded();
      const job = jobFor(chunk, route, peer);
      peer.job = job;
      laneFor(ctx, route).add(job);
      return peer.hold(JOB_COST);
    },
    onSendBody(segment) {
      return peer.job?.push(segment) ?? true;
    },
    onSendEnd(chunk) {
      const job = peer.job;
      peer.job = null;
      peer.routed = null;
      if (job === null) return true;
      // RFC 4976 §6.4.1: "MUST respond with a final response immediately"; 200 means received
      peer.connection.writeResponse(chunk, StatusCode.OK);
      job.end(chunk.continuationFlag);
      return true;
    },
    onSendTruncated() {
      // the sender's connection broke inside the body: what came is forwarded, then `#`
      const job = peer.job;
      peer.job = null;
      job?.end('#');
    },
    onRequest(chunk) {
      const route = routeOf(peer, chunk);
      peer.routed = null;
      if (route?.kind === 'auth') handleAuth(ctx, chunk, peer).catch(failed);
      else if (route?.kind === 'forward') {
        peer.succeeded();
        forwardWhole(ctx, chunk, route, peer).catch(failed);
      }
      return true;
    },
  };
}

/** The target for refused requests: discarded, answered 403 where a response is allowed. */
export function refuseTarget(peer: RelayPeer, methods: readonly string[] = RELAY_METHODS): RequestTarget {
  const refuse = (chunk: Chunk): true => {
    const route = routeOf(peer, chunk);
    peer.routed = null;
    const reason = route !== null && route.kind === 'refuse' ? route.reason : 'refused';
    peer.connection.writeResponse(chunk, StatusCode.FORBIDDEN, `Forbidden (${reason})`);
    return true;
  };
  return { methods, takesBodilessSend: true, onSendHead: refuse, onRequest: refuse };
}
