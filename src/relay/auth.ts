/**
 * AUTH addressed to the relay (RFC 4976 §5.1, §6.3, §9.1): Digest against
 * the credential store, with expiring, counted nonces (a captured
 * Authorization cannot be replayed); then authorization, the per-user
 * session limit and the Expires bounds; then a new Use-Path URI, or the same
 * one for a refresh from the same client on the same connection.
 *
 * Answers: 401 with a challenge per algorithm (stale=true when only the
 * nonce was wrong), 400 for malformed credentials, 403 when an authenticated
 * user is not allowed (policy, session limit, or a relay certificate that
 * does not name the From-Path host, §6.3), 423 with Min-Expires or
 * Max-Expires, 200 with Use-Path, Expires and Authentication-Info
 * (rspauth, cnonce, nc, qop).
 */
import tls from 'node:tls';
import type { Logger } from '../log.ts';
import type { Chunk } from '../protocol/chunk.ts';
import { createChallenge, digestUri, verifyAuthorization } from '../protocol/digest.ts';
import { formatDigest } from '../protocol/headers.ts';
import { StatusCode } from '../protocol/status.ts';
import type { MsrpUri } from '../protocol/uri.ts';
import { makeResponse, mayRespond } from '../transport.ts';
import type { NonceStore } from './nonces.ts';
import type { RelaySettings } from './options.ts';
import type { RelayPeer } from './peer.ts';
import type { RelaySession, SessionTable } from './sessions.ts';
import { grantedUsePath, type RelayAddress } from './use-path.ts';

/** What AUTH handling uses. */
export interface AuthContext {
  settings: RelaySettings;
  sessions: SessionTable;
  nonces: NonceStore;
  logger: Logger;
  /** the relay address whose URIs are handed out on `peer`'s connection */
  addressFor(peer: RelayPeer): RelayAddress;
}

/** Answers `request` with `code` and extra headers when a response is allowed. */
function answer(peer: RelayPeer, request: Chunk, code: number, headers: Array<[string, string]> = [], comment?: string): void {
  if (!mayRespond(request, code) || peer.connection.closing) return;
  const response = makeResponse(request, code, comment);
  for (const [name, value] of headers) response.addHeader(name, value);
  peer.connection.writeChunk(response).catch(() => {});
}

function challenge(ctx: AuthContext, request: Chunk, peer: RelayPeer, stale: boolean): void {
  const nonce = ctx.nonces.issue();
  // RFC 7616 §3.7: one challenge per algorithm, the preferred first
  const headers = ctx.settings.algorithms.map((algorithm): [string, string] => {
    const c = createChallenge({ realm: ctx.settings.realm, nonce, algorithm, stale });
    return ['WWW-Authenticate', formatDigest(c.scheme, c.params)];
  });
  answer(peer, request, StatusCode.UNAUTHORIZED, headers);
}

/**
 * RFC 4976 §6.3: a relay presenting a certificate must be the host of the
 * first From-Path URI. True for a client, or a relay whose certificate names it.
 */
function previousHopMatches(peer: RelayPeer, fromPath: readonly MsrpUri[]): boolean {
  if (peer.role !== 'relay') return true;
  const socket = peer.connection.stream as tls.TLSSocket;
  const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : null;
  return cert !== null && fromPath.length > 0 && tls.checkServerIdentity(fromPath[0].host, cert) === undefined;
}

/** Handles an AUTH addressed to the relay; resolves once answered. */
export async function handleAuth(ctx: AuthContext, request: Chunk, peer: RelayPeer): Promise<void> {
  const { settings, logger } = ctx;
  const fromPath = request.fromPath as MsrpUri[];
  const log = { connection: peer.connection.label };
  if (!previousHopMatches(peer, fromPath)) {
    logger.warn(log, 'relay: AUTH from a relay whose certificate does not name the From-Path host');
    answer(peer, request, StatusCode.FORBIDDEN);
    return;
  }
  const authorization = request.getHeader('Authorization');
  if (authorization === undefined) {
    // RFC 4976 §5.1: an AUTH without credentials MUST get a 401 with a challenge
    challenge(ctx, request, peer, false);
    return;
  }
  const verdict = await verifyAuthorization(authorization, {
    realm: settings.realm, requestUri: digestUri(request.getHeader('To-Path') as string), algorithms: settings.algorithms,
    lookup: (username, realm) => settings.credentials.lookup(username, realm), nonces: ctx.nonces,
  });
  if (!verdict.ok) {
    logger.info({ ...log, user: verdict.username, reason: verdict.reason }, 'relay: AUTH refused');
    if (verdict.statusCode === 400) answer(peer, request, StatusCode.BAD_REQUEST, [], 'Bad Request (malformed Authorization)');
    else challenge(ctx, request, peer, verdict.stale);
    // RFC 4976 §6.3: a failure is a 401 "without a stale=TRUE indication"
    if (!verdict.stale) peer.authFailed(settings.maxAuthFailures, verdict.username);
    return;
  }
  const user = verdict.username;
  const refused = (why: string, code: number = StatusCode.FORBIDDEN, headers: Array<[string, string]> = []): void => {
    logger.info({ ...log, user, reason: why }, 'relay: AUTH refused');
    answer(peer, request, code, headers);
    if (code === StatusCode.FORBIDDEN) peer.authFailed(settings.maxAuthFailures, user);
  };
  if (settings.authorize !== null && !(await settings.authorize?.(user, request))) return refused('not authorized by policy');
  let expires: number;
  try {
    expires = request.expires ?? settings.expires.default;
  } catch {
    return refused('malformed Expires', StatusCode.BAD_REQUEST);
  }
  // RFC 4976 §6.3: an unacceptable Expires gets "an error containing a Min-Expires or Max-Expires header"
  if (expires < settings.expires.min) return refused('Expires too short', StatusCode.OUT_OF_BOUNDS, [['Min-Expires', String(settings.expires.min)]]);
  if (expires > settings.expires.max) return refused('Expires too long', StatusCode.OUT_OF_BOUNDS, [['Max-Expires', String(settings.expires.max)]]);
  if (peer.connection.closing) return;
  const authFromPath = (request.getHeader('From-Path') as string).trim();
  let session: RelaySession | undefined = ctx.sessions.find(peer.connection, authFromPath, user);
  if (session !== undefined) {
    ctx.sessions.extend(session, expires);
  } else {
    if (ctx.sessions.countFor(user) >= settings.maxSessionsPerUser) return refused('too many sessions');
    session = ctx.sessions.add({
      uri: ctx.addressFor(peer).newSessionUri(), user, authFromPath, connection: peer.connection,
      viaRelay: peer.role === 'relay' ? peer.name : null, prevHop: fromPath[0],
    }, expires);
  }
  peer.succeeded();
  logger.info({ ...log, user, session: session.uri.sessionId, expires }, 'relay: AUTH granted');
  const response = makeResponse(request, StatusCode.OK);
  response.usePath = grantedUsePath(fromPath, session.uri);
  response.authenticationInfo = verdict.authenticationInfo;
  response.expires = expires;
  if (mayRespond(request, StatusCode.OK)) peer.connection.writeChunk(response).catch(() => {});
}

