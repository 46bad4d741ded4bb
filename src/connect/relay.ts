/**
 * ConnectorRelay and AcceptorRelay (msrplib's names): the two ends of a
 * session that reaches its peer through an MSRP relay (RFC 4976). Each is
 * used once, like the direct ones:
 *
 * - `prepare(localUri?)` opens a connection to the relay (the relays of the
 *   settings tried in order, SRV targets in RFC 2782 order, RFC 4976 §8),
 *   AUTHs (relay-auth.ts) and returns the full local path for the SDP
 *   `a=path`: the Use-Path reversed, then our URI (§5.1).
 * - `complete(fullRemotePath)` binds toward the peer through the relay: the
 *   To-Path is our Use-Path followed by the peer's path (§5.1). The connector
 *   sends the binding SEND (RFC 4975 §5.4); the acceptor waits for the peer's
 *   first request to arrive through the relay on the AUTH connection.
 *
 * One AUTH per session on a connection of its own: a Use-Path is never
 * reused for a second session (§3.1), and the relay honours it only on the
 * connection its AUTH came on (§6.3). The AUTH is refreshed before it expires
 * while the session lives; a refresh granted another Use-Path emits
 * 'path-changed' with the new local path, which the stream must offer the
 * peer again (its SDP a=path changed).
 */
import { EventEmitter } from 'node:events';
import { MsrpConnectError, MsrpConnectionError, MsrpError } from '../errors.ts';
import type { MsrpUri } from '../protocol/uri.ts';
import { localPath, toPathToPeer } from '../relay/use-path.ts';
import { MsrpTransport, type ConnectionOptions, type MsrpConnection, type Resolution } from '../transport.ts';
import { bindActive, ConnectBase } from './direct.ts';
import { dial } from './dial.ts';
import { DEFAULT_BIND_TIMEOUT, makeLocalUri, type ConnectOptions } from './options.ts';
import { RelayAuth, type RelayGrant } from './relay-auth.ts';
import { relayList, relayTargets, type RelayOptions, type RelayTarget } from './relay-options.ts';

/** Events of ConnectorRelay and AcceptorRelay. */
export interface RelayConnectorEvents {
  /** a refresh AUTH was granted another Use-Path: offer `localPath` to the peer as the new SDP a=path (RFC 4976 §5.1) */
  'path-changed': [localPath: MsrpUri[], usePath: MsrpUri[]];
  /** a refresh AUTH succeeded (the grant's Expires starts again) */
  refreshed: [grant: RelayGrant];
  /** a refresh AUTH failed: the Use-Path expires when its time is up */
  'refresh-failed': [error: Error];
}

/** Failures after which the next relay is not tried: the relay gave its verdict on us. */
const FINAL = new Set(['MSRP_ERR_RELAY_CREDENTIALS', 'MSRP_ERR_RELAY_FORBIDDEN', 'MSRP_ERR_DIGEST_RSPAUTH', 'MSRP_ERR_CANCELLED']);

/** A failure to reach a relay at all, rather than a refusal by one. */
function unreachable(err: unknown): boolean {
  if (err instanceof MsrpConnectionError) return true;
  return err instanceof MsrpConnectError && (err.code.startsWith('MSRP_ERR_CONNECT') || err.code === 'MSRP_ERR_TLS_FINGERPRINT');
}

/** What ConnectorRelay and AcceptorRelay share: relay selection, AUTH and its refresh, early bindings. */
abstract class RelayConnectBase extends ConnectBase {
  readonly #events = new EventEmitter<RelayConnectorEvents>();
  readonly #relays: RelayOptions[];
  readonly #name: string;
  protected auth: RelayAuth | null = null;
  protected connection: MsrpConnection | null = null;
  /** the To-Path toward the peer, once complete() knows the peer's path */
  protected remote: MsrpUri[] | null = null;
  /** a transport bound by the peer's request before complete() */
  protected early: MsrpTransport | null = null;
  /** the transport of this end's own binding */
  protected outbound: MsrpTransport | null = null;

  constructor(name: string, options: ConnectOptions) {
    super(name, options);
    if (options.relay === undefined) throw new TypeError(`${name} needs relay settings (options.relay)`);
    this.#name = name;
    this.#relays = relayList(options.relay);
  }

  /** Listens to 'path-changed', 'refreshed' or 'refresh-failed'. */
  on<K extends keyof RelayConnectorEvents>(event: K, listener: (...args: RelayConnectorEvents[K]) => void): this {
    this.#events.on(event, listener as never);
    return this;
  }

  /** Stops listening. */
  off<K extends keyof RelayConnectorEvents>(event: K, listener: (...args: RelayConnectorEvents[K]) => void): this {
    this.#events.off(event, listener as never);
    return this;
  }

  /** The relay's grant (Use-Path, Expires) once prepared. */
  get grant(): RelayGrant | null {
    return this.auth?.grant ?? null;
  }

  /** The full local path for the SDP a=path (RFC 4976 §5.1), current after refreshes; null before prepare(). */
  get localPath(): MsrpUri[] | null {
    const grant = this.grant;
    return grant === null || this.local === null ? null : localPath(grant.usePath, this.local);
  }

  /**
   * Connects to the first relay that answers and AUTHs to it; returns the
   * full local path for SDP. `localUri` (port 0 or absent: the connection's
   * local port) names this end; by default a fresh URI on the connection's
   * local address. Rejects with MsrpConnectError: MSRP_ERR_RELAY_UNREACHABLE
   * (no relay could be reached), MSRP_ERR_RELAY_CREDENTIALS,
   * MSRP_ERR_RELAY_FORBIDDEN, MSRP_ERR_RELAY_EXPIRES, MSRP_ERR_RELAY_AUTH,
   * MSRP_ERR_CANCELLED; or MsrpError MSRP_ERR_DIGEST_CHALLENGE / _RSPAUTH.
   */
  async prepare(localUri?: MsrpUri): Promise<MsrpUri[]> {
    this.once.enter(1, 'prepare');
    try {
      const grant = await this.#authenticate(localUri);
      return localPath(grant.usePath, this.local as MsrpUri);
    } catch (err) {
      this.fail(err as Error);
      throw err;
    }
  }

  /** Gives up: complete() rejects with MSRP_ERR_CANCELLED, the relay connection closes and refreshing stops. */
  cancel(): void {
    this.once.cancel();
    this.fail(new MsrpConnectError('MSRP_ERR_CANCELLED', `${this.#name} was cancelled`));
  }

  /** Checks the step and returns the To-Path toward the peer (RFC 4976 §5.1). */
  protected enterComplete(fullRemotePath: readonly MsrpUri[]): MsrpUri[] {
    this.once.enter(2, 'complete');
    const grant = this.grant;
    if (this.local === null || grant === null) throw new MsrpConnectError('MSRP_ERR_USED', `${this.#name}.complete() needs prepare() first`);
    if (fullRemotePath.length === 0) throw new RangeError('the remote path is empty');
    this.remote = toPathToPeer(grant.usePath, fullRemotePath);
    return this.remote;
  }

  /** Settles with a binding made by the peer before complete(), when its sender is the expected peer. */
  protected takeEarly(early: MsrpTransport): void {
    const remote = this.remote as MsrpUri[];
    const peer = early.remotePath[early.remotePath.length - 1];
    if (peer.equals(remote[remote.length - 1])) this.succeed(early);
    else this.fail(new MsrpConnectError('MSRP_ERR_BIND', `the session was bound by ${peer}, not by ${remote[remote.length - 1]}`));
  }

  /** Tries the relays in order, each one's addresses in order, until an AUTH succeeds. */
  async #authenticate(localUri: MsrpUri | undefined): Promise<RelayGrant> {
    const errors: Error[] = [];
    const tried: string[] = [];
    for (const settings of this.#relays) {
      const targets = await relayTargets(settings, (error) => this.logger.warn({ relay: settings.host, err: error.message }, 'msrp relay SRV lookup failed'));
      if (targets.length === 0) {
        errors.push(new MsrpConnectError('MSRP_ERR_CONNECT', `_msrps._tcp.${settings.host} says no relay is offered there`));
        tried.push(settings.host);
      }
      for (const target of targets) {
        this.#checkCancelled();
        tried.push(target.connectUri.toString());
        try {
          return await this.#attempt(target, localUri);
        } catch (err) {
          this.#checkCancelled();
          if (FINAL.has((err as MsrpError).code)) throw err;
          this.logger.warn({ relay: target.connectUri.toString(), err: (err as Error).message }, 'msrp relay failed, trying the next');
          errors.push(err as Error);
        }
      }
    }
    const last = errors[errors.length - 1];
    if (last !== undefined && !unreachable(last) && last instanceof MsrpError) throw last;
    throw new MsrpConnectError('MSRP_ERR_RELAY_UNREACHABLE',
      `no relay could be reached: ${tried.map((t, i) => `${t} (${errors[i]?.message ?? 'failed'})`).join('; ')}`, 0,
      { cause: new AggregateError(errors, 'relay attempts') });
  }

  async #attempt(target: RelayTarget, localUri: MsrpUri | undefined): Promise<RelayGrant> {
    const { settings } = target;
    const connection = await dial(target.connectUri, this.#dialOptions(settings));
    if (this.once.cancelled) {
      connection.destroy();
      this.#checkCancelled();
    }
    this.connection = connection;
    const port = connection.stream.localPort ?? 9;
    let local = localUri ?? makeLocalUri({ host: connection.stream.localAddress, port, secure: connection.secure });
    if (local.port === null || local.port === 0) local = local.with({ port });
    this.local = local;
    const auth = new RelayAuth({ connection, localUri: local, toPath: [target.authUri], settings, logger: this.logger });
    this.auth = auth;
    try {
      const grant = await auth.authenticate();
      auth.on('path-changed', (usePath) => this.#events.emit('path-changed', localPath(usePath, local), usePath));
      auth.on('refreshed', (refreshed) => this.#events.emit('refreshed', refreshed));
      auth.on('refresh-failed', (error) => this.#events.emit('refresh-failed', error));
      // the Use-Path lives on this connection only (RFC 4976 §6.3): losing it before binding ends the attempt
      connection.once('close', (error) => this.fail(new MsrpConnectError('MSRP_ERR_BIND',
        `the connection to the relay closed before the session was bound${error === null ? '' : `: ${error.message}`}`, 0, { cause: error ?? undefined })));
      this.logger.debug({ relay: target.connectUri.toString(), usePath: grant.usePath.join(' '), expires: grant.expires }, 'msrp relay AUTH granted');
      return grant;
    } catch (err) {
      auth.stop();
      connection.destroy();
      if (this.connection === connection) this.connection = null;
      this.auth = null;
      throw err;
    }
  }

  /**
   * Options of the relay connection: the relay's TLS settings and chunk size,
   * and a resolver that binds the session when the peer's first request
   * comes before a transport exists (dial passes `connection` on as given).
   */
  #dialOptions(settings: RelayOptions): ConnectOptions {
    const connection: ConnectionOptions = {
      ...this.options.connection,
      resolve: (_chunk, toPath, fromPath, conn) => this.#inbound(toPath, fromPath, conn),
    };
    if (settings.maxChunkSize !== undefined) connection.maxChunkSize = settings.maxChunkSize;
    return { ...this.options, tls: settings.tls ?? this.options.tls, connection };
  }

  /**
   * A request for our URI arrived through the relay with no transport for it
   * yet: the peer bound the session (RFC 4975 §5.4). Kept as the binding when
   * it comes from the expected peer; its From-Path is the way back (RFC 4976 §6.4).
   */
  #inbound(toPath: MsrpUri[], fromPath: MsrpUri[], connection: MsrpConnection): Resolution {
    const local = this.local;
    if (local === null || this.settled || this.early !== null || toPath.length !== 1 || !toPath[0].equals(local)) return 'unknown';
    const remote = this.remote;
    const peer = fromPath[fromPath.length - 1];
    if (remote !== null && !peer.equals(remote[remote.length - 1])) {
      this.logger.warn({ from: peer.toString() }, 'msrp binding through the relay from an unexpected peer');
      return 'unknown';
    }
    const transport = new MsrpTransport(connection, local, remote ?? fromPath, this.options.transport);
    if (remote === null) this.early = transport;
    else this.succeed(transport);
    return connection.targetOf(local) ?? 'unknown';
  }

  #checkCancelled(): void {
    if (this.once.cancelled) throw new MsrpConnectError('MSRP_ERR_CANCELLED', `${this.#name} was cancelled`);
  }

  /** On success only the helpers go (refreshing lasts as long as the transport); on failure everything. */
  protected release(success: boolean): void {
    if (success) {
      this.early = null;
      this.outbound = null;
      return;
    }
    this.auth?.stop();
    this.early?.close();
    this.outbound?.close();
    this.early = null;
    this.outbound = null;
    this.connection?.destroy();
  }

  /** Settles complete() with `transport`; the AUTH refresh stops when it closes. */
  protected override succeed(transport: MsrpTransport): void {
    if (this.settled) return;
    const auth = this.auth;
    transport.once('close', () => auth?.stop());
    super.succeed(transport);
  }
}

/** The active end through a relay: binds with a bodiless SEND along our Use-Path and the peer's path. */
export class ConnectorRelay extends RelayConnectBase {
  constructor(options: ConnectOptions) {
    super('ConnectorRelay', options);
  }

  /**
   * Binds toward the peer: To-Path our Use-Path then `fullRemotePath` (RFC
   * 4976 §5.1), a binding SEND (RFC 4975 §5.4) answered by the relay. Rejects
   * with MsrpConnectError (MSRP_ERR_BIND*, MSRP_ERR_CANCELLED).
   */
  async complete(fullRemotePath: readonly MsrpUri[]): Promise<MsrpTransport> {
    const remote = this.enterComplete(fullRemotePath);
    if (this.early !== null) {
      // the peer bound first through the relay: the connection is the same either way
      this.takeEarly(this.early);
      return this.result;
    }
    void this.#bind(remote);
    return this.result;
  }

  async #bind(remote: MsrpUri[]): Promise<void> {
    let transport: MsrpTransport;
    try {
      transport = new MsrpTransport(this.connection as MsrpConnection, this.local as MsrpUri, remote, this.options.transport);
    } catch (err) {
      this.fail(new MsrpConnectError('MSRP_ERR_BIND', `cannot use the relay connection: ${(err as Error).message}`, 0, { cause: err }));
      return;
    }
    this.outbound = transport;
    try {
      await bindActive(transport, this.options.bindTimeout ?? DEFAULT_BIND_TIMEOUT);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.succeed(transport);
  }
}

/** The passive end through a relay: waits for the peer's first request on the AUTH connection. */
export class AcceptorRelay extends RelayConnectBase {
  #timer: NodeJS.Timeout | null = null;

  constructor(options: ConnectOptions) {
    super('AcceptorRelay', options);
  }

  /**
   * Waits for the peer's binding request through the relay (or takes one that
   * came already). Rejects with MsrpConnectError: MSRP_ERR_BIND_TIMEOUT,
   * MSRP_ERR_BIND (bound by another peer), MSRP_ERR_CANCELLED.
   */
  async complete(fullRemotePath: readonly MsrpUri[]): Promise<MsrpTransport> {
    this.enterComplete(fullRemotePath);
    if (this.early !== null) {
      this.takeEarly(this.early);
    } else {
      const ms = this.options.bindTimeout ?? DEFAULT_BIND_TIMEOUT;
      this.#timer = setTimeout(() => this.fail(new MsrpConnectError('MSRP_ERR_BIND_TIMEOUT', `no peer bound ${this.local} through the relay within ${ms} ms`)), ms);
    }
    return this.result;
  }

  protected override release(success: boolean): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    super.release(success);
  }
}
