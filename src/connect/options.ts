/**
 * Options shared by the connect module's classes, their defaults, and the
 * local URIs they make when none is given.
 */
import os from 'node:os';
import { MsrpConnectError } from '../errors.ts';
import type { Logger, TrafficLog } from '../log.ts';
import { randomIdent } from '../protocol/chunk.ts';
import { MsrpUri } from '../protocol/uri.ts';
import type { ConnectionOptions, MsrpTransportOptions } from '../transport.ts';
import type { ConnectionPool } from './dial.ts';
import type { RelayOptions } from './relay-options.ts';
import type { MsrpServer } from './server.ts';
import type { MsrpTlsOptions } from './tls.ts';

/** Options of connectors, acceptors and servers. */
export interface ConnectOptions {
  logger?: Logger;
  /** receives every chunk of the connections made, both directions */
  trafficLog?: TrafficLog | null;
  /**
   * Options of the connections made (transaction timeout, slice size, limits,
   * ...); `resolve` routes requests arriving on a dialed connection (a relay
   * reached back over it, RFC 4976 §6.4.2); a server sets its own.
   */
  connection?: Omit<ConnectionOptions, 'logger' | 'trafficLog' | 'paused'>;
  /** options of the transports made (accept-types, methods, ...) */
  transport?: MsrpTransportOptions;
  /**
   * Plain TCP connections this side opens read into one buffer the process
   * shares (the wasm core's input window, sharedReadBuffer() in src/core/):
   * no allocation per read and no copy into wasm memory. Body segments are
   * then views valid only during their callback, so an IncomingStream copies
   * what it pushes unless its consumer borrows (IncomingStream.borrow). Default
   * true; false reads a fresh Buffer per read ('data' events). TLS and accepted
   * connections always read fresh Buffers (node:tls and servers take no `onread`).
   */
  sharedReadBuffer?: boolean;
  /** ms to open a connection, TLS handshake included (default 10000) */
  connectTimeout?: number;
  /** ms to bind: the active side waits this long for the 200 to its binding SEND, the passive side for the SEND (default 30000) */
  bindTimeout?: number;
  /** TLS settings for msrps */
  tls?: MsrpTlsOptions;
  /** connections to reuse (RFC 4975 §5.4); default the process-wide pool; null never reuses */
  pool?: ConnectionPool | null;
  /**
   * A listening server: an acceptor takes its connections there; a connector
   * registers its session there too, so a peer that also believes it is active
   * can bind through it (see ConnectorDirect).
   */
  server?: MsrpServer;
  /** host for a local URI made when none is given (default: the first non-internal address, else 127.0.0.1) */
  host?: string;
  /** the relay to use (RFC 4976), or a failover list tried in order: getConnector/getAcceptor then give ConnectorRelay/AcceptorRelay */
  relay?: RelayOptions | readonly RelayOptions[];
}

/** Default ms to connect. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;
/** Default ms to bind. */
export const DEFAULT_BIND_TIMEOUT = 30_000;

/** The first non-internal IPv4 address, else the first IPv6 one, else 127.0.0.1. */
export function defaultHost(): string {
  const all = Object.values(os.networkInterfaces()).flat().filter((a) => a !== undefined && !a.internal);
  return all.find((a) => a!.family === 'IPv4')?.address ?? all.find((a) => a!.family === 'IPv6' && !a!.address.startsWith('fe80'))?.address ?? '127.0.0.1';
}

/** A local URI with a fresh session id (RFC 4975 §14.1: unguessable, 80 random bits). */
export function makeLocalUri(options: { host?: string; port?: number; secure?: boolean }): MsrpUri {
  return MsrpUri.from({
    scheme: options.secure ? 'msrps' : 'msrp', user: null, host: options.host ?? defaultHost(), port: options.port ?? 0,
    sessionId: randomIdent(), transport: 'tcp', params: [],
  });
}

/** Guards a one-use object (msrplib's connectors and acceptors are used once). */
export class OneUse {
  #step = 0;
  readonly #name: string;

  constructor(name: string) {
    this.#name = name;
  }

  /** Moves to `step` (1 prepare, 2 complete); throws MsrpConnectError when already there or past it. */
  enter(step: 1 | 2, what: string): void {
    if (this.#step === 3) throw new MsrpConnectError('MSRP_ERR_CANCELLED', `${this.#name} was cancelled`);
    if (this.#step >= step) throw new MsrpConnectError('MSRP_ERR_USED', `${this.#name}.${what}() was already called: connectors and acceptors are used once`);
    this.#step = step;
  }

  /** Marks cancelled; false when it already was. */
  cancel(): boolean {
    if (this.#step === 3) return false;
    this.#step = 3;
    return true;
  }

  /** True once cancel() was called. */
  get cancelled(): boolean {
    return this.#step === 3;
  }
}
