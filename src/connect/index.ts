/**
 * The connect module (msrplib's connect): how a session gets a bound
 * MsrpTransport. `getConnector(options)` and `getAcceptor(options)` pick the
 * class from the options; without a relay these are ConnectorDirect (active
 * end) and AcceptorDirect (passive end). Which end is active follows RFC 6135
 * (see roles.ts).
 */
import { MsrpConnectError } from '../errors.ts';
import { AcceptorDirect, ConnectorDirect } from './direct.ts';
import type { ConnectOptions } from './options.ts';

export { ACTIVE_PORT, AcceptorDirect, ConnectorDirect, bindActive } from './direct.ts';
export { ConnectionPool, defaultPool, dial } from './dial.ts';
export { DEFAULT_BIND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, defaultHost, makeLocalUri } from './options.ts';
export type { ConnectOptions } from './options.ts';
export { answerSetup, connectionRole, offerSetup, parseSetup } from './roles.ts';
export type { ConnectionRole, SetupValue } from './roles.ts';
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

function noRelay(options: ConnectOptions): void {
  if (options.relay !== undefined) {
    throw new MsrpConnectError('MSRP_ERR_CONNECT', 'relay connectors (RFC 4976) are not available yet: leave `relay` unset');
  }
}

/** The active end for `options` (msrplib's get_connector): ConnectorDirect without a relay. */
export function getConnector(options: ConnectOptions = {}): Connector {
  noRelay(options);
  return new ConnectorDirect(options);
}

/** The passive end for `options` (msrplib's get_acceptor): AcceptorDirect without a relay. */
export function getAcceptor(options: ConnectOptions = {}): Connector {
  noRelay(options);
  return new AcceptorDirect(options);
}
