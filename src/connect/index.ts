/**
 * The connect module (msrplib's connect): how a session gets a bound
 * MsrpTransport. `getConnector(options)` and `getAcceptor(options)` pick the
 * class from the options; without a relay these are ConnectorDirect (active
 * end) and AcceptorDirect (passive end), with relay settings ConnectorRelay
 * and AcceptorRelay (RFC 4976). Which end is active follows RFC 6135
 * (see roles.ts).
 */
import { AcceptorDirect, ConnectorDirect } from './direct.ts';
import type { ConnectOptions } from './options.ts';
import { AcceptorRelay, ConnectorRelay } from './relay.ts';

export { ACTIVE_PORT, AcceptorDirect, ConnectorDirect, bindActive } from './direct.ts';
export { ConnectionPool, defaultPool, dial } from './dial.ts';
export { DEFAULT_BIND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, defaultHost, makeLocalUri } from './options.ts';
export type { ConnectOptions } from './options.ts';
export { answerSetup, connectionRole, offerSetup, parseSetup } from './roles.ts';
export type { ConnectionRole, SetupValue } from './roles.ts';
export { AcceptorRelay, ConnectorRelay } from './relay.ts';
export type { RelayConnectorEvents } from './relay.ts';
export { refreshDelay, RelayAuth } from './relay-auth.ts';
export type { RelayAuthEvents, RelayAuthInit, RelayGrant } from './relay-auth.ts';
export { DEFAULT_RELAY_PORT, orderSrv, relayTargets } from './relay-options.ts';
export type { RelayOptions, RelayTarget, SrvResolver } from './relay-options.ts';
export { MsrpServer } from './server.ts';
export type { BindingHandler, BindingRequest, MsrpServerEvents, MsrpServerOptions } from './server.ts';
export { certificateFingerprint, fingerprintMatches, parseFingerprint } from './tls.ts';
export type { Fingerprint, MsrpTlsOptions } from './tls.ts';

/** What connectors and acceptors have in common (msrplib's ConnectBase). */
export interface Connector {
  prepare(localUri?: import('../protocol/uri.ts').MsrpUri): Promise<import('../protocol/uri.ts').MsrpUri[]>;
  complete(fullRemotePath: readonly import('../protocol/uri.ts').MsrpUri[]): Promise<import('../transport.ts').MsrpTransport>;
  cancel(): void;
}

/** The active end for `options` (msrplib's get_connector): ConnectorRelay with relay settings, else ConnectorDirect. */
export function getConnector(options: ConnectOptions = {}): Connector {
  return options.relay !== undefined ? new ConnectorRelay(options) : new ConnectorDirect(options);
}

/** The passive end for `options` (msrplib's get_acceptor): AcceptorRelay with relay settings, else AcceptorDirect. */
export function getAcceptor(options: ConnectOptions = {}): Connector {
  return options.relay !== undefined ? new AcceptorRelay(options) : new AcceptorDirect(options);
}
