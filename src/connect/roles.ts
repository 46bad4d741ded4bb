/**
 * Who opens the connection (RFC 6135, COMEDIA for MSRP, on RFC 4145's
 * a=setup). Without a=setup the RFC 4975 §5.4 rule holds: the offerer is
 * active. `holdconn` is never sent and is treated as absent when received
 * (RFC 6135 §4.2.1); `passive` is never offered (§4.2.2).
 */

/** An SDP a=setup value (RFC 4145 §4). */
export type SetupValue = 'active' | 'passive' | 'actpass' | 'holdconn';

/** Who opens the transport connection. */
export type ConnectionRole = 'active' | 'passive';

/** An a=setup value as received: unknown values and `holdconn` count as absent. */
export function parseSetup(value: string | null | undefined): SetupValue | null {
  const v = value?.trim().toLowerCase();
  return v === 'active' || v === 'passive' || v === 'actpass' ? v : null;
}

/**
 * The a=setup to offer (RFC 6135 §4.2.2): `actpass` when this endpoint can take
 * a connection at the address it offers, `active` when it cannot (behind a NAT
 * without a relay). Never `passive` and never `holdconn`.
 */
export function offerSetup(reachable = true): SetupValue {
  return reachable ? 'actpass' : 'active';
}

/**
 * The a=setup to answer an offer with (RFC 6135 §4.2.2, RFC 4145 §4.1):
 * `passive` to `actpass` (or `active` when `preferActive`, for an answerer
 * behind a NAT), `passive` to `active`, `active` to a `passive` offer (which
 * an offerer must not send, but the answer that works is clear), and
 * `passive` when the offer has no a=setup (the offerer is active, RFC 4975 §5.4).
 */
export function answerSetup(offer: string | null | undefined, preferActive = false): SetupValue {
  const o = parseSetup(offer);
  if (o === 'passive') return 'active';
  if (o === 'actpass') return preferActive ? 'active' : 'passive';
  return 'passive';
}

/**
 * This endpoint's role once the offer and the answer are known. `offerer`
 * says which side this endpoint took in the SDP exchange; `offer` and
 * `answer` are the a=setup values of each (null when absent).
 */
export function connectionRole(options: { offerer: boolean; offer?: string | null; answer?: string | null }): ConnectionRole {
  const answer = parseSetup(options.answer);
  const offer = parseSetup(options.offer);
  // the answer decides; an answer without a=setup (an RFC 4975 peer) leaves the offerer active
  let answerer: ConnectionRole;
  if (answer === 'active') answerer = 'active';
  else if (answer === 'passive') answerer = 'passive';
  else answerer = offer === 'passive' ? 'active' : 'passive';
  if (options.offerer) return answerer === 'active' ? 'passive' : 'active';
  return answerer;
}
