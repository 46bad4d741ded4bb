/**
 * Opening connections (RFC 4975 §5.4): TCP for msrp, TLS for msrps, with a
 * timeout, IPv4 or IPv6 by the URI's host; and the pool that lets a new
 * session reuse a connection "associated with the same host, port, and URI
 * scheme" (a TLS one only when it also passes the new session's checks).
 */
import net from 'node:net';
import tls from 'node:tls';
import { sharedReadBuffer } from '../core/index.ts';
import { MsrpConnectError } from '../errors.ts';
import { noopLogger } from '../log.ts';
import type { MsrpUri } from '../protocol/uri.ts';
import { MsrpConnection } from '../transport.ts';
import { DEFAULT_CONNECT_TIMEOUT, type ConnectOptions } from './options.ts';
import { checkPinnedPeer, clientTlsOptions, fingerprintMatches, peerCertificate } from './tls.ts';

/** Opens a connection to the host and port of `uri` (TLS for msrps) and wraps it in an MsrpConnection. */
export function dial(uri: MsrpUri, options: ConnectOptions = {}): Promise<MsrpConnection> {
  const port = uri.port;
  if (port === null || port === 0) {
    return Promise.reject(new MsrpConnectError('MSRP_ERR_CONNECT', `${uri} has no port to connect to`));
  }
  const timeoutMs = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  return new Promise<MsrpConnection>((resolve, reject) => {
    let socket: net.Socket;
    const fail = (error: MsrpConnectError): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new MsrpConnectError('MSRP_ERR_CONNECT_TIMEOUT', `no connection to ${uri} within ${timeoutMs} ms`)), timeoutMs);
    let connection: MsrpConnection | null = null;
    const done = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      connection = new MsrpConnection(socket, {
        ...options.connection, logger: options.logger ?? noopLogger, trafficLog: options.trafficLog ?? null,
      });
      resolve(connection);
    };
    const onError = (error: Error): void => {
      fail(new MsrpConnectError('MSRP_ERR_CONNECT', `cannot connect to ${uri}: ${error.message}`, 0, { cause: error }));
    };
    if (uri.secure) {
      const t = tls.connect(clientTlsOptions(uri.host, port, options.tls));
      socket = t;
      t.once('secureConnect', () => {
        const pinned = checkPinnedPeer(t, options.tls?.fingerprint);
        if (pinned !== null) fail(pinned);
        else done();
      });
    } else {
      socket = options.sharedReadBuffer === false ? net.connect({ host: uri.host, port }) : net.connect({
        host: uri.host,
        port,
        // reads land in the one buffer the process shares (see ConnectOptions.sharedReadBuffer); the
        // connection exists before the first read ('connect' comes first), false pauses reading
        onread: { buffer: sharedReadBuffer(), callback: (n, buffer) => connection?.push((buffer as Buffer).subarray(0, n)) ?? false },
      });
      socket.once('connect', done);
    }
    socket.once('error', onError);
  });
}

/** The reuse key of RFC 4975 §5.4: scheme, host and port. */
function poolKey(uri: MsrpUri): string {
  return `${uri.scheme}://${uri.host.toLowerCase()}:${uri.port ?? 0}`;
}

/** Connections open to peers, for reuse by later sessions to the same host, port and scheme. */
export class ConnectionPool {
  readonly #open = new Map<string, MsrpConnection[]>();
  readonly #dialing = new Map<string, Promise<MsrpConnection>>();

  /** Open connections held. */
  get size(): number {
    let n = 0;
    for (const list of this.#open.values()) n += list.length;
    return n;
  }

  /**
   * A connection to `uri`'s host, port and scheme: an open one when one passes
   * the checks of `options.tls` (pinned fingerprints), else a new one from
   * `dial`. Two sessions asking at once share one dial.
   */
  async acquire(uri: MsrpUri, options: ConnectOptions = {}): Promise<MsrpConnection> {
    const key = poolKey(uri);
    const reusable = this.#find(key, options);
    if (reusable !== undefined) return reusable;
    const pending = this.#dialing.get(key);
    if (pending !== undefined) {
      const shared = await pending.catch(() => undefined);
      if (shared !== undefined && this.#fits(shared, options)) return shared;
    }
    const dialing = dial(uri, options);
    this.#dialing.set(key, dialing);
    try {
      const connection = await dialing;
      this.add(uri, connection);
      return connection;
    } finally {
      if (this.#dialing.get(key) === dialing) this.#dialing.delete(key);
    }
  }

  /** Offers `connection` for reuse under `uri`'s host, port and scheme until it closes. */
  add(uri: MsrpUri, connection: MsrpConnection): void {
    const key = poolKey(uri);
    const list = this.#open.get(key) ?? [];
    if (list.includes(connection)) return;
    list.push(connection);
    this.#open.set(key, list);
    connection.once('close', () => {
      const now = this.#open.get(key);
      if (now === undefined) return;
      const i = now.indexOf(connection);
      if (i >= 0) now.splice(i, 1);
      if (now.length === 0) this.#open.delete(key);
    });
  }

  #find(key: string, options: ConnectOptions): MsrpConnection | undefined {
    return this.#open.get(key)?.find((c) => this.#fits(c, options));
  }

  /**
   * Still open and, for TLS, trusted the way this session asks: its peer
   * matches the session's pins, or without pins its chain was verified (a
   * connection accepted on a pin alone is not reused by a session that wants CA
   * verification).
   */
  #fits(connection: MsrpConnection, options: ConnectOptions): boolean {
    if (connection.closing) return false;
    if (!connection.secure) return true;
    const socket = connection.stream as tls.TLSSocket;
    const pins = options.tls?.fingerprint;
    if (pins === undefined) return options.tls?.verify === false || socket.authorized === true;
    const der = peerCertificate(socket);
    return der !== null && fingerprintMatches(der, pins);
  }
}

/** The process-wide pool connectors use unless told otherwise. */
export const defaultPool = new ConnectionPool();
