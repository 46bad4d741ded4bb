/**
 * ConnectorDirect and AcceptorDirect (msrplib's connect module): the active
 * and the passive end of a session without relays. Each is used once:
 * `prepare(localUri?)` gives the full local path to put in SDP, `complete(
 * fullRemotePath)` gives a bound MsrpTransport, `cancel()` releases everything.
 *
 * Binding (RFC 4975 §5.4): the active end opens (or reuses) a connection and
 * at once sends a SEND without a body (Byte-Range 1-0/0, Success-Report no),
 * and is bound when the 200 comes. The passive end is bound by the first
 * request naming its session, bodiless or with a payload; the payload goes to
 * the session like any other.
 *
 * Both ends believing they are active: a connector given a `server`
 * registers its session there, so the peer's binding SEND is not refused with
 * 481. If the peer's binding arrives while this end's own is still out, the
 * two are told apart by the endpoints' URIs: the connection opened by the end
 * whose URI sorts first is kept, the other binding gets 506. Both ends reach
 * the same choice, so they end up on one connection.
 */
import { MsrpConnectError } from '../errors.ts';
import { noopLogger, type Logger } from '../log.ts';
import { isSuccess } from '../protocol/status.ts';
import type { MsrpUri } from '../protocol/uri.ts';
import { MsrpTransport, type MsrpConnection, type Resolution } from '../transport.ts';
import { defaultPool, dial } from './dial.ts';
import { DEFAULT_BIND_TIMEOUT, makeLocalUri, OneUse, type ConnectOptions } from './options.ts';
import { MsrpServer, type BindingRequest } from './server.ts';
import { checkPinnedPeer } from './tls.ts';
import type tls from 'node:tls';

/** The discard port RFC 6135 §4.2.2 suggests for an active endpoint's URI (via RFC 4145). */
export const ACTIVE_PORT = 9;

/**
 * Sends the binding SEND on `transport` and waits for its 2xx (RFC 4975
 * §5.4). Throws MsrpConnectError: MSRP_ERR_BIND with the status when refused,
 * MSRP_ERR_BIND_TIMEOUT when no answer comes within `timeoutMs`.
 */
export async function bindActive(transport: MsrpTransport, timeoutMs: number): Promise<void> {
  const chunk = transport.makeSendRequest({ successReport: 'no' });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MsrpConnectError('MSRP_ERR_BIND_TIMEOUT', `no answer to the binding SEND within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const result = await Promise.race([transport.writeChunk(chunk), timeout]);
    if (!isSuccess(result.code)) {
      throw new MsrpConnectError('MSRP_ERR_BIND', `binding SEND refused: ${result.code} ${result.comment ?? ''}`.trim(), result.code);
    }
  } catch (err) {
    if (err instanceof MsrpConnectError) throw err;
    throw new MsrpConnectError('MSRP_ERR_BIND', `binding failed: ${(err as Error).message}`, 0, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** A promise with its settle functions. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * What ConnectorDirect and AcceptorDirect share (msrplib's ConnectBase): the
 * options, one use, the local URI, and the one result of complete().
 */
export abstract class ConnectBase {
  protected readonly options: ConnectOptions;
  protected readonly once: OneUse;
  protected readonly logger: Logger;
  protected local: MsrpUri | null = null;
  protected settled = false;
  readonly #result = deferred<MsrpTransport>();

  constructor(name: string, options: ConnectOptions) {
    this.options = options;
    this.once = new OneUse(name);
    this.logger = options.logger ?? noopLogger;
  }

  /** This end's URI once prepared. */
  get localUri(): MsrpUri | null {
    return this.local;
  }

  /** What complete() returns. */
  protected get result(): Promise<MsrpTransport> {
    return this.#result.promise;
  }

  /** Settles complete() with `transport` (once). */
  protected succeed(transport: MsrpTransport): void {
    if (this.settled) return;
    this.settled = true;
    this.release(true);
    this.#result.resolve(transport);
  }

  /** Settles complete() with `error` (once). */
  protected fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.release(false);
    this.#result.reject(error);
  }

  /** Frees what the attempt held: everything on failure, only helpers on success. */
  protected abstract release(success: boolean): void;
}

/** The active end: connects to the peer and binds with an empty SEND. */
export class ConnectorDirect extends ConnectBase {
  #remotePath: MsrpUri[] | null = null;
  /** the transport this connector's own binding runs on */
  #outbound: MsrpTransport | null = null;

  constructor(options: ConnectOptions = {}) {
    super('ConnectorDirect', options);
  }

  /**
   * The full local path for SDP: `localUri`, or a fresh URI on `options.host`.
   * Its port is the server's when a server is given, else 9 when it is 0 or
   * absent (RFC 6135 §4.2.2: nobody connects to an active end).
   */
  async prepare(localUri?: MsrpUri): Promise<MsrpUri[]> {
    this.once.enter(1, 'prepare');
    const server = this.options.server;
    const port = server?.port ?? ACTIVE_PORT;
    let uri = localUri ?? makeLocalUri({ host: server?.host ?? this.options.host, port, secure: server?.secure ?? this.options.tls !== undefined });
    if (uri.port === null || uri.port === 0) uri = uri.with({ port });
    this.local = uri;
    server?.register(uri, (request) => this.#inbound(request));
    return [uri];
  }

  /**
   * Connects to the first URI of `fullRemotePath` (reusing an open connection
   * to the same host, port and scheme), binds, and returns the transport.
   * Rejects with MsrpConnectError (MSRP_ERR_CONNECT*, MSRP_ERR_BIND*,
   * MSRP_ERR_TLS_FINGERPRINT, MSRP_ERR_CANCELLED).
   */
  async complete(fullRemotePath: readonly MsrpUri[]): Promise<MsrpTransport> {
    this.once.enter(2, 'complete');
    const local = this.local;
    if (local === null) throw new MsrpConnectError('MSRP_ERR_USED', 'ConnectorDirect.complete() needs prepare() first');
    if (fullRemotePath.length === 0) throw new RangeError('the remote path is empty');
    this.#remotePath = [...fullRemotePath];
    void this.#connect(local, this.#remotePath);
    return this.result;
  }

  /** Gives up: complete() rejects with MSRP_ERR_CANCELLED and the connection made for it is released. */
  cancel(): void {
    this.once.cancel();
    this.fail(new MsrpConnectError('MSRP_ERR_CANCELLED', 'ConnectorDirect was cancelled'));
  }

  async #connect(local: MsrpUri, remotePath: MsrpUri[]): Promise<void> {
    const options = this.options;
    let connection: MsrpConnection;
    try {
      const target = remotePath[0];
      const pool = options.pool === undefined ? defaultPool : options.pool;
      connection = pool === null ? await dial(target, options) : await pool.acquire(target, options);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (this.settled) {
      if (connection.sessionCount === 0) connection.close();
      return;
    }
    let transport: MsrpTransport;
    try {
      transport = new MsrpTransport(connection, local, remotePath, options.transport);
    } catch (err) {
      this.fail(new MsrpConnectError('MSRP_ERR_BIND', `cannot use ${connection.label}: ${(err as Error).message}`, 0, { cause: err }));
      return;
    }
    this.#outbound = transport;
    const bindTimeout = options.bindTimeout ?? DEFAULT_BIND_TIMEOUT;
    try {
      await bindActive(transport, bindTimeout);
    } catch (err) {
      if (this.#outbound === transport) this.#outbound = null;
      transport.close();
      if (options.server !== undefined && (err as MsrpConnectError).statusCode === 506 && !this.settled) {
        // a peer that is active too keeps the connection it opened: its binding will come through the server
        setTimeout(() => this.fail(err as Error), bindTimeout).unref();
        return;
      }
      this.fail(err as Error);
      return;
    }
    if (this.settled) {
      transport.close();
      return;
    }
    options.server?.markBound(local, connection);
    this.succeed(transport);
  }

  /**
   * The peer's binding SEND came to this session through the server: the peer
   * believes it is active too. Kept when this end's own binding is not done
   * and the peer's URI sorts first; otherwise 506.
   */
  #inbound(request: BindingRequest): Resolution {
    const local = this.local as MsrpUri;
    const remote = this.#remotePath;
    const peer = request.fromPath[request.fromPath.length - 1];
    if (this.settled || remote === null || !peer.equals(remote[remote.length - 1])) return remote === null ? 'unknown' : 'elsewhere';
    if (peer.toString() >= local.toString()) return 'elsewhere';
    const pins = this.options.tls?.fingerprint;
    if (request.connection.secure && checkPinnedPeer(request.connection.stream as tls.TLSSocket, pins) !== null) return 'unknown';
    const transport = new MsrpTransport(request.connection, local, remote, this.options.transport);
    this.options.server?.markBound(local, request.connection);
    this.logger.debug({ connection: request.connection.label }, 'msrp both ends active: bound on the peer\'s connection');
    const outbound = this.#outbound;
    this.#outbound = null;
    this.succeed(transport);
    outbound?.close();
    return request.connection.targetOf(local) ?? 'unknown';
  }

  protected release(success: boolean): void {
    if (success) return;
    const local = this.local;
    if (local !== null) this.options.server?.unregister(local);
    this.#outbound?.close();
    this.#outbound = null;
  }
}

/** The passive end: waits for the peer to connect and bind. */
export class AcceptorDirect extends ConnectBase {
  #server: MsrpServer | null = null;
  #ownServer = false;
  #remotePath: MsrpUri[] | null = null;
  /** a transport bound before complete() was called */
  #early: MsrpTransport | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: ConnectOptions = {}) {
    super('AcceptorDirect', options);
  }

  /**
   * Listens (on `options.server`, or on a server of its own at `localUri`'s
   * host and port) and returns the full local path for SDP, port 0 replaced
   * by the real port.
   */
  async prepare(localUri?: MsrpUri): Promise<MsrpUri[]> {
    this.once.enter(1, 'prepare');
    let server = this.options.server;
    if (server === undefined) {
      const secure = localUri?.secure ?? this.options.tls?.cert !== undefined;
      server = await MsrpServer.listen({
        ...this.options, listenHost: localUri?.host ?? this.options.host ?? '0.0.0.0', port: localUri?.port ?? 0, secure,
        host: localUri?.host ?? this.options.host,
      });
      this.#ownServer = true;
    }
    this.#server = server;
    if (this.once.cancelled) {
      this.release(false);
      throw new MsrpConnectError('MSRP_ERR_CANCELLED', 'AcceptorDirect was cancelled');
    }
    let uri = localUri ?? server.makeUri();
    if (uri.port === null || uri.port === 0) uri = uri.with({ port: server.port });
    this.local = uri;
    server.register(uri, (request) => this.#bind(request));
    return [uri];
  }

  /**
   * Waits for the peer's binding request and returns the bound transport.
   * Rejects with MsrpConnectError: MSRP_ERR_BIND_TIMEOUT, MSRP_ERR_BIND (bound
   * by a peer other than the last URI of `fullRemotePath`), MSRP_ERR_CANCELLED.
   */
  async complete(fullRemotePath: readonly MsrpUri[]): Promise<MsrpTransport> {
    this.once.enter(2, 'complete');
    if (this.local === null) throw new MsrpConnectError('MSRP_ERR_USED', 'AcceptorDirect.complete() needs prepare() first');
    if (fullRemotePath.length === 0) throw new RangeError('the remote path is empty');
    this.#remotePath = [...fullRemotePath];
    const early = this.#early;
    if (early !== null) {
      const peer = early.remotePath[early.remotePath.length - 1];
      if (peer.equals(fullRemotePath[fullRemotePath.length - 1])) this.succeed(early);
      else this.fail(new MsrpConnectError('MSRP_ERR_BIND', `the session was bound by ${peer}, not by ${fullRemotePath[fullRemotePath.length - 1]}`));
    } else {
      const ms = this.options.bindTimeout ?? DEFAULT_BIND_TIMEOUT;
      this.#timer = setTimeout(() => this.fail(new MsrpConnectError('MSRP_ERR_BIND_TIMEOUT', `no peer bound ${this.local} within ${ms} ms`)), ms);
    }
    return this.result;
  }

  /** Gives up: complete() rejects with MSRP_ERR_CANCELLED; the listener (if its own) and any early binding are released. */
  cancel(): void {
    this.once.cancel();
    this.fail(new MsrpConnectError('MSRP_ERR_CANCELLED', 'AcceptorDirect was cancelled'));
  }

  /** The first request for this session: checks the peer and binds the session to its connection. */
  #bind(request: BindingRequest): Resolution {
    if (this.settled || this.#early !== null) return 'elsewhere';
    const local = this.local as MsrpUri;
    const { connection } = request;
    if (local.secure && !connection.secure) return 'unknown';
    const pinned = connection.secure ? checkPinnedPeer(connection.stream as tls.TLSSocket, this.options.tls?.fingerprint) : null;
    if (pinned !== null) {
      this.logger.warn({ connection: connection.label, err: pinned.message }, 'msrps binding refused');
      return 'unknown';
    }
    const remote = this.#remotePath;
    const peer = request.fromPath[request.fromPath.length - 1];
    if (remote !== null && !peer.equals(remote[remote.length - 1])) {
      this.logger.warn({ connection: connection.label, from: peer.toString() }, 'msrp binding from an unexpected peer');
      return 'unknown';
    }
    const transport = new MsrpTransport(connection, local, remote ?? request.fromPath, this.options.transport);
    this.#server?.markBound(local, connection);
    if (remote === null) this.#early = transport;
    else this.succeed(transport);
    return connection.targetOf(local) ?? 'unknown';
  }

  /** Stops the timer, closes a server of its own (a bound connection stays), and on failure drops the session. */
  protected release(success: boolean): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (!success) {
      const local = this.local;
      if (local !== null) this.#server?.unregister(local);
      this.#early?.close();
    }
    this.#early = null;
    if (this.#ownServer && this.#server !== null) void this.#server.close();
  }
}
