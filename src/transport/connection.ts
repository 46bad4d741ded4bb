/**
 * MsrpConnection: one transport connection between two MSRP nodes, shared by
 * every session bound to it (RFC 4975 §5.4). It owns the byte stream, the
 * ChunkParser reading it, the ChunkWriter writing it and the transaction
 * table, and it gives incoming requests their mandatory answers (RFC 4975
 * §7.3): 481 when the To-Path names no session of this connection, 506 when
 * the session is bound to another one, 501 for methods the session does not
 * implement, 400 for malformed requests, 415 for media types outside the
 * session's accept-types (§8.6), 413 for non-SEND bodies over 10240 octets
 * (§7.1). Accepted requests go to their session's RequestTarget: SEND chunks
 * as a head, body segments and an end (so nothing has to be buffered), other
 * requests whole. A bodiless SEND (binding, keepalive) is answered 200 here,
 * unless it ends in `#`: that aborts a message (RFC 4975 §7.1), so it goes to
 * the target like a chunk of the message.
 *
 * The connection closes only when framing is lost (a fatal parse error) or
 * the stream ends; every other error is answered and the connection stays up
 * for its other sessions.
 */
import { EventEmitter } from 'node:events';
import { MsrpConnectionError, type MsrpParseError } from '../errors.ts';
import { noopLogger, headText, summarizeBody, type Logger, type TrafficLog } from '../log.ts';
import { Chunk } from '../protocol/chunk.ts';
import { ChunkParser } from '../protocol/chunk-parser.ts';
import { StatusCode } from '../protocol/status.ts';
import type { MsrpUri } from '../protocol/uri.ts';
import { HeadMemo, MAX_NON_SEND_BODY, validateHead, type ValidateOptions } from '../protocol/validate.ts';
import { streamLabel, type ByteStream } from './byte-stream.ts';
import { OutgoingMessage, type OutgoingMessageInit } from './outgoing.ts';
import { failureReportOf, makeResponse, responseText } from './responses.ts';
import { DEFAULT_TRANSACTION_TIMEOUT, TransactionTable, type TransactionResult } from './transactions.ts';
import type { ConnectionEvents, ConnectionOptions, RequestTarget, Resolution } from './targets.ts';
import { ChunkWriter } from './writer.ts';

export type { ConnectionEvents, ConnectionOptions, RequestTarget, Resolution } from './targets.ts';

/** Where the request being read goes. */
const enum Mode { SKIP, STREAM, GATHER }

interface Current {
  chunk: Chunk;
  target: RequestTarget | null;
  mode: Mode;
  parts: Buffer[];
  size: number;
  /** a response was already sent (rejection) */
  answered: boolean;
}

const DEFAULT_MAX_WHOLE_CHUNK = 1024 * 1024;
function noop(): void {}
let connectionIds = 0;

/** See the module comment. */
export class MsrpConnection extends EventEmitter<ConnectionEvents> {
  readonly id = ++connectionIds;
  readonly stream: ByteStream;
  readonly transactions: TransactionTable;
  readonly writer: ChunkWriter;
  readonly logger: Logger;
  /** `local->remote` */
  readonly label: string;
  readonly #parser: ChunkParser;
  readonly #traffic: TrafficLog | null;
  readonly #maxWholeChunk: number;
  readonly #resolve: ConnectionOptions['resolve'];
  readonly #sessions = new Map<string, { uri: MsrpUri; target: RequestTarget }>();
  #current: Current | null = null;
  /** the request validateHead is looking at, and the target its To-Path names */
  #routing: Chunk | null = null;
  #routed: RequestTarget | null = null;
  /** validateHead's view of this connection, made once (not a closure per request) */
  readonly #validation: ValidateOptions = ((connection: MsrpConnection): ValidateOptions => ({
    session: (toPath, fromPath) => {
      const r = connection.#route(connection.#routing as Chunk, toPath, fromPath);
      if (typeof r === 'string') return r;
      connection.#routed = r;
      return 'ok';
    },
    get methods() { return connection.#routed?.methods; },
    get acceptTypes() { return connection.#routed?.acceptTypes; },
    // a session's requests repeat their paths: each value is parsed once per connection
    memo: new HeadMemo(),
  }))(this);
  #closed = false;
  #ending = false;
  #started: boolean;
  #closeError: Error | null = null;

  constructor(stream: ByteStream, options: ConnectionOptions = {}) {
    super();
    this.stream = stream;
    if (options.noDelay !== false) stream.setNoDelay?.(true);
    this.label = streamLabel(stream);
    this.logger = options.logger ?? noopLogger;
    this.#traffic = options.trafficLog ?? null;
    this.#maxWholeChunk = options.maxWholeChunk ?? DEFAULT_MAX_WHOLE_CHUNK;
    this.#resolve = options.resolve;
    this.transactions = new TransactionTable(options.transactionTimeout ?? DEFAULT_TRANSACTION_TIMEOUT);
    this.writer = new ChunkWriter(stream, this.transactions, { ...options, label: this.label, trafficLog: this.#traffic });
    this.writer.onUncongested = () => this.#flow();
    this.#parser = new ChunkParser({
      engine: options.engine,
      limits: options.limits,
      // bodies are streamed or gathered here; the parser never gathers (no copy of large bodies)
      wholeChunkLimit: 0,
      onHead: (chunk) => this.#onHead(chunk),
      onBody: (segment, chunk) => this.#onBody(segment, chunk),
      onEnd: (chunk) => this.#onEnd(chunk),
      onError: (error) => this.#onParseError(error),
    });
    stream.on('data', this.#onData);
    stream.on('end', this.#onStreamEnd);
    stream.on('error', this.#onError);
    stream.on('close', this.#onClose);
    this.#started = options.paused !== true;
    if (!this.#started) stream.pause();
  }

  /** True once the stream closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True once `close()` or `destroy()` was called or the stream closed: not to be reused. */
  get closing(): boolean {
    return this.#closed || this.#ending;
  }

  /** True for a TLS connection. */
  get secure(): boolean {
    return this.stream.encrypted === true;
  }

  /** Sessions registered on this connection. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Starts reading a connection made with `paused: true`. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#flow();
  }

  /**
   * Routes requests whose To-Path is `uri` (exactly one URI, RFC 4975 §7.3) to
   * `target`. Throws RangeError when the session id is taken on this connection.
   */
  register(uri: MsrpUri, target: RequestTarget): void {
    if (uri.sessionId === null) throw new RangeError(`${uri} has no session id`);
    if (this.#sessions.has(uri.sessionId)) throw new RangeError(`session ${uri.sessionId} is already on this connection`);
    this.#sessions.set(uri.sessionId, { uri, target });
  }

  /** Stops routing to the session of `uri`; 'idle' when it was the last one. */
  unregister(uri: MsrpUri): void {
    if (uri.sessionId === null || !this.#sessions.delete(uri.sessionId)) return;
    if (this.#sessions.size === 0) this.emit('idle');
  }

  /** True when a session with `uri`'s session id is registered here. */
  hasSession(uri: MsrpUri): boolean {
    return uri.sessionId !== null && this.#sessions.has(uri.sessionId);
  }

  /** The target registered for `uri`'s session id (for a resolver that has just registered one). */
  targetOf(uri: MsrpUri): RequestTarget | undefined {
    return uri.sessionId === null ? undefined : this.#sessions.get(uri.sessionId)?.target;
  }

  /**
   * True while the body segments given to targets are views of Buffers that
   * nothing writes again (the stream's own 'data' Buffers, a fresh allocation
   * per read): a target may keep them without copying. False from the first
   * `push()` on, since a reader that bypasses 'data' may reuse its memory.
   */
  segmentsRetainable = true;

  /**
   * Input for the parser. The connection reads its stream's 'data' itself; a
   * reader that bypasses 'data' (a socket reading into sharedReadBuffer(), see
   * dial) calls this instead, and may overwrite `data` once it returns: body
   * segments are then only valid during their callback (segmentsRetainable
   * turns false) and what the parser keeps behind a pause is copied. False
   * when reading should pause until `resume()`.
   */
  push(data: Buffer): boolean {
    if (this.#closed) return false;
    this.segmentsRetainable = false;
    this.#parser.push(data);
    if (this.#parser.isPaused) this.#parser.detach();
    return this.#flow();
  }

  /** Goes on reading after a target paused (returned false). */
  resume(): void {
    if (this.#closed) return;
    if (this.#parser.isPaused) this.#parser.resume();
    this.#flow();
  }

  /** Pauses or resumes the stream; true when reading goes on. */
  #flow(): boolean {
    const go = this.#started && !this.#parser.isPaused && !this.writer.congested && !this.#closed;
    if (go) this.stream.resume();
    else this.stream.pause();
    return go;
  }

  /**
   * Writes a whole chunk ahead of message slices and runs its transaction:
   * resolves with the response, a local 408, or (no response expected) once
   * written; a response never waits for anything. Rejects with
   * MsrpConnectionError when the connection closes first, RangeError/TypeError
   * for a chunk that cannot be written.
   */
  writeChunk(chunk: Chunk): Promise<TransactionResult> {
    return new Promise<TransactionResult>((resolve, reject) => {
      if (this.#closed) return reject(this.#closedError());
      const parts = frameParts(chunk);
      if (chunk.isResponse) {
        this.writer.writeChunk(chunk, parts, (error) => error ? reject(error) : resolve({
          transactionId: chunk.transactionId, code: 0, comment: null, response: null, local: false,
        }));
        return;
      }
      // RFC 4975 §7.1.2: nobody answers a REPORT, so it waits for nothing
      const mode = chunk.method === 'REPORT' ? 'no' : failureReportOf(chunk);
      this.transactions.add(chunk.transactionId, mode, { settle: resolve, fail: reject });
      this.writer.writeChunk(chunk, parts, (error) => {
        if (error) {
          this.transactions.remove(chunk.transactionId);
          reject(error);
        } else {
          this.transactions.start(chunk.transactionId);
        }
      });
    });
  }

  /**
   * Answers `request` with `code` when RFC 4975 allows a response at all
   * (see mayRespond); `fromUri` is this endpoint's URI in the session.
   * Returns whether a response was queued.
   */
  writeResponse(request: Chunk, code: number, comment?: string | null, fromUri?: string): boolean {
    if (this.#closed) return false;
    const text = responseText(request, code, comment, fromUri);
    if (text === null) return false;
    // the traffic log shows a Chunk; otherwise the wire text is made directly
    const logged = this.#traffic === null ? null : makeResponse(request, code, comment, fromUri);
    this.writer.writeText(logged, text, noop);
    return true;
  }

  /** Queues a message to be cut into chunks by the writer. */
  sendMessage(init: OutgoingMessageInit): OutgoingMessage {
    const message = new OutgoingMessage(init);
    if (this.#closed) message.fail(this.#closedError());
    else this.writer.addMessage(message);
    return message;
  }

  /** Ends the connection once everything queued is written. */
  close(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    const finish = (): void => {
      if (this.#closed) return;
      if (this.writer.idle && this.stream.writableLength === 0) this.stream.end();
      else setTimeout(finish, 5).unref();
    };
    finish();
    // a peer that never closes its side does not hold the stream open for ever
    setTimeout(() => this.destroy(), 5000).unref();
  }

  /** Closes the connection at once; pending work fails with `error` (or a connection-closed error). */
  destroy(error?: Error): void {
    if (this.#closed) return;
    if (error !== undefined) this.#closeError ??= error;
    this.stream.destroy();
    // some streams do not emit 'close' when destroyed before they opened
    queueMicrotask(() => this.#onClose());
  }

  #closedError(): MsrpConnectionError {
    return new MsrpConnectionError('MSRP_ERR_CONNECTION_CLOSED', `connection ${this.label} is closed`,
      { cause: this.#closeError ?? undefined });
  }

  readonly #onData = (data: Buffer): void => {
    this.#parser.push(data);
    this.#flow();
  };

  readonly #onStreamEnd = (): void => {
    if (!this.#ending) this.#closeError ??= new MsrpConnectionError('MSRP_ERR_CONNECTION_LOST', `the peer closed ${this.label}`);
    if (!this.#closed) this.#parser.finish();
    // the peer half-closed: nothing more can be read, so no request can be answered in turn
    if (!this.#ending) this.close();
  };

  readonly #onError = (error: Error): void => {
    this.#closeError ??= new MsrpConnectionError('MSRP_ERR_CONNECTION_LOST', `connection ${this.label} failed: ${error.message}`, { cause: error });
    this.logger.warn({ connection: this.label, err: error.message }, 'msrp connection error');
  };

  readonly #onClose = (): void => {
    if (this.#closed) return;
    this.#closed = true;
    this.stream.off('data', this.#onData);
    const error = this.#closeError;
    const failure = error ?? new MsrpConnectionError('MSRP_ERR_CONNECTION_CLOSED', `connection ${this.label} closed`);
    const current = this.#current;
    this.#current = null;
    if (current !== null && current.mode === Mode.STREAM) current.target?.onSendTruncated?.(current.chunk, failure);
    this.transactions.failAll(failure);
    this.writer.close(failure);
    this.#parser.free();
    const targets = [...this.#sessions.values()].map((s) => s.target);
    this.#sessions.clear();
    for (const t of targets) t.onClose?.(error);
    this.logger.debug({ connection: this.label, err: error?.message }, 'msrp connection closed');
    this.emit('close', error);
  };

  /** Finds the target of a request (RFC 4975 §7.3). */
  #route(chunk: Chunk, toPath: MsrpUri[], fromPath: MsrpUri[]): Resolution {
    const first = toPath[0];
    const session = first.sessionId === null ? undefined : this.#sessions.get(first.sessionId);
    // "the To-Path will have exactly one URI, which MUST map to an existing session"
    if (session !== undefined && toPath.length === 1 && session.uri.equals(first)) return session.target;
    // the parsed paths are shared through validateHead's memo: a resolver gets arrays of its own
    return this.#resolve?.(chunk, toPath.slice(), fromPath.slice(), this) ?? 'unknown';
  }

  #onHead(chunk: Chunk): boolean {
    this.#current = null;
    if (chunk.isResponse) {
      if (!this.transactions.settle(chunk)) {
        this.logger.debug({ connection: this.label, transactionId: chunk.transactionId }, 'msrp response to no transaction');
        this.emit('unknown-response', chunk);
      }
      this.#current = { chunk, target: null, mode: Mode.SKIP, parts: [], size: 0, answered: true };
      return true;
    }
    this.#routing = chunk;
    this.#routed = null;
    const failure = validateHead(chunk, this.#validation);
    const target = this.#routed as RequestTarget | null;
    this.#routed = null;
    this.#routing = null;
    const current: Current = { chunk, target, mode: Mode.SKIP, parts: [], size: 0, answered: false };
    this.#current = current;
    if (failure !== null) {
      this.logger.debug({ connection: this.label, transactionId: chunk.transactionId, status: failure.statusCode, reason: failure.reason }, 'msrp request refused');
      this.#answer(current, failure.statusCode, failure.reason);
      return true;
    }
    const t = target;
    if (t === null || chunk.body === undefined) return true; // a bodiless request is handled at its end-line
    if (chunk.method === 'SEND' && t.onSendHead !== undefined) {
      current.mode = Mode.STREAM;
      return t.onSendHead(chunk) !== false;
    }
    current.mode = Mode.GATHER;
    return true;
  }

  #onBody(segment: Buffer, chunk: Chunk): boolean {
    const current = this.#current;
    if (current === null) return true;
    current.size += segment.length;
    if (this.#traffic !== null && current.parts.length === 0 && current.mode !== Mode.GATHER) current.parts.push(Buffer.from(segment.subarray(0, 512)));
    if (current.mode === Mode.STREAM) return current.target?.onSendBody?.(segment, chunk) !== false;
    if (current.mode !== Mode.GATHER) return true;
    const limit = chunk.method === 'SEND' ? this.#maxWholeChunk : MAX_NON_SEND_BODY;
    if (current.size > limit) {
      // RFC 4975 §7.1: non-SEND bodies are at most 10240 octets
      current.mode = Mode.SKIP;
      current.parts = [];
      this.#answer(current, StatusCode.TOO_LARGE, `a ${chunk.method} body over ${limit} octets`);
      return true;
    }
    current.parts.push(Buffer.from(segment));
    return true;
  }

  #onEnd(chunk: Chunk): boolean {
    const current = this.#current;
    this.#current = null;
    if (current === null) return true;
    this.#logIn(current);
    if (chunk.isResponse || current.answered) return true;
    const target = current.target;
    if (current.mode === Mode.STREAM) return target?.onSendEnd?.(chunk) !== false;
    if (target === null) return true;
    if (chunk.body === undefined && chunk.method === 'SEND' && target.takesBodilessSend !== true) {
      // `#` aborts the message named by Message-ID (RFC 4975 §7.1): the target discards what it holds
      // of it, so it goes where that message's chunks go
      if (chunk.continuationFlag === '#') return this.#bodilessAbort(target, chunk);
      // any other bodiless SEND carries no content: binding a connection or keeping it alive (RFC 4975 §5.4, §7.1)
      this.writeResponse(chunk, StatusCode.OK);
      return true;
    }
    if (current.mode === Mode.GATHER) chunk.body = current.parts.length === 1 ? current.parts[0] : Buffer.concat(current.parts);
    return target.onRequest(chunk) !== false;
  }

  /** A bodiless SEND ending in `#`: to a segment-level target as a head and an end-line, else whole. */
  #bodilessAbort(target: RequestTarget, chunk: Chunk): boolean {
    if (target.onSendHead === undefined || target.onSendEnd === undefined) return target.onRequest(chunk) !== false;
    const go = target.onSendHead(chunk) !== false;
    return target.onSendEnd(chunk) !== false && go;
  }

  #onParseError(error: MsrpParseError): void {
    const current = this.#current;
    this.#current = null;
    if (error.code === 'MSRP_ERR_TRUNCATED') {
      // the stream ended inside a chunk: the peer left, nothing is wrong with the bytes read
      const lost = new MsrpConnectionError('MSRP_ERR_CONNECTION_LOST', `${this.label} ended inside a chunk`, { cause: error });
      if (current !== null && current.mode === Mode.STREAM) current.target?.onSendTruncated?.(current.chunk, lost);
      this.#closeError ??= lost;
      return;
    }
    this.logger.warn({ connection: this.label, code: error.code, status: error.statusCode, fatal: error.fatal }, error.message);
    if (current !== null && current.mode === Mode.STREAM) current.target?.onSendTruncated?.(current.chunk, error);
    if (error.fatal) {
      // framing is lost: nothing later on this stream can be trusted (RFC 4975 §7.1 end-line)
      this.destroy(new MsrpConnectionError('MSRP_ERR_FRAMING_LOST', `framing lost on ${this.label}: ${error.message}`, { cause: error }));
      return;
    }
    if (error.statusCode === 0 || error.transactionId === null) return;
    if (current !== null && current.chunk.transactionId === error.transactionId) {
      if (!current.answered && current.chunk.isRequest) this.#answer(current, error.statusCode, error.message);
      return;
    }
    // the head could not be read: answer by transaction id alone, the one thing known
    const bare = new Chunk({ transactionId: error.transactionId, code: error.statusCode, comment: null });
    this.writer.writeChunk(bare, frameParts(bare), () => {});
  }

  #answer(current: Current, code: number, reason: string): void {
    current.answered = true;
    this.writeResponse(current.chunk, code, sanitize(reason));
  }

  #logIn(current: Current): void {
    if (this.#traffic === null) return;
    const chunk = current.chunk;
    const length = chunk.body === undefined ? -1 : current.size;
    this.#traffic({
      direction: 'in', time: Date.now(), connection: this.label, head: headText(chunk), bodyLength: length,
      body: summarizeBody(current.parts, length), endLine: chunk.endLine,
    });
  }
}

/** A chunk's wire parts; the end-line check of Chunk.frame may give it a new transaction id. */
function frameParts(chunk: Chunk): Buffer[] {
  const [head, body, endLine] = Chunk.frame(chunk);
  return body === undefined ? [head, endLine] : [head, body, endLine];
}

/** A reason usable as a response comment (RFC 4975 §9 `comment = utf8text`: no CR, LF or controls). */
function sanitize(reason: string): string {
  return reason.replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 200);
}
