/**
 * MsrpServer (msrplib's MSRPServer): one listening port shared by many
 * sessions. Sessions that expect a peer to connect register here by their
 * local URI; each request on an accepted connection is routed by the session
 * id in its To-Path (RFC 4975 §5.4, §7.3):
 *
 * - a session id nobody registered, or a To-Path that is not exactly that
 *   session's URI: 481;
 * - a session already bound to another connection: 506;
 * - a session waiting for its binding: its handler binds it to this
 *   connection (the first request is the binding SEND, bodiless or not).
 *
 * Several sessions may bind over one accepted connection. A connection that
 * binds no session within the bind timeout is closed.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { MsrpConnectError } from '../errors.ts';
import { noopLogger, type Logger } from '../log.ts';
import type { Chunk } from '../protocol/chunk.ts';
import type { MsrpUri } from '../protocol/uri.ts';
import { MsrpConnection, type Resolution } from '../transport.ts';
import { DEFAULT_BIND_TIMEOUT, defaultHost, makeLocalUri, type ConnectOptions } from './options.ts';
import { serverTlsOptions } from './tls.ts';

/** Options of an MsrpServer. */
export interface MsrpServerOptions extends ConnectOptions {
  /** address to listen on (default 0.0.0.0; use `::` for both IPv6 and IPv4) */
  listenHost?: string;
  /** port to listen on (default 0: any free port) */
  port?: number;
  /** msrps: TLS with `tls.cert` and `tls.key` (default: true when a certificate is given) */
  secure?: boolean;
  /** host put in the URIs this server makes (default `host`, else the listen address, else the first non-internal one) */
  host?: string;
  /** most connections at once (default 10000); more are refused */
  maxConnections?: number;
}

/** A request that arrived for a registered session, with the connection it came on. */
export interface BindingRequest {
  connection: MsrpConnection;
  chunk: Chunk;
  toPath: MsrpUri[];
  fromPath: MsrpUri[];
}

/** What a registered session decides about a request that would bind it. */
export type BindingHandler = (request: BindingRequest) => Resolution;

interface Registration {
  uri: MsrpUri;
  handler: BindingHandler;
  /** the connection the session is bound to, once it is */
  bound: MsrpConnection | null;
}

/** Events of an MsrpServer. */
export interface MsrpServerEvents {
  /** a connection was accepted */
  connection: [connection: MsrpConnection];
  /** the listener failed */
  error: [error: Error];
  close: [];
}

/** See the module comment. */
export class MsrpServer extends EventEmitter<MsrpServerEvents> {
  readonly secure: boolean;
  readonly logger: Logger;
  readonly #options: MsrpServerOptions;
  readonly #listener: net.Server;
  readonly #sessions = new Map<string, Registration>();
  readonly #connections = new Set<MsrpConnection>();
  #address: net.AddressInfo | null = null;
  #closed = false;

  /** Makes a server; `listen()` opens the port. Prefer `MsrpServer.listen(options)`. */
  constructor(options: MsrpServerOptions = {}) {
    super();
    this.#options = options;
    this.logger = options.logger ?? noopLogger;
    this.secure = options.secure ?? options.tls?.cert !== undefined;
    this.#listener = this.secure
      ? tls.createServer(serverTlsOptions(options.tls ?? {}, true))
      : net.createServer();
    this.#listener.maxConnections = options.maxConnections ?? 10_000;
    this.#listener.on(this.secure ? 'secureConnection' : 'connection', (socket: net.Socket) => this.#accept(socket));
    this.#listener.on('error', (error) => this.emit('error', error));
    if (this.secure) {
      // a failed handshake is the client's problem, not the server's
      this.#listener.on('tlsClientError', (error) => this.logger.debug({ err: error.message }, 'msrps handshake failed'));
    }
  }

  /** A listening server. */
  static async listen(options: MsrpServerOptions = {}): Promise<MsrpServer> {
    const server = new MsrpServer(options);
    await server.listen();
    return server;
  }

  /** Opens the port; rejects with MsrpConnectError when it cannot. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(new MsrpConnectError('MSRP_ERR_CONNECT', `cannot listen on ${this.#options.listenHost ?? '0.0.0.0'}:${this.#options.port ?? 0}: ${error.message}`, 0, { cause: error }));
      };
      this.#listener.once('error', onError);
      this.#listener.listen(this.#options.port ?? 0, this.#options.listenHost ?? '0.0.0.0', () => {
        this.#listener.off('error', onError);
        this.#address = this.#listener.address() as net.AddressInfo;
        resolve();
      });
    });
  }

  /** The port listened on (0 before `listen()`). */
  get port(): number {
    return this.#address?.port ?? 0;
  }

  /** The host put in URIs made by `makeUri`. */
  get host(): string {
    const listening = this.#address?.address ?? this.#options.listenHost;
    const wildcard = listening === undefined || listening === '0.0.0.0' || listening === '::';
    return this.#options.host ?? (wildcard ? defaultHost() : listening);
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** A new local URI on this server: its host and port, a fresh session id, msrps when secure. */
  makeUri(): MsrpUri {
    return makeLocalUri({ host: this.host, port: this.port, secure: this.secure });
  }

  /**
   * Registers a session: requests whose To-Path is `uri` go to `handler` until
   * the session is bound, then to the bound connection only (others get 506).
   * Throws RangeError when the session id is already registered.
   */
  register(uri: MsrpUri, handler: BindingHandler): void {
    if (this.#closed) throw new MsrpConnectError('MSRP_ERR_CANCELLED', 'the server is closed');
    if (uri.sessionId === null) throw new RangeError(`${uri} has no session id`);
    if (this.#sessions.has(uri.sessionId)) throw new RangeError(`session ${uri.sessionId} is already registered`);
    this.#sessions.set(uri.sessionId, { uri, handler, bound: null });
  }

  /** Notes that the session of `uri` is bound to `connection`; it is forgotten when the connection closes or `unregister` is called. */
  markBound(uri: MsrpUri, connection: MsrpConnection): void {
    const r = uri.sessionId === null ? undefined : this.#sessions.get(uri.sessionId);
    if (r === undefined) return;
    r.bound = connection;
    connection.once('close', () => {
      if (this.#sessions.get(uri.sessionId as string) === r) this.#sessions.delete(uri.sessionId as string);
    });
  }

  /** Forgets the session of `uri`: its requests get 481 from now on. */
  unregister(uri: MsrpUri): void {
    if (uri.sessionId !== null) this.#sessions.delete(uri.sessionId);
  }

  /** True when the session id of `uri` is registered. */
  has(uri: MsrpUri): boolean {
    return uri.sessionId !== null && this.#sessions.has(uri.sessionId);
  }

  /**
   * Stops listening and closes connections that bound no session; bound
   * sessions keep their connections until they close. Registered sessions
   * still waiting are forgotten (their acceptors time out or are cancelled).
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const c of this.#connections) if (c.sessionCount === 0) c.destroy();
    for (const [id, r] of this.#sessions) if (r.bound === null) this.#sessions.delete(id);
    return new Promise((resolve) => this.#listener.close(() => {
      this.emit('close');
      resolve();
    }));
  }

  #accept(socket: net.Socket): void {
    socket.on('error', () => {}); // the connection reports its own errors
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const options = this.#options;
    const connection = new MsrpConnection(socket, {
      ...options.connection, logger: this.logger, trafficLog: options.trafficLog ?? null,
      resolve: (chunk, toPath, fromPath, conn) => this.#resolve({ connection: conn, chunk, toPath, fromPath }),
    });
    this.#connections.add(connection);
    connection.once('close', () => this.#connections.delete(connection));
    // RFC 4975 §5.4: the listening side waits for the first request; one that never comes frees the socket
    const bindTimeout = options.bindTimeout ?? DEFAULT_BIND_TIMEOUT;
    setTimeout(() => {
      if (connection.sessionCount === 0 && !connection.closing) {
        this.logger.debug({ connection: connection.label }, 'msrp connection bound no session in time');
        connection.destroy();
      }
    }, bindTimeout).unref();
    this.logger.debug({ connection: connection.label }, 'msrp connection accepted');
    this.emit('connection', connection);
  }

  #resolve(request: BindingRequest): Resolution {
    const first = request.toPath[0];
    const r = first.sessionId === null ? undefined : this.#sessions.get(first.sessionId);
    if (r === undefined || request.toPath.length !== 1 || !r.uri.equals(first)) return 'unknown';
    if (r.bound !== null) return r.bound === request.connection ? 'unknown' : 'elsewhere';
    return r.handler(request);
  }
}
