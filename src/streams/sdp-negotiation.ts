/**
 * Offer/answer rules for MSRP media descriptions: content types (RFC 4975
 * §8.6, §7.3 mandatory multipart types), direction (RFC 3264 §6.1),
 * desktop-sharing roles (the sipsimple `a=rfbsetup` convention) and the
 * checks a stream runs on the remote description before it connects. Pure
 * functions over `MsrpMedia`. Who opens the connection (RFC 6135 a=setup) is
 * src/connect/roles.ts: offerSetup, answerSetup, connectionRole.
 */
import { createParseError, type MsrpParseError } from '../errors.ts';
import { mediaTypeMatches } from '../protocol/headers.ts';
import type { MediaDirection, MsrpMedia } from './sdp.ts';

/** Types every MSRP endpoint must be able to receive (RFC 4975 §7.3), so every accept-types must signal them (§8.6). */
export const MANDATORY_ACCEPT_TYPES: readonly string[] = ['multipart/mixed', 'multipart/alternative'];

/** The container this library wraps in (RFC 3862). */
const CPIM = 'message/cpim';

function sdpError(message: string): MsrpParseError {
  return createParseError('MSRP_ERR_SDP', message, 0);
}

/** True when accept-types entry `pattern` covers `entry` (which may itself be a wildcard). */
function covers(pattern: string, entry: string): boolean {
  if (pattern === '*') return true;
  if (entry === '*') return false;
  try {
    return mediaTypeMatches(pattern, entry);
  } catch {
    return false; // an entry that is no media type covers nothing
  }
}

/** True when a content type may be sent under the accept-types (or accept-wrapped-types) list `list`. */
export function acceptsType(list: readonly string[], contentType: string): boolean {
  return list.some((pattern) => covers(pattern, contentType));
}

/**
 * `types` with multipart/mixed and multipart/alternative appended unless
 * already signalled, explicitly or through `*` or `multipart/*` (RFC 4975 §8.6:
 * "Mandatory formats MUST be signaled like any other").
 */
export function withMandatoryTypes(types: readonly string[]): string[] {
  const out = [...types];
  for (const t of MANDATORY_ACCEPT_TYPES) if (!acceptsType(out, t)) out.push(t);
  return out;
}

/**
 * The types both sides accept, in `local` order: for each pair where one
 * entry covers the other, the narrower one (`text/*` and `text/plain` give
 * `text/plain`; `*` and `image/png` give `image/png`; entries that cover
 * each other give the remote one). Empty when nothing overlaps (RFC 4975
 * §8.6: answer 488 in SIP).
 */
export function negotiateAcceptTypes(local: readonly string[], remote: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (t: string) => {
    const key = t.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  };
  for (const l of local) {
    for (const r of remote) {
      if (covers(l, r)) add(r);
      else if (covers(r, l)) add(l);
    }
  }
  return out;
}

/** How a message may go to a peer: plain, inside Message/CPIM, or not at all. */
export type DeliveryMode = 'plain' | 'cpim' | null;

/**
 * Whether `contentType` may be sent to a peer with these accept-types, and
 * how (RFC 4975 §8.6: nothing the peer did not signal; nothing top-level that
 * is only in accept-wrapped-types; the container must be in accept-types).
 * `wrap` says whether CPIM is needed (`must`: meta-data such as recipients,
 * timestamp or subject), preferred (`prefer`) or used only when the type is
 * acceptable only wrapped (`no`, the default).
 */
export function deliveryMode(peer: Pick<MsrpMedia, 'acceptTypes' | 'acceptWrappedTypes'>, contentType: string,
  wrap: 'no' | 'prefer' | 'must' = 'no'): DeliveryMode {
  const plain = acceptsType(peer.acceptTypes, contentType);
  const cpim = acceptsType(peer.acceptTypes, CPIM)
    && (plain || acceptsType(peer.acceptWrappedTypes, contentType));
  if (wrap === 'must') return cpim ? 'cpim' : null;
  if (wrap === 'prefer') return cpim ? 'cpim' : plain ? 'plain' : null;
  return plain ? 'plain' : cpim ? 'cpim' : null;
}

/** True when a message of `size` octets respects the peer's a=max-size (RFC 4975 §8.6; no limit when absent). */
export function fitsMaxSize(peer: Pick<MsrpMedia, 'maxSize'>, size: number): boolean {
  return peer.maxSize === null || size <= peer.maxSize;
}

// ---------------------------------------------------------------------------
// Direction (RFC 3264 §6.1) and desktop-sharing roles

/** The direction to answer an offered direction with (RFC 3264 §6.1), e.g. recvonly to a sendonly file offer (RFC 5547 §8). */
export function answerDirection(offered: MediaDirection): MediaDirection {
  if (offered === 'sendonly') return 'recvonly';
  if (offered === 'recvonly') return 'sendonly';
  return offered;
}

/** True when a side with this direction may send messages. */
export function canSend(direction: MediaDirection): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

/** True when a side with this direction receives messages. */
export function canReceive(direction: MediaDirection): boolean {
  return direction === 'sendrecv' || direction === 'recvonly';
}

/** A desktop-sharing side: the RFB server shares its screen, the viewer shows it. */
export type RfbRole = 'server' | 'viewer';

/** The a=rfbsetup value for a local role, as sipsimple writes it: the viewer (RFB client) is `active`. */
export function rfbSetupFor(role: RfbRole): 'active' | 'passive' {
  return role === 'viewer' ? 'active' : 'passive';
}

/** The local role facing a remote description: a remote viewer (`active`, also when absent) makes this side the server. */
export function rfbRoleFacing(remote: Pick<MsrpMedia, 'rfbSetup'>): RfbRole {
  return remote.rfbSetup === 'passive' ? 'viewer' : 'server';
}

// ---------------------------------------------------------------------------
// Checking a remote description

/**
 * Checks the remote media description against the local one before
 * connecting: not rejected (port 0), a path whose last URI's scheme matches
 * the transport, the same transport (TCP/MSRP or TCP/TLS/MSRP) as offered,
 * directions that do not contradict each other, and some content type both
 * sides understand (accept-types and accept-wrapped-types together).
 * Throws MsrpParseError (MSRP_ERR_SDP) saying what is wrong.
 */
export function checkRemoteMedia(local: MsrpMedia, remote: MsrpMedia): void {
  if (remote.port === 0) throw sdpError('the remote side rejected the stream (port 0)');
  if (remote.path.length === 0) throw sdpError('the remote media has no a=path');
  const last = remote.path[remote.path.length - 1];
  if (last.secure !== remote.secure) {
    throw sdpError(`the remote a=path ends in an ${last.scheme} URI but m= says ${remote.secure ? 'TCP/TLS/MSRP' : 'TCP/MSRP'}`);
  }
  if (remote.secure !== local.secure) {
    throw sdpError(`transport mismatch: local ${local.secure ? 'TCP/TLS/MSRP' : 'TCP/MSRP'}, remote ${remote.secure ? 'TCP/TLS/MSRP' : 'TCP/MSRP'}`);
  }
  const flows = (canSend(local.direction) && canReceive(remote.direction)) || (canReceive(local.direction) && canSend(remote.direction));
  if (!flows && local.direction !== 'inactive' && remote.direction !== 'inactive') {
    throw sdpError(`directions contradict each other: local ${local.direction}, remote ${remote.direction}`);
  }
  // RFC 4975 §8.6: no payload type understood is a failed negotiation (488 in SIP)
  const all = (m: MsrpMedia) => [...m.acceptTypes, ...m.acceptWrappedTypes];
  if (negotiateAcceptTypes(all(local), all(remote)).length === 0) {
    throw sdpError(`no common content type: local [${all(local).join(' ')}], remote [${all(remote).join(' ')}]`);
  }
}
