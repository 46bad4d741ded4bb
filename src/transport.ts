/**
 * MsrpTransport (msrplib's MSRPTransport): one session's view of an MSRP
 * connection. It knows the session's local URI and the full remote path, so
 * it can make requests and responses, write them and run their transactions,
 * send messages cut into chunks by the connection's writer, and read the
 * session's incoming requests: whole, through `readChunk()` or async
 * iteration, or as chunk heads, body segments and ends through a handler.
 *
 * Several transports may share one MsrpConnection (RFC 4975 §5.4 connection
 * reuse); each is routed its requests by the session id in the To-Path. The
 * connection gives the mandatory answers (481, 506, 501, 400, 415, 413) and
 * answers bodiless SENDs, except those ending in `#` (an abort of a message,
 * for the session to discard, RFC 4975 §7.1); everything else is the
 * session's to answer, through `writeResponse`, which applies the
 * Failure-Report rules (RFC 4975 §7.1.4).
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { MsrpConnectionError } from './errors.ts';
import { Chunk, randomIdent, type ContinuationFlag } from './protocol/chunk.ts';
import { formatPath, formatStatus, isIdent, type MsrpStatus, type ReportValue } from './protocol/headers.ts';
import type { MsrpUri } from './protocol/uri.ts';
import type { MsrpConnection, RequestTarget } from './transport/connection.ts';
import { OutgoingMessage } from './transport/outgoing.ts';
import { mayRespond, makeResponse } from './transport/responses.ts';
import { BufferSource, ReadableSource, type BodySource } from './transport/sources.ts';
import type { TransactionResult } from './transport/transactions.ts';

export { MsrpConnection } from './transport/connection.ts';
export type { ConnectionEvents, ConnectionOptions, RequestTarget, Resolution } from './transport/connection.ts';
export { OutgoingMessage } from './transport/outgoing.ts';
export type { MessageOutcome, OutgoingMessageEvents, SentChunk } from './transport/outgoing.ts';
export { BufferSource, PushSource, ReadableSource } from './transport/sources.ts';
export type { BodySource } from './transport/sources.ts';
export { DEFAULT_TRANSACTION_TIMEOUT, TransactionTable } from './transport/transactions.ts';
export type { TransactionHandlers, TransactionResult } from './transport/transactions.ts';
export { DEFAULT_HIGH_WATER, DEFAULT_SLICE_SIZE, MAX_UNINTERRUPTIBLE } from './transport/writer.ts';
export type { WriterOptions } from './transport/writer.ts';
export { failureReportOf, makeResponse, mayRespond } from './transport/responses.ts';
export type { ByteStream } from './transport/byte-stream.ts';

/** Characters Chunk.frame refuses in a header value (RFC 4975 §9 `hval = utf8text`). */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** The headers of a message sent with a template: never read (OutgoingMessageInit.template), so never made. */
const NO_HEADERS: Array<[string, string]> = [];

/** What `makeChunk` builds a request from (msrplib's make_chunk / make_request). */
export interface MakeChunkOptions {
  /** request method (default SEND) */
  method?: string;
  /** default: a fresh random id */
  transactionId?: string;
  /** Message-ID; a SEND gets a fresh random one by default */
  messageId?: string;
  /** the body; absent makes a bodiless request (RFC 4975 §7.1) */
  data?: Buffer | string;
  /** Content-Type of the body (default text/plain when there is a body) */
  contentType?: string;
  /** end-line flag (default `$`) */
  continuationFlag?: ContinuationFlag;
  /** Byte-Range range-start, 1-based (default 1) */
  start?: number;
  /** Byte-Range range-end (default start + body length - 1) */
  end?: number | '*';
  /** Byte-Range total (default the range-end) */
  length?: number | '*';
  successReport?: 'yes' | 'no';
  failureReport?: ReportValue;
  /** Status of a REPORT */
  status?: MsrpStatus;
  /** more headers, in order */
  headers?: Array<[name: string, value: string]>;
  /** default: the transport's remote path */
  toPath?: readonly MsrpUri[];
  /** default: the transport's local URI */
  fromPath?: readonly MsrpUri[];
}

/** What `sendMessage` sends. */
export interface SendMessageOptions {
  /** the message; a string is sent as UTF-8; a BodySource is fed by the caller (a relay) */
  body: Buffer | string | Readable | BodySource;
  /** Content-Type (default text/plain) */
  contentType?: string;
  /** default: a fresh random Message-ID */
  messageId?: string;
  /** total octets of a Readable or BodySource body, when known (sent as the Byte-Range total) */
  size?: number;
  /** 0-based offset of the first octet to send: a Buffer body is the whole message and is sent from here; a stream body starts here */
  offset?: number;
  successReport?: 'yes' | 'no';
  failureReport?: ReportValue;
  /** more headers for every chunk (Content-Disposition, ...) */
  headers?: Array<[name: string, value: string]>;
  /** fairness group (default this transport: messages of one session share its turns) */
  group?: object;
}

/** Segment-level handlers for a session's incoming requests (see RequestTarget). */
export interface SessionHandler {
  /** a SEND chunk's head; without it SEND chunks come whole to onRequest (or readChunk) */
  onSendHead?(chunk: Chunk): boolean | void;
  onSendBody?(segment: Buffer, chunk: Chunk): boolean | void;
  onSendEnd?(chunk: Chunk): boolean | void;
  onSendTruncated?(chunk: Chunk, error: Error): void;
  /** a whole request (REPORTs, other methods, SENDs without onSendHead); absent: queued for readChunk */
  onRequest?(chunk: Chunk): boolean | void;
}

/** Options of a transport. */
export interface MsrpTransportOptions {
  /** RFC 4975 §8.6 accept-types; SENDs of other types are answered 415 (absent: all) */
  acceptTypes?: readonly string[];
  /** methods the session takes (default SEND and REPORT); others are answered 501 */
  methods?: readonly string[];
  /** whole requests queued for readChunk before reading pauses (default 64) */
  maxQueuedChunks?: number;
  /** close the connection when the last session on it closes (default true) */
  closeConnection?: boolean;
}

/** Events of a transport. */
export interface TransportEvents {
  /** the transport closed; `error` is set when its connection failed */
  close: [error: Error | null];
}

/** See the module comment. */
export class MsrpTransport extends EventEmitter<TransportEvents> {
  readonly connection: MsrpConnection;
  /** this endpoint's URI in the session (From-Path of its requests) */
  readonly localUri: MsrpUri;
  /** the full path to the peer, leftmost first (To-Path of its requests) */
  readonly remotePath: readonly MsrpUri[];
  readonly #target: { -readonly [K in keyof RequestTarget]: RequestTarget[K] };
  readonly #queue: Chunk[] = [];
  readonly #readers: Array<{ resolve: (c: Chunk) => void; reject: (e: Error) => void }> = [];
  readonly #maxQueued: number;
  readonly #closeConnection: boolean;
  readonly #fromPath: string;
  readonly #toPath: string;
  /** the To-Path and From-Path header lines of every request */
  readonly #pathBlock: string;
  /** the Content-Type header line of the last templated message, and its value */
  #contentTypeLine = '';
  #contentType: string | null = null;
  #closed = false;
  #error: Error | null = null;
  #queueFull = false;

  constructor(connection: MsrpConnection, localUri: MsrpUri, remotePath: readonly MsrpUri[], options: MsrpTransportOptions = {}) {
    super();
    if (remotePath.length === 0) throw new RangeError('the remote path is empty');
    this.connection = connection;
    this.localUri = localUri;
    this.remotePath = [...remotePath];
    this.#maxQueued = options.maxQueuedChunks ?? 64;
    this.#closeConnection = options.closeConnection ?? true;
    this.#fromPath = localUri.toString();
    this.#toPath = formatPath(this.remotePath);
    this.#pathBlock = `To-Path: ${this.#toPath}\r\nFrom-Path: ${this.#fromPath}\r\n`;
    this.#target = {
      acceptTypes: options.acceptTypes,
      methods: options.methods,
      onRequest: (chunk) => this.#deliver(chunk),
      onClose: (error) => this.#onClose(error),
    };
    connection.register(localUri, this.#target as RequestTarget);
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Accept-types for incoming SENDs (RFC 4975 §8.6); undefined accepts all. */
  get acceptTypes(): readonly string[] | undefined {
    return this.#target.acceptTypes;
  }

  set acceptTypes(types: readonly string[] | undefined) {
    this.#target.acceptTypes = types;
  }

  /**
   * Installs segment-level handlers for incoming requests (null removes them:
   * requests are then queued for readChunk). Chunks already queued stay queued.
   */
  setHandler(handler: SessionHandler | null): void {
    const t = this.#target;
    t.onSendHead = handler?.onSendHead?.bind(handler);
    t.onSendBody = handler?.onSendBody?.bind(handler);
    t.onSendEnd = handler?.onSendEnd?.bind(handler);
    t.onSendTruncated = handler?.onSendTruncated?.bind(handler);
    const onRequest = handler?.onRequest?.bind(handler);
    t.onRequest = onRequest ?? ((chunk) => this.#deliver(chunk));
  }

  /** Goes on reading after a handler returned false. */
  resume(): void {
    this.connection.resume();
  }

  /** A new request to the peer (RFC 4975 §7.1); see MakeChunkOptions for the defaults. */
  makeChunk(options: MakeChunkOptions = {}): Chunk {
    const method = options.method ?? 'SEND';
    const body = typeof options.data === 'string' ? Buffer.from(options.data, 'utf8') : options.data;
    const chunk = new Chunk({
      transactionId: options.transactionId ?? randomIdent(), method, body,
      continuationFlag: options.continuationFlag ?? '$',
    });
    chunk.addHeader('To-Path', options.toPath !== undefined ? formatPath(options.toPath) : this.#toPath);
    chunk.addHeader('From-Path', options.fromPath !== undefined ? formatPath(options.fromPath) : this.#fromPath);
    const messageId = options.messageId ?? (method === 'SEND' ? randomIdent() : undefined);
    if (messageId !== undefined) chunk.messageId = messageId;
    if (method === 'SEND' || options.start !== undefined) {
      // RFC 4975 §7.1.1: an empty or bodiless SEND still says 1-0/0
      const start = options.start ?? 1;
      const end = options.end ?? start + (body?.length ?? 0) - 1;
      chunk.byteRange = { start, end, total: options.length ?? end };
    }
    if (options.successReport !== undefined) chunk.successReport = options.successReport;
    if (options.failureReport !== undefined) chunk.failureReport = options.failureReport;
    if (options.status !== undefined) chunk.setHeader('Status', formatStatus(options.status));
    for (const [name, value] of options.headers ?? []) chunk.addHeader(name, value);
    if (body !== undefined) chunk.setHeader('Content-Type', options.contentType ?? 'text/plain');
    return chunk;
  }

  /** makeChunk for a SEND (msrplib's make_send_request). */
  makeSendRequest(options: Omit<MakeChunkOptions, 'method'> = {}): Chunk {
    return this.makeChunk({ ...options, method: 'SEND' });
  }

  /** makeChunk for any method (msrplib's make_request). */
  makeRequest(method: string, options: Omit<MakeChunkOptions, 'method'> = {}): Chunk {
    return this.makeChunk({ ...options, method });
  }

  /**
   * Writes a whole chunk, ahead of message slices (so responses and REPORTs
   * overtake large messages), and runs its transaction. Resolves with the
   * response; with code 408 and `local` when the 30 s timer (started when the
   * end-line was handed to the socket) runs out; with code 0 once written when
   * no response is expected (Failure-Report `no` or `partial`). Rejects with
   * MsrpConnectionError when the connection closes first. The chunk is not
   * interruptible: send bodies over 2048 octets with sendMessage.
   */
  writeChunk(chunk: Chunk): Promise<TransactionResult> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return this.connection.writeChunk(chunk);
  }

  /** A response to `request` from this endpoint (RFC 4975 §7.2); `comment` defaults to the reason phrase. */
  makeResponse(request: Chunk, code: number, comment?: string | null): Chunk {
    return makeResponse(request, code, comment, this.#fromPath);
  }

  /**
   * Answers `request` with `code` when RFC 4975 allows one: never a REPORT,
   * nothing for Failure-Report `no`, no 2xx for `partial` (§7.1.4, §7.2).
   * Returns whether a response was queued.
   */
  writeResponse(request: Chunk, code: number, comment?: string | null): boolean {
    if (this.#closed) return false;
    return this.connection.writeResponse(request, code, comment, this.#fromPath);
  }

  /** True when RFC 4975 allows answering `request` with `code` (see writeResponse). */
  mayRespond(request: Chunk, code: number): boolean {
    return mayRespond(request, code);
  }

  /**
   * Queues a message; the connection's writer cuts it into chunks, interrupts
   * them when other traffic waits and interleaves it fairly with other
   * messages (RFC 4975 §7.1.1). See OutgoingMessage for how it settles.
   */
  sendMessage(options: SendMessageOptions): OutgoingMessage {
    const { body } = options;
    const offset = options.offset ?? 0;
    let source: BodySource;
    let total: number | '*';
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      if (offset < 0 || offset > buffer.length) throw new RangeError(`offset ${offset} is outside the body`);
      source = new BufferSource(buffer, offset);
      total = buffer.length;
    } else if (body instanceof Readable) {
      source = new ReadableSource(body, options.size ?? null);
      total = options.size ?? '*';
    } else {
      source = body;
      total = options.size ?? body.size ?? '*';
    }
    const messageId = options.messageId ?? randomIdent();
    const failureReport = options.failureReport ?? 'yes';
    const contentType = options.contentType ?? 'text/plain';
    let template: [string, string] | undefined;
    let headers: Array<[string, string]> = NO_HEADERS;
    if (options.headers === undefined || options.headers.length === 0) {
      template = this.#template(messageId, options.successReport, options.failureReport, contentType);
    } else {
      headers = [['To-Path', this.#toPath], ['From-Path', this.#fromPath], ['Message-ID', messageId]];
      if (options.successReport !== undefined) headers.push(['Success-Report', options.successReport]);
      if (options.failureReport !== undefined) headers.push(['Failure-Report', options.failureReport]);
      for (const h of options.headers) headers.push(h);
      headers.push(['Content-Type', contentType]);
    }
    const init = { headers, messageId, source, offset, total, failureReport, group: options.group ?? this, template };
    if (!this.#closed) return this.connection.sendMessage(init);
    // the connection may still serve other sessions: this one's message must not reach its writer
    const message = new OutgoingMessage(init);
    message.fail(this.#closedError());
    return message;
  }

  /**
   * The header block of a message with only the usual headers, without a
   * round through Chunk.frame for every chat message: the paths were checked
   * when the transport was made, report values are typed, and the Message-ID
   * and Content-Type are checked here as Chunk.frame would.
   */
  #template(messageId: string, success: string | undefined, failure: string | undefined, contentType: string): [string, string] {
    if (!isIdent(messageId)) throw new RangeError(`Message-ID ${JSON.stringify(messageId)} is not an ident (RFC 4975 §9)`);
    if (CONTROL.test(contentType)) throw new TypeError('header Content-Type has a control character (CR, LF, ...) in its value');
    let block = `${this.#pathBlock}Message-ID: ${messageId}\r\n`;
    if (success !== undefined) block += `Success-Report: ${success}\r\n`;
    if (failure !== undefined) block += `Failure-Report: ${failure}\r\n`;
    // a session's messages mostly share one media type: its header line is made once
    if (contentType !== this.#contentType) {
      this.#contentTypeLine = `Content-Type: ${contentType}\r\n`;
      this.#contentType = contentType;
    }
    return [block, this.#contentTypeLine];
  }

  /**
   * The next incoming request not taken by a handler (msrplib's read_chunk).
   * Rejects with MsrpConnectionError once the transport is closed and the
   * queue is empty.
   */
  readChunk(): Promise<Chunk> {
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      if (this.#queueFull && this.#queue.length < this.#maxQueued) {
        this.#queueFull = false;
        this.connection.resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#closed) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => this.#readers.push({ resolve, reject }));
  }

  /**
   * Takes every request queued for readChunk at once (oldest first). A session
   * installing its handler after binding uses it to pick up what came before,
   * such as the payload of a binding SEND (RFC 4975 §5.4).
   */
  takeQueued(): Chunk[] {
    const chunks = this.#queue.splice(0);
    if (this.#queueFull) {
      this.#queueFull = false;
      this.connection.resume();
    }
    return chunks;
  }

  /** Incoming requests until the transport closes (ends quietly on a clean close). */
  async *[Symbol.asyncIterator](): AsyncIterator<Chunk> {
    for (;;) {
      let chunk: Chunk;
      try {
        chunk = await this.readChunk();
      } catch (err) {
        if (this.#error === null && err instanceof MsrpConnectionError) return;
        throw err;
      }
      yield chunk;
    }
  }

  /**
   * Leaves the connection: requests for this session are answered 481 from now
   * on; the connection closes too when no other session uses it (unless
   * `closeConnection: false`). Messages already queued are still written.
   */
  close(): void {
    if (this.#closed) return;
    this.connection.unregister(this.localUri);
    if (this.#closeConnection && this.connection.sessionCount === 0) this.connection.close();
    this.#onClose(null);
  }

  #deliver(chunk: Chunk): boolean {
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      reader.resolve(chunk);
      return true;
    }
    this.#queue.push(chunk);
    if (this.#queue.length >= this.#maxQueued) {
      this.#queueFull = true;
      return false;
    }
    return true;
  }

  #onClose(error: Error | null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    const readers = this.#readers.splice(0);
    for (const r of readers) r.reject(this.#closedError());
    this.emit('close', error);
  }

  #closedError(): MsrpConnectionError {
    return new MsrpConnectionError('MSRP_ERR_CONNECTION_CLOSED', `transport ${this.localUri} is closed`,
      { cause: this.#error ?? undefined });
  }
}

