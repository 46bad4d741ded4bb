/**
 * Where a request goes (RFC 4976 §6.2, §6.4): the first To-Path URI must be
 * the relay itself (an AUTH to it) or a Use-Path URI it handed out. For a
 * session's URI the request must come from the client that obtained it and
 * may then go to any next hop, or it must be going back toward that client
 * (§6.4 rules 1 and 2; §9.4: a relay "should not send the message anywhere
 * except to the client that is the destination"). A request from elsewhere
 * therefore always goes to the session's client, whatever the rest of its
 * To-Path says.
 *
 * When the next hop is another session of this relay (both ends of a chat
 * use it), the second hop is taken here too, as a relay of its own would:
 * the paths are rewritten twice and the request goes straight to the other
 * client's connection, never over a connection to ourselves.
 *
 * Local policy (documented in docs/relay.md): a request for a URI of ours
 * that is unknown, expired, or not usable from where it came is discarded
 * and answered 403 when a response is allowed (§6.3 lets the relay discard
 * it); a request whose first URI is not ours at all drops the connection
 * (§6.2).
 */
import type { MsrpUri } from '../protocol/uri.ts';
import type { MsrpConnection } from '../transport.ts';
import { DEFAULT_RELAY_PORT } from './options.ts';
import type { RelayPeer } from './peer.ts';
import type { RelaySession, SessionTable } from './sessions.ts';
import { forwardPathValues, type RelayAddress } from './use-path.ts';

/** Where a forwarded request is written. */
export type Destination =
  /** an open connection: the session's client */
  | { kind: 'connection'; connection: MsrpConnection; key: string }
  /** a next hop to connect to, or whose open connection to reuse */
  | { kind: 'dial'; uri: MsrpUri; key: string };

/** What to do with a request. */
export type Route =
  | { kind: 'auth' }
  | {
    kind: 'forward';
    /** the session whose URI came first */
    session: RelaySession;
    /** our URI as written (the From-Path of hop-by-hop answers and REPORTs) */
    hop: string;
    /** To-Path and From-Path values to forward with */
    toPath: string;
    fromPath: string;
    destination: Destination;
  }
  /** discard; 403 when a response is allowed */
  | { kind: 'refuse'; reason: string }
  /** not addressed to this relay: close the connection (RFC 4976 §6.2) */
  | { kind: 'drop'; reason: string };

/** What routing looks at. */
export interface RouteContext {
  addresses: readonly RelayAddress[];
  sessions: SessionTable;
}

/** The reuse key of a next hop (RFC 4975 §5.4: scheme, host and port). */
export function hopKey(uri: MsrpUri): string {
  return `${uri.scheme}://${uri.host.toLowerCase()}:${uri.port ?? DEFAULT_RELAY_PORT}`;
}

function isRelayUri(ctx: RouteContext, uri: MsrpUri): boolean {
  return ctx.addresses.some((a) => a.isRelayUri(uri));
}

/** True when `uri` names this relay's host and port, whatever its session id. */
function isOurHost(ctx: RouteContext, uri: MsrpUri): boolean {
  return isRelayUri(ctx, uri.sessionId === null ? uri : uri.with({ sessionId: null }));
}

/** The way back to a session's client, or null when it is gone. */
function towardClient(session: RelaySession): Destination | null {
  const c = session.connection;
  if (!c.closing) return session.back ??= { kind: 'connection', connection: c, key: `c${c.id}` };
  // a session obtained through a relay may use any connection to it (RFC 4976 §6.3)
  if (session.viaRelay !== null) return dialTo(session.prevHop);
  return null;
}

function dialTo(uri: MsrpUri): Destination {
  // RFC 4976 §8: only an AUTH's To-Path URI may leave the port out; SRV is not looked up here
  const target = uri.port === null ? uri.with({ port: DEFAULT_RELAY_PORT }) : uri;
  return { kind: 'dial', uri: target, key: hopKey(target) };
}

/** Routes a request that arrived on `arrival` with the parsed `toPath` (see the module comment). */
export function routeRequest(method: string, toPathValue: string, fromPathValue: string, toPath: readonly MsrpUri[],
  arrival: RelayPeer, ctx: RouteContext): Route {
  const first = toPath[0];
  if (first.sessionId === null) {
    if (!isRelayUri(ctx, first)) return { kind: 'drop', reason: 'the first To-Path URI is not this relay' };
    if (method === 'AUTH' && toPath.length === 1) return { kind: 'auth' };
    return { kind: 'refuse', reason: `a ${method} to the relay itself` };
  }
  const session = ctx.sessions.get(first);
  if (session === undefined) {
    if (!isOurHost(ctx, first)) return { kind: 'drop', reason: 'the first To-Path URI is not this relay' };
    return { kind: 'refuse', reason: 'the To-Path names no live session of this relay' };
  }
  if (toPath.length < 2) return { kind: 'refuse', reason: 'nothing to forward to after our URI' };
  const paths = forwardPathValues(toPathValue, fromPathValue);
  const fromClient = arrival.connection === session.connection || (session.viaRelay !== null && arrival.name === session.viaRelay);
  if (!fromClient) {
    const back = towardClient(session);
    if (back === null) return { kind: 'refuse', reason: 'the session\'s client is gone' };
    return { kind: 'forward', session, hop: paths.hop, toPath: paths.toPathValue, fromPath: paths.fromPathValue, destination: back };
  }
  const next = toPath[1];
  const other = next.sessionId === null ? undefined : ctx.sessions.get(next);
  if (other === undefined) {
    // never a connection to ourselves: a URI of ours that is no live session goes nowhere
    if (isOurHost(ctx, next)) return { kind: 'refuse', reason: 'the next hop is this relay but no live session of it' };
    return { kind: 'forward', session, hop: paths.hop, toPath: paths.toPathValue, fromPath: paths.fromPathValue, destination: dialTo(next) };
  }
  // both hops are ours: the second one, from "elsewhere", goes to the other session's client
  if (toPath.length < 3) return { kind: 'refuse', reason: 'nothing to forward to after our URIs' };
  const twice = forwardPathValues(paths.toPathValue, paths.fromPathValue);
  const back = towardClient(other);
  if (back === null) return { kind: 'refuse', reason: 'the session\'s client is gone' };
  return { kind: 'forward', session, hop: paths.hop, toPath: twice.toPathValue, fromPath: twice.fromPathValue, destination: back };
}
