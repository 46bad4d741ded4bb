/**
 * MsrpStreamBase: the lifecycle the three stream classes share (sipsimple's
 * MSRPStreamBase): `initialize(remoteOffer?)` makes the local media
 * description, `start(remoteMedia)` checks the remote one, connects as RFC
 * 6135 says and runs an MsrpSession, `end()` shuts it down. Each step is
 * reported by an event (the MediaStream* notifications of sipsimple; the
 * table is in docs/streams.md).
 *
 * Who connects (RFC 6135 §4.2, src/connect/roles.ts): an offerer offers
 * `actpass` and listens (or `active`, port 9, with `listen: false`); an
 * answerer answers `passive` and listens, or `active` when it cannot listen.
 * When the answer makes an offerer that listened the active side, it drops
 * its listener and connects from the same URI, so the a=path it offered
 * stays true. With a relay (RFC 4976) neither side takes a connection from
 * the other: both reach their relay with a ConnectorRelay and send a
 * binding SEND along the path, whatever a=setup says.
 *
 * msrps: the local certificate's fingerprint goes into a=fingerprint, and
 * fingerprints in the remote media pin the peer's certificate (RFC 8122 §5,
 * RFC 4975 §14.4) unless `connect.tls.fingerprint` was given.
 */
import { EventEmitter } from 'node:events';
import { getAcceptor, getConnector, type Connector } from '../connect/index.ts';
import type { ConnectOptions } from '../connect/options.ts';
import { answerSetup, connectionRole, offerSetup } from '../connect/roles.ts';
import { certificateFingerprint, parseFingerprint } from '../connect/tls.ts';
import { createParseError, MsrpStreamError } from '../errors.ts';
import { noopLogger, type Logger } from '../log.ts';
import { type IncomingStream, MsrpSession, type MsrpSessionOptions } from '../session.ts';
import {
  checkRemoteMedia, createMsrpMedia, formatMsrpMedia, parseMsrpMedia, type MsrpMedia, type MsrpMediaInit,
} from './sdp.ts';

/** Where a stream is in its lifecycle. */
export type StreamState = 'new' | 'initializing' | 'initialized' | 'starting' | 'started' | 'ending' | 'ended';

/** Options every stream takes. */
export interface StreamOptions {
  /** address for the local URI and the listener (default: the connect module's defaultHost) */
  host?: string;
  /** this side can take a connection at its address (default true): offer `actpass`, answer `passive` (RFC 6135 §4.2.2) */
  listen?: boolean;
  /** connect options: tls, relay, server, pool, timeouts, trafficLog (the stream sets `host` and `transport`) */
  connect?: Omit<ConnectOptions, 'transport' | 'host'>;
  /** session options (reports, limits, keepalive); the stream sets accept-types and what it needs */
  session?: MsrpSessionOptions;
  /** ms end() waits for pending messages before closing (default 5000) */
  endTimeout?: number;
  logger?: Logger;
}

/** The lifecycle events (sipsimple's MediaStream* notifications). */
export interface StreamEvents {
  /** initialize() made the local media description (MediaStreamDidInitialize; sipsimple's `sdpmedia`) */
  didInitialize: [info: { sdpMedia: string; media: MsrpMedia }];
  /** initialize() failed (MediaStreamDidNotInitialize) */
  didNotInitialize: [info: { reason: string; error: Error }];
  /** start() connected and the session runs (MediaStreamDidStart) */
  didStart: [];
  /** end() was called or the session failed: the stream is ending (MediaStreamWillEnd) */
  willEnd: [];
  /** the stream ended; `error` when it failed (MediaStreamDidEnd) */
  didEnd: [info: { error: Error | null }];
  /** start() or a running session failed (MediaStreamDidFail); didEnd follows */
  didFail: [info: { reason: string; error: Error }];
}

/** What a stream class adds to its media description; path, setup and fingerprints come from the base. */
export type MediaParts = Omit<MsrpMediaInit, 'path' | 'setup' | 'fingerprints' | 'port' | 'secure' | 'connection'>;

/** A media description given as SDP text (an m= section or a whole SDP) or already parsed. */
export type MediaInput = MsrpMedia | string;

function sdpError(message: string): Error {
  return createParseError('MSRP_ERR_SDP', message, 0);
}

function stateError(what: string, state: StreamState): MsrpStreamError {
  return new MsrpStreamError('MSRP_ERR_STREAM_STATE', `${what} is not possible while the stream is ${state}`);
}

/**
 * A large incoming message (the session's 'incoming' stream) gathered in
 * memory, for streams whose messages are used whole: null when it ends
 * incomplete or passes `max` octets (then the rest is refused with 413).
 */
export function gatherIncoming(stream: IncomingStream, max: number): Promise<Buffer | null> {
  if (stream.size !== null && stream.size > max) {
    stream.destroy();
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    const pieces: Buffer[] = [];
    let length = 0;
    stream.on('data', (piece: Buffer) => {
      length += piece.length;
      if (length > max) stream.destroy();
      else pieces.push(piece);
    });
    stream.once('end', () => resolve(Buffer.concat(pieces, length)));
    stream.once('error', () => resolve(null));
    stream.once('close', () => resolve(null));
  });
}

/** Parses SDP text; an already parsed media description is returned as it is. */
export function toMedia(input: MediaInput): MsrpMedia {
  return typeof input === 'string' ? parseMsrpMedia(input) : input;
}

/** See the module comment. `E` is the stream's event map, which includes StreamEvents. */
export abstract class MsrpStreamBase<E extends StreamEvents & Record<keyof E, any[]>> extends EventEmitter<E> {
  readonly logger: Logger;
  protected readonly options: StreamOptions;
  #state: StreamState = 'new';
  #offerer = true;
  #local: MsrpMedia | null = null;
  #remote: MsrpMedia | null = null;
  #session: MsrpSession | null = null;
  #connector: Connector | null = null;
  /** the prepared side listens (acceptor) */
  #passive = false;
  /** the connect options handed to the connector (tls pins are set on it at start) */
  #connect: ConnectOptions = {};
  #ended: Promise<void> | null = null;

  constructor(options: StreamOptions = {}) {
    super();
    this.options = options;
    this.logger = options.logger ?? options.connect?.logger ?? noopLogger;
  }

  /** Where the stream is in its lifecycle. */
  get state(): StreamState {
    return this.#state;
  }

  /** True when this side made the offer (initialize() without a remote offer). */
  get offerer(): boolean {
    return this.#offerer;
  }

  /** The local media description, once initialized. */
  get localMedia(): MsrpMedia | null {
    return this.#local;
  }

  /** The local media description as SDP text (sipsimple's `sdpmedia`), once initialized. */
  get sdpMedia(): string | null {
    return this.#local === null ? null : formatMsrpMedia(this.#local);
  }

  /** The remote media description, once given. */
  get remoteMedia(): MsrpMedia | null {
    return this.#remote;
  }

  /** The running session, once started. */
  get session(): MsrpSession | null {
    return this.#session;
  }

  /**
   * Makes the local media description: without `remoteOffer` this side
   * offers, with it this side answers it (its a=setup decides the role).
   * Emits didInitialize; on failure didNotInitialize and rejects.
   */
  async initialize(remoteOffer?: MediaInput): Promise<MsrpMedia> {
    if (this.#state !== 'new') throw stateError('initialize()', this.#state);
    this.#state = 'initializing';
    try {
      const offer = remoteOffer === undefined ? null : toMedia(remoteOffer);
      this.#offerer = offer === null;
      if (offer !== null) this.#remote = offer;
      const parts = await this.describe(offer);
      const connect = this.options.connect ?? {};
      const canListen = this.options.listen !== false || connect.relay !== undefined;
      const setup = offer === null ? offerSetup(canListen) : answerSetup(offer.setup, !canListen);
      this.#passive = setup !== 'active';
      this.#connect = { ...connect, host: this.options.host, transport: this.transportOptions(parts) };
      // through a relay (RFC 4976) neither end takes a TCP connection from the other: both send a binding SEND
      // (RFC 4975 §5.4) along the relay path, else two acceptors would wait for each other
      const connector = this.#passive && connect.relay === undefined ? getAcceptor(this.#connect) : getConnector(this.#connect);
      this.#connector = connector;
      const path = await connector.prepare();
      const cert = connect.tls?.cert;
      // port and c= from the own URI, port 9 for an active side (RFC 6135 §4.2.2): createMsrpMedia's defaults
      const media = createMsrpMedia({
        ...parts, path, setup: setup as MsrpMediaInit['setup'],
        fingerprints: path[path.length - 1].secure && cert !== undefined ? [parseFingerprint(certificateFingerprint(cert))] : [],
      });
      if (offer !== null) checkRemoteMedia(media, offer);
      if (this.#state !== 'initializing') throw stateError('initialize()', this.#state);
      this.#local = media;
      this.#state = 'initialized';
      this.emitStream('didInitialize', { sdpMedia: formatMsrpMedia(media), media });
      return media;
    } catch (err) {
      this.#connector?.cancel();
      this.#connector = null;
      const error = err as Error;
      if (this.#state === 'initializing') this.#state = 'ended';
      this.emitStream('didNotInitialize', { reason: error.message, error });
      this.onEnded(error);
      throw error;
    }
  }

  /**
   * Checks the remote media description, connects as the a=setup roles say
   * (RFC 6135) and starts the session. Emits didStart; on failure didFail
   * and didEnd, and rejects.
   */
  async start(remoteMedia: MediaInput): Promise<void> {
    if (this.#state !== 'initialized') throw stateError('start()', this.#state);
    this.#state = 'starting';
    const local = this.#local as MsrpMedia;
    try {
      const remote = toMedia(remoteMedia);
      this.#remote = remote;
      checkRemoteMedia(local, remote);
      this.checkRemote(remote);
      const [offer, answer] = this.#offerer ? [local, remote] : [remote, local];
      const role = connectionRole({ offerer: this.#offerer, offer: offer.setup, answer: answer.setup });
      let connector = this.#connector as Connector;
      if (this.options.connect?.relay === undefined && (role === 'passive') !== this.#passive) {
        if (role === 'passive') throw sdpError(`a=setup: this side offered ${local.setup} but the answer wants it to wait (RFC 4145 §4.1)`);
        // the answer makes this listening offerer the active side: connect from the URI it offered
        connector.cancel();
        connector = getConnector(this.#connect);
        this.#connector = connector;
        await connector.prepare(local.path[local.path.length - 1]);
      }
      this.#pin(remote);
      const transport = await connector.complete(remote.path);
      if (this.#state !== 'starting') {
        transport.close();
        throw stateError('start()', this.#state);
      }
      this.#connector = null;
      const session = new MsrpSession(transport, { logger: this.logger, ...this.options.session, ...this.sessionOptions() });
      this.#session = session;
      session.on('close', this.#onSessionClose);
      this.#state = 'started';
      this.onStart(session, remote);
      this.emitStream('didStart');
    } catch (err) {
      const error = err as Error;
      if (this.#state === 'starting') this.#fail(error);
      throw error;
    }
  }

  /**
   * Ends the stream (sipsimple's end): willEnd, then the session shuts down
   * gracefully (pending messages get up to `endTimeout` ms), then didEnd.
   * Harmless when already ended.
   */
  end(): Promise<void> {
    if (this.#ended !== null) return this.#ended;
    this.#ended = this.#end(null);
    return this.#ended;
  }

  async #end(error: Error | null): Promise<void> {
    const state = this.#state;
    if (state === 'ended') return;
    this.#state = 'ending';
    this.emitStream('willEnd');
    this.#connector?.cancel();
    this.#connector = null;
    this.onEnding(error);
    const session = this.#session;
    if (session !== null && !session.closed) {
      if (error === null) await session.shutdown({ timeout: this.options.endTimeout ?? 5000 });
      else session.close();
    }
    this.#state = 'ended';
    this.onEnded(error);
    this.emitStream('didEnd', { error });
  }

  /** A failure while starting or running: didFail, then the stream ends. */
  #fail(error: Error): void {
    if (this.#state === 'ended' || this.#state === 'ending') return;
    this.logger.warn({ err: error.message }, 'msrp stream failed');
    this.emitStream('didFail', { reason: error.message, error });
    this.#ended ??= this.#end(error);
  }

  /** Emits a lifecycle event (the generic event map cannot name them inside this class). */
  protected emitStream<K extends keyof StreamEvents>(name: K, ...args: StreamEvents[K]): void {
    (this as unknown as EventEmitter).emit(name, ...args);
  }

  /** Fails the stream from a subclass (a local socket broke, a transfer cannot go on). */
  protected fail(error: Error): void {
    this.#fail(error);
  }

  readonly #onSessionClose = (error: Error | null): void => {
    // a clean close by the peer ends the stream; a failed connection fails it
    if (error !== null) this.#fail(error);
    else if (this.#ended === null) this.#ended = this.#end(null);
  };

  /** RFC 8122 §5: the remote a=fingerprint pins the peer's certificate unless pins were configured. */
  #pin(remote: MsrpMedia): void {
    const tls = this.#connect.tls;
    if (remote.fingerprints.length === 0 || tls?.fingerprint !== undefined || !remote.path[remote.path.length - 1].secure) return;
    // the connector holds this object: the pins apply to the connection it makes or accepts
    this.#connect.tls = { ...tls, fingerprint: remote.fingerprints.map((f) => `${f.hash} ${f.value}`) };
  }

  /** The stream's part of the local media description; `offer` is the remote offer when answering. */
  protected abstract describe(offer: MsrpMedia | null): MediaParts | Promise<MediaParts>;

  /** Transport options: the local accept-types (others get 415, RFC 4975 §7.3) and any extra methods. */
  protected transportOptions(parts: MediaParts): ConnectOptions['transport'] {
    return { acceptTypes: parts.acceptTypes };
  }

  /** Session options the stream needs (merged over `options.session`). */
  protected sessionOptions(): MsrpSessionOptions {
    return { acceptTypes: this.#local?.acceptTypes };
  }

  /** Checks the stream-specific parts of the remote media; throws to refuse it. */
  protected checkRemote(_remote: MsrpMedia): void {}

  /** The session runs: attach handlers, flush queues. */
  protected abstract onStart(session: MsrpSession, remote: MsrpMedia): void;

  /** The stream is ending (before the session shuts down). */
  protected onEnding(_error: Error | null): void {}

  /** The stream ended, or never started: release what is left. */
  protected onEnded(_error: Error | null): void {}
}
