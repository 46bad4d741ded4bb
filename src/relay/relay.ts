/**
 * MsrpRelay (AG Projects' msrprelay is the feature reference): an RFC 4976
 * relay. It listens on TLS (and on plain TCP only when `tcpPort` is given),
 * authenticates clients with AUTH and Digest, hands out Use-Path URIs, and
 * forwards requests and responses between its clients and other relays,
 * cut-through: body octets go on as they arrive (lanes.ts).
 *
 * A connection accepted with a valid client certificate is a relay (mutual
 * TLS, RFC 4976 §6.1, §9.2); without one, a client, who has 30 s to make a
 * successful request (§6.1). Connections the relay opens toward next hops
 * present its own certificate and check the next hop's. Connections without
 * a byte either way for `idleTimeout` are closed (§6.5).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { ConnectionPool } from '../connect/dial.ts';
import { serverTlsOptions } from '../connect/tls.ts';
import { MsrpConnectError, MsrpConnectionError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Chunk } from '../protocol/chunk.ts';
import { MsrpUri } from '../protocol/uri.ts';
import { MsrpConnection, type ConnectionOptions, type RequestTarget } from '../transport.ts';
import { refuseTarget, relayTarget, RELAY_METHODS, type DispatchContext } from './dispatch.ts';
import { NonceStore } from './nonces.ts';
import { relaySettings, type MsrpRelayOptions, type RelaySettings } from './options.ts';
import { RelayPeer } from './peer.ts';
import { routeRequest, type Destination } from './route.ts';
import { SessionTable } from './sessions.ts';
import { RelayAddress } from './use-path.ts';

/** Counters of a running relay. */
export interface RelayStats {
  /** connections open: accepted and opened toward next hops */
  connections: number;
  /** accepted connections open */
  accepted: number;
  /** live Use-Path URIs */
  sessions: number;
  /** SEND body octets held, waiting for a downstream connection (bounded by forwardWindow per upstream connection) */
  heldBytes: number;
  /** octets queued in downstream sockets, not yet handed to the operating system */
  queuedBytes: number;
}

/** Events of an MsrpRelay. */
export interface MsrpRelayEvents {
  /** a listener failed */
  error: [error: Error];
  close: [];
}

/** See the module comment. */
export class MsrpRelay extends EventEmitter<MsrpRelayEvents> {
  readonly settings: RelaySettings;
  readonly logger: Logger;
  readonly sessions = new SessionTable();
  readonly nonces: NonceStore;
  readonly #listeners: Array<{ server: net.Server; secure: boolean; address: RelayAddress | null }> = [];
  readonly #peers = new Map<MsrpConnection, RelayPeer>();
  readonly #pool = new ConnectionPool();
  /** open next-hop connections by reuse key, for the lanes' synchronous path */
  readonly #hops = new Map<string, MsrpConnection>();
  readonly #context: DispatchContext;
  #accepted = 0;
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;

  /** Makes a relay; `listen()` opens its ports. Prefer `MsrpRelay.listen(options)`. */
  constructor(options: MsrpRelayOptions) {
    super();
    this.settings = relaySettings(options);
    this.logger = this.settings.logger;
    this.nonces = new NonceStore({ lifetime: this.settings.nonceLifetime });
    this.sessions.onEnd = (session, why) => {
      this.logger.info({ session: session.uri.sessionId, user: session.user, why }, 'relay: session ended');
    };
    const s = this.settings;
    if (!s.noTls) this.#listeners.push({ server: tls.createServer(serverTlsOptions(s.tls, true)), secure: true, address: null });
    if (s.tcpPort !== null) this.#listeners.push({ server: net.createServer(), secure: false, address: null });
    this.#context = {
      settings: s, sessions: this.sessions, nonces: this.nonces, logger: this.logger,
      maxAuthFailures: s.maxAuthFailures, open: (d) => this.#open(d),
      addressFor: (peer) => this.#addressFor(peer),
    };
  }

  /** A listening relay. */
  static async listen(options: MsrpRelayOptions): Promise<MsrpRelay> {
    const relay = new MsrpRelay(options);
    await relay.listen();
    return relay;
  }

  /** Opens the ports; rejects with MsrpConnectError when one cannot be opened. */
  async listen(): Promise<void> {
    const s = this.settings;
    for (const l of this.#listeners) {
      const port = l.secure ? s.port : s.tcpPort as number;
      l.server.maxConnections = s.maxConnections;
      l.server.on(l.secure ? 'secureConnection' : 'connection', (socket: net.Socket) => this.#accept(socket, l.address as RelayAddress));
      l.server.on('error', (error) => this.emit('error', error));
      if (l.secure) l.server.on('tlsClientError', (error) => this.logger.debug({ err: error.message }, 'relay: TLS handshake failed'));
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error): void => reject(new MsrpConnectError('MSRP_ERR_CONNECT',
          `relay cannot listen on ${s.listenHost}:${port}: ${error.message}`, 0, { cause: error }));
        l.server.once('error', onError);
        l.server.listen(port, s.listenHost, () => {
          l.server.off('error', onError);
          resolve();
        });
      });
      const bound = (l.server.address() as net.AddressInfo).port;
      l.address = new RelayAddress({
        uri: MsrpUri.from({ scheme: l.secure ? 'msrps' : 'msrp', user: null, host: s.host, port: bound, sessionId: null, transport: 'tcp', params: [] }),
        aliases: s.aliases, allowNumericHost: s.allowNumericHost,
      });
    }
    const sweep = Math.min(60_000, Math.max(50, s.idleTimeout / 4));
    this.#idleTimer = setInterval(() => this.#sweepIdle(), sweep);
    this.#idleTimer.unref();
    this.logger.info({ uris: this.#listeners.map((l) => String(l.address?.uri)) }, 'relay: listening');
  }

  /** The relay's URI for AUTH: the TLS one, or the TCP one when there is no TLS listener. */
  get uri(): MsrpUri {
    const l = this.#listeners[0]?.address;
    if (l == null) throw new MsrpConnectError('MSRP_ERR_CONNECT', 'the relay is not listening');
    return l.uri;
  }

  /** The plain TCP URI, or null when there is no TCP listener. */
  get tcpUri(): MsrpUri | null {
    return this.#listeners.find((l) => !l.secure)?.address?.uri ?? null;
  }

  /** Counters (see RelayStats). */
  stats(): RelayStats {
    let heldBytes = 0;
    let queuedBytes = 0;
    for (const [connection, peer] of this.#peers) {
      heldBytes += peer.held;
      queuedBytes += connection.stream.writableLength;
    }
    return { connections: this.#peers.size, accepted: this.#accepted, sessions: this.sessions.size, heldBytes, queuedBytes };
  }

  /** Stops listening, ends every session and closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#idleTimer !== null) clearInterval(this.#idleTimer);
    this.sessions.clear();
    for (const connection of [...this.#peers.keys()]) connection.destroy();
    await Promise.all(this.#listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))));
    this.emit('close');
  }

  #connectionOptions(): ConnectionOptions {
    const s = this.settings;
    return {
      logger: this.logger, trafficLog: s.trafficLog, transactionTimeout: s.transactionTimeout, limits: s.limits,
      sliceSize: s.sliceSize, maxChunkSize: s.maxChunkSize,
      resolve: (chunk, toPath, _fromPath, connection) => this.#resolve(chunk, toPath, connection),
    };
  }

  #accept(socket: net.Socket, address: RelayAddress): void {
    socket.on('error', () => {}); // the connection reports its own errors
    const s = this.settings;
    if (this.#closed || this.#accepted >= s.maxConnections) {
      this.logger.warn({ remote: socket.remoteAddress, limit: s.maxConnections }, 'relay: connection refused (limit)');
      socket.destroy();
      return;
    }
    let role: 'client' | 'relay' = 'client';
    let name: string | null = null;
    if (socket instanceof tls.TLSSocket) {
      const cert = socket.getPeerCertificate();
      if (cert !== null && Object.keys(cert).length > 0) {
        // RFC 4976 §6.1: a certificate "rooted in a trusted authority" makes a relay; any other one is refused
        if (!socket.authorized) {
          this.logger.warn({ remote: socket.remoteAddress, err: String(socket.authorizationError) }, 'relay: untrusted client certificate');
          socket.destroy();
          return;
        }
        role = 'relay';
        name = certificateName(cert);
      }
    }
    const connection = new MsrpConnection(socket, this.#connectionOptions());
    this.#accepted++;
    this.#addPeer(connection, role, name, address);
    connection.once('close', () => this.#accepted--);
    this.logger.debug({ connection: connection.label, role, name }, 'relay: connection accepted');
  }

  /** Tracks a connection: `address` is its listener's, null for a connection the relay opened. */
  #addPeer(connection: MsrpConnection, role: 'client' | 'relay', name: string | null, address: RelayAddress | null): RelayPeer {
    const s = this.settings;
    const peer = new RelayPeer({
      connection, role, name, address, window: s.forwardWindow, logger: this.logger, probationTimeout: s.probationTimeout,
    });
    this.#peers.set(connection, peer);
    connection.once('close', () => {
      this.#peers.delete(connection);
      peer.dispose();
      this.sessions.connectionClosed(connection);
    });
    return peer;
  }

  #addressFor(peer: RelayPeer): RelayAddress {
    return peer.address ?? this.#listeners[0].address as RelayAddress;
  }

  /** Routes a request (route.ts) and gives the connection the target that acts on it. */
  #resolve(chunk: Chunk, toPath: MsrpUri[], connection: MsrpConnection): RequestTarget {
    const peer = this.#peers.get(connection) ?? this.#addPeer(connection, 'relay', null, null);
    const method = chunk.method as string;
    const route = routeRequest(method, chunk.getHeader('To-Path') as string, chunk.getHeader('From-Path') as string,
      toPath, peer, { addresses: this.#addresses(), sessions: this.sessions });
    peer.routed = { chunk, route };
    const known = RELAY_METHODS.includes(method) || this.settings.unknownMethods === 'refuse';
    // the targets are made once per connection; an unknown method to forward gets its own (RFC 4976 §6.4.2)
    const targets = peer.targets ??= { relay: relayTarget(this.#context, peer), refuse: refuseTarget(peer) };
    const methods = known ? RELAY_METHODS : [method];
    switch (route.kind) {
      case 'drop':
        // RFC 4976 §6.2: "the relay immediately drops the corresponding connection"
        this.logger.warn({ connection: connection.label, reason: route.reason }, 'relay: request not addressed to this relay, closing');
        queueMicrotask(() => connection.destroy());
        return { methods, takesBodilessSend: true, onSendHead: () => true, onRequest: () => true };
      case 'refuse':
        this.logger.info({ connection: connection.label, method, reason: route.reason }, 'relay: request refused');
        return known ? targets.refuse : refuseTarget(peer, methods);
      default:
        return known ? targets.relay : relayTarget(this.#context, peer, methods);
    }
  }

  #addresses(): RelayAddress[] {
    return this.#listeners.map((l) => l.address).filter((a): a is RelayAddress => a !== null);
  }

  /**
   * The connection to a destination: the client's, or a next hop's, reused or
   * opened (mutual TLS, RFC 4976 §6.4.2). An open one comes at once, not as a promise.
   */
  #open(destination: Destination): MsrpConnection | Promise<MsrpConnection> {
    if (destination.kind === 'connection') {
      const c = destination.connection;
      if (c.closing) throw new MsrpConnectionError('MSRP_ERR_CONNECTION_CLOSED', `connection ${c.label} is closed`);
      return c;
    }
    const open = this.#hops.get(destination.key);
    if (open !== undefined && !open.closing) return open;
    return this.#dial(destination);
  }

  async #dial(destination: Extract<Destination, { kind: 'dial' }>): Promise<MsrpConnection> {
    const s = this.settings;
    if (!destination.uri.secure && !s.insecureNextHops) {
      throw new MsrpConnectError('MSRP_ERR_CONNECT', `${destination.uri} is not msrps: relays talk over TLS (insecureNextHops allows TCP)`);
    }
    if (this.#closed) throw new MsrpConnectError('MSRP_ERR_CANCELLED', 'the relay is closed');
    const connection = await this.#pool.acquire(destination.uri, {
      tls: s.tls, connectTimeout: s.connectTimeout, logger: this.logger, trafficLog: s.trafficLog,
      connection: this.#connectionOptions(),
    });
    if (this.#closed) {
      connection.destroy();
      throw new MsrpConnectError('MSRP_ERR_CANCELLED', 'the relay is closed');
    }
    if (!this.#peers.has(connection)) this.#addPeer(connection, 'relay', destination.uri.host, null);
    if (!this.#hops.has(destination.key)) {
      this.#hops.set(destination.key, connection);
      connection.once('close', () => {
        if (this.#hops.get(destination.key) === connection) this.#hops.delete(destination.key);
      });
    }
    return connection;
  }

  #sweepIdle(): void {
    const now = Date.now();
    for (const peer of this.#peers.values()) {
      if (peer.idleFor(now) < this.settings.idleTimeout || peer.connection.closing) continue;
      // RFC 4976 §6.5: a connection not used for a significant time MAY be closed
      this.logger.info({ connection: peer.connection.label }, 'relay: idle connection closed');
      peer.connection.close();
    }
  }
}

/** A relay certificate's host name: its first DNS subjectAltName, else its common name. */
function certificateName(cert: tls.PeerCertificate): string | null {
  const dns = /(?:^|,\s*)DNS:([^,\s]+)/.exec(cert.subjectaltname ?? '');
  if (dns !== null) return dns[1].toLowerCase();
  const cn = cert.subject?.CN;
  return typeof cn === 'string' ? cn.toLowerCase() : null;
}
