/**
 * MsrpSession (msrplib's MSRPSession): one MSRP session over an MsrpTransport.
 *
 * Sending: `sendChunk` writes a chunk you built and resolves with its
 * transaction's outcome; `sendMessage` sends a Buffer, string or Readable of
 * any size. The connection's writer cuts it into chunks, interrupts them
 * whenever a response, a REPORT or another message waits, and rotates fairly
 * between messages and sessions (RFC 4975 §7.1.1; src/transport/writer.ts);
 * the session settles each message from its responses and REPORTs
 * (src/session/sent-message.ts says which evidence counts as delivered).
 *
 * Receiving: SEND chunks stream into a MessageReassembler; small messages
 * come whole as 'message', large ones as an 'incoming' Readable whose
 * consumer sets the pace (src/session/receiver.ts). Success REPORTs are sent
 * as RFC 4975 §7.1.3 asks; REPORTs for our messages settle them ('report').
 * The `screenRequest` option lets the layer above answer the first chunk of
 * a message with an error instead (src/session/screen.ts).
 *
 * Memory is bounded on both sides: pending outgoing messages (maxPendingMessages),
 * the writer's queue (it waits for 'drain'; a Readable body is read only when
 * its turn comes), in-memory reassembly (the reassembler's bounds), and
 * incoming streams (highWaterMark; a full stream pauses the connection).
 */
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { JsRangeTracker } from './core/js-ranges.ts';
import { MsrpConnectionError, MsrpSessionError } from './errors.ts';
import { childLogger, noopLogger, type Logger } from './log.ts';
import { randomIdent, type Chunk } from './protocol/chunk.ts';
import { statusResponseCode, type ReportValue } from './protocol/headers.ts';
import type { MsrpStatus } from './protocol/headers.ts';
import { StatusCode } from './protocol/status.ts';
import type { MsrpUri } from './protocol/uri.ts';
import type { BodySource, MsrpTransport, TransactionResult } from './transport.ts';
import { IncomingStream } from './session/incoming-stream.ts';
import { Receiver } from './session/receiver.ts';
import type { MsrpSessionEvents, MsrpSessionOptions, SendOptions } from './session/types.ts';
import { PendingMessages } from './session/pending.ts';
import { REPORT_TRACKER_MESSAGES, SentMessage } from './session/sent-message.ts';

export { IncomingStream } from './session/incoming-stream.ts';
export type { IncomingStreamInit } from './session/incoming-stream.ts';
export type { IncompleteMessage, ReceivedMessage, ReceiverOptions } from './session/receiver.ts';
export { SCREEN_BYTES } from './session/screen.ts';
export type { ScreenRequest, ScreenVerdict } from './session/screen.ts';
export { SentMessage } from './session/sent-message.ts';
export type { DeliveryOutcome, DeliveryStatus, MessageProgress, SentMessageEvents } from './session/sent-message.ts';
export type { IncomingReport, MsrpSessionEvents, MsrpSessionOptions, SendOptions } from './session/types.ts';

/** Default keepalive interval: msrplib's 60 s. */
export const DEFAULT_KEEPALIVE = 60_000;

/** Transaction ids of `partial` chunks remembered for a late error response. */
const LATE_MEMORY = 4096;

/** See the module comment. */
export class MsrpSession extends EventEmitter<MsrpSessionEvents> {
  readonly transport: MsrpTransport;
  readonly logger: Logger;
  readonly #receiver: Receiver;
  readonly #successReport: 'yes' | 'no';
  readonly #failureReport: ReportValue;
  readonly #reportTimeout: number;
  readonly #maxPending: number;
  readonly #sent = new PendingMessages<SentMessage>();
  readonly #chunks = new Set<Promise<unknown>>();
  readonly #partial = new Set<string>();
  #tracker: JsRangeTracker | null = null;
  #keepaliveTimer: NodeJS.Timeout | null = null;
  #keepalivePending = false;
  #needDrain = false;
  #shutdown: Promise<void> | null = null;
  #closed = false;

  constructor(transport: MsrpTransport, options: MsrpSessionOptions = {}) {
    super();
    this.transport = transport;
    this.logger = childLogger(options.logger ?? noopLogger, { session: transport.localUri.sessionId });
    this.#successReport = options.successReport ?? 'no';
    this.#failureReport = options.failureReport ?? 'yes';
    this.#reportTimeout = options.reportTimeout ?? 0;
    this.#maxPending = options.maxPendingMessages ?? 4096;
    if (options.acceptTypes !== undefined) transport.acceptTypes = options.acceptTypes;
    this.#receiver = new Receiver(transport, {
      message: (m) => this.emit('message', m),
      incoming: (s) => this.#onIncoming(s),
      incomplete: (m) => this.emit('incomplete', m),
      request: (chunk) => this.#onRequest(chunk),
    }, options);
    transport.setHandler(this.#receiver);
    // what came before the handler (a binding SEND's payload), once the caller has attached its listeners
    const queued = transport.takeQueued();
    if (queued.length > 0) {
      queueMicrotask(() => {
        for (const chunk of queued) {
          if (chunk.method === 'SEND') this.#receiver.receiveWhole(chunk);
          else this.#receiver.onRequest(chunk);
        }
      });
    }
    transport.on('close', this.#onTransportClose);
    transport.connection.on('unknown-response', this.#onUnknownResponse);
    const keepalive = options.keepalive ?? DEFAULT_KEEPALIVE;
    if (keepalive > 0) {
      this.#keepaliveTimer = setInterval(this.#keepalive, keepalive);
      this.#keepaliveTimer.unref();
    }
    if (transport.closed) queueMicrotask(() => this.#onTransportClose(null));
  }

  /** This endpoint's URI in the session. */
  get localUri(): MsrpUri {
    return this.transport.localUri;
  }

  /** The path to the peer, leftmost first. */
  get remotePath(): readonly MsrpUri[] {
    return this.transport.remotePath;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Messages sent and not yet settled. */
  get pendingMessages(): number {
    return this.#sent.size;
  }

  /**
   * Incoming messages in progress: each holds a slot of the Byte-Range
   * tracker until it completes, is aborted, expires or is refused (its
   * 'incoming' stream destroyed).
   */
  get receivingMessages(): number {
    return this.#receiver.reassembler.trackedMessages;
  }

  /** False while sendMessage would refuse a message (wait for 'drain'). */
  get writable(): boolean {
    return !this.#closed && this.#shutdown === null && this.#sent.size < this.#maxPending;
  }

  /**
   * A SEND for this session (msrplib's make_message): a whole message in one
   * chunk, not interruptible, so keep it to 2048 octets (RFC 4975 §7.1.1), and
   * send it with sendChunk. Larger bodies go through sendMessage.
   */
  makeMessage(body: Buffer | string, contentType = 'text/plain', messageId: string = randomIdent()): Chunk {
    return this.transport.makeSendRequest({ data: body, contentType, messageId });
  }

  /**
   * Writes `chunk` (ahead of message slices) and runs its transaction
   * (msrplib's send_chunk / deliver_chunk). Resolves with the
   * TransactionResult: the peer's response code (any code, 2xx or not), a
   * local 408 when Failure-Report is `yes` (or absent) and no response came
   * within the transaction timeout of its last octet being written; and code
   * 0 as soon as it is written when Failure-Report is `no` (no response ever
   * comes) or `partial` (no 200 comes; an error response that arrives later
   * is a 'late-response' event). Rejects with MsrpSessionError when the
   * session is closed, MsrpConnectionError when the connection fails first.
   */
  sendChunk(chunk: Chunk): Promise<TransactionResult> {
    if (this.#closed || this.#shutdown !== null) return Promise.reject(this.#closedError());
    let partial = false;
    try {
      partial = chunk.isRequest && chunk.failureReport === 'partial';
    } catch { /* a malformed Failure-Report is the peer's to refuse */ }
    const result = this.transport.writeChunk(chunk);
    if (partial) this.#rememberPartial(chunk.transactionId);
    this.#chunks.add(result);
    const forget = (): void => { this.#chunks.delete(result); };
    result.then((r) => {
      forget();
      this.#checkSessionExists(r.response);
    }, forget);
    return result;
  }

  /**
   * Sends a message of any size (msrplib's send_message): `body` is a Buffer,
   * a string (UTF-8), a Readable (give `size` when known) or a BodySource (a
   * source that reuses its memory, such as a file read into pooled buffers). Returns at once;
   * `done` on the returned SentMessage says how it ended. Throws
   * MsrpSessionError MSRP_ERR_SESSION_CLOSED after shutdown or close, and
   * MSRP_ERR_QUEUE_FULL while `writable` is false.
   */
  sendMessage(body: Buffer | string | Readable | BodySource, contentType = 'text/plain', options: SendOptions = {}): SentMessage {
    if (this.#closed || this.#shutdown !== null) throw this.#closedError();
    if (this.#sent.size >= this.#maxPending) {
      this.#needDrain = true;
      throw new MsrpSessionError('MSRP_ERR_QUEUE_FULL', `${this.#sent.size} messages are pending (maxPendingMessages); wait for 'drain'`);
    }
    const successReport = options.successReport ?? this.#successReport;
    const failureReport = options.failureReport ?? this.#failureReport;
    const outgoing = this.transport.sendMessage({
      body, contentType, messageId: options.messageId, size: options.size, offset: options.offset,
      // the RFC 4975 §7.1.1 defaults (`no`, `yes`) go without a header
      successReport: successReport === 'yes' ? 'yes' : undefined,
      failureReport: failureReport === 'yes' ? undefined : failureReport,
      headers: options.headers,
    });
    if (successReport === 'yes') this.#tracker ??= new JsRangeTracker({ maxMessages: REPORT_TRACKER_MESSAGES });
    const message = new SentMessage(outgoing, successReport, this.#tracker, options.reportTimeout ?? this.#reportTimeout,
      this.#onSettled);
    this.#sent.add(message, options.messageId !== undefined);
    // full now: 'drain' follows once one settles, whether or not a sendMessage was refused
    if (this.#sent.size >= this.#maxPending) this.#needDrain = true;
    if (failureReport === 'partial') message.on('late-response', (response) => this.#onLateResponse(response, message.messageId));
    return message;
  }

  /**
   * Answers a request given by a 'request' event (RFC 4975 §7.2); nothing is
   * sent where RFC 4975 forbids a response (REPORT, Failure-Report `no`, a 2xx
   * for `partial`). Returns whether a response was queued.
   */
  respond(request: Chunk, code: number, comment?: string | null): boolean {
    return this.transport.writeResponse(request, code, comment);
  }

  /**
   * Ends the session gracefully (msrplib's shutdown): no new messages; waits
   * until every pending message and chunk has settled (responses, REPORTs) or
   * `timeout` ms (default 30000) pass; then whatever is left fails
   * (MSRP_ERR_SESSION_CLOSED; messages waiting only for success REPORTs are
   * `unconfirmed`) and the transport closes. Resolves when closed.
   */
  shutdown(options: { timeout?: number } = {}): Promise<void> {
    if (this.#shutdown !== null) return this.#shutdown;
    if (this.#closed) return Promise.resolve();
    this.#stopKeepalive();
    const timeout = options.timeout ?? 30_000;
    this.#shutdown = new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const finish = (): void => {
        if (timer !== null) clearTimeout(timer);
        this.close();
        resolve();
      };
      timer = setTimeout(finish, timeout);
      const pending = [...this.#sent.values().map((m) => m.done), ...this.#chunks];
      Promise.allSettled(pending).then(finish);
    });
    return this.#shutdown;
  }

  /**
   * Closes at once: pending messages and chunks fail (MSRP_ERR_SESSION_CLOSED,
   * or `unconfirmed` when only success REPORTs were awaited), incoming messages
   * in progress end as 'incomplete' (reason `closed`), the transport closes.
   */
  close(): void {
    this.#close(null, this.#closedError('closed'));
  }

  /** `error` is what 'close' reports, `failure` what pending work fails with. */
  #close(error: Error | null, failure: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopKeepalive();
    for (const message of this.#sent.values()) message.end(failure);
    this.#sent.clear();
    this.#receiver.close();
    this.transport.off('close', this.#onTransportClose);
    this.transport.connection.off('unknown-response', this.#onUnknownResponse);
    this.transport.close();
    this.#tracker?.free();
    this.#tracker = null;
    this.emit('close', error);
  }

  #closedError(state: 'closed' | 'shutting down' = this.#closed ? 'closed' : 'shutting down'): MsrpSessionError {
    return new MsrpSessionError('MSRP_ERR_SESSION_CLOSED', `session ${this.transport.localUri} is ${state}`);
  }

  /** The session failed (RFC 4975 §7.3.2, §10.8, or a dead peer): 'failed', then closed. */
  #fail(error: MsrpSessionError): void {
    if (this.#closed) return;
    this.logger.warn({ code: error.code, status: error.statusCode }, error.message);
    this.emit('failed', error);
    this.#close(error, error);
  }

  readonly #onSettled = (message: SentMessage): void => {
    this.#sent.settled(message);
    const outcome = message.outcome;
    if (outcome !== null) this.#checkSessionExists(outcome.response);
    if (this.#needDrain && this.#sent.size < this.#maxPending && !this.#closed) {
      this.#needDrain = false;
      queueMicrotask(() => this.emit('drain'));
    }
  };

  #onIncoming(stream: IncomingStream): void {
    if (this.listenerCount('incoming') === 0) {
      // nobody takes large messages: refuse them (RFC 4975 §10.5) rather than buffer them
      stream.destroy();
      return;
    }
    this.emit('incoming', stream);
  }

  #onRequest(chunk: Chunk): boolean | void {
    if (chunk.method === 'REPORT') {
      this.#onReport(chunk);
      return;
    }
    if (this.listenerCount('request') === 0) {
      this.transport.writeResponse(chunk, StatusCode.NOT_IMPLEMENTED);
      return;
    }
    this.emit('request', chunk);
  }

  /** RFC 4975 §7.3.2: correlate by Message-ID; unknown ones are ignored but still emitted. */
  #onReport(chunk: Chunk): void {
    const messageId = chunk.messageId as string;
    const status = chunk.status as MsrpStatus;
    const byteRange = chunk.byteRange ?? null;
    const message = this.#sent.get(messageId) ?? null;
    const failsSession = message !== null && message.report(chunk, statusResponseCode(status), byteRange);
    this.emit('report', { messageId, status, byteRange, message, chunk });
    if (failsSession) {
      this.#fail(new MsrpSessionError('MSRP_ERR_SESSION_FAILED',
        `a failure REPORT (${status.code}) for message ${messageId} names a byte range not received (RFC 4975 §7.3.2)`,
        status.code));
    }
  }

  readonly #onTransportClose = (error: Error | null): void => {
    // pending work fails with the connection's error, or a plain "closed" when the peer closed cleanly
    this.#close(error, error ?? new MsrpConnectionError('MSRP_ERR_CONNECTION_CLOSED',
      `the connection of session ${this.transport.localUri} closed`));
  };

  #rememberPartial(transactionId: string): void {
    if (this.#partial.size >= LATE_MEMORY) this.#partial.delete(this.#partial.values().next().value as string);
    this.#partial.add(transactionId);
  }

  readonly #onUnknownResponse = (response: Chunk): void => {
    if (!this.#partial.delete(response.transactionId)) return;
    this.#onLateResponse(response, null);
  };

  #onLateResponse(response: Chunk, messageId: string | null): void {
    this.emit('late-response', response, messageId);
    this.#checkSessionExists(response);
  }

  /**
   * A 481 to one of this session's requests (a SEND chunk, a keepalive): the
   * session does not exist at the peer, which the sender "should" take as its
   * end (RFC 4975 §10.8). The session fails: what is pending fails with the
   * error, 'failed' and 'close' carry it. Deferred to a microtask, since a
   * message's response is seen while the writer is still settling it.
   */
  #checkSessionExists(response: Chunk | null): void {
    if (response === null || response.code !== StatusCode.NO_SUCH_SESSION) return;
    queueMicrotask(() => this.#fail(new MsrpSessionError('MSRP_ERR_SESSION_FAILED',
      `the peer answered 481 to transaction ${response.transactionId}: session ${this.localUri} does not exist there (RFC 4975 §10.8)`,
      StatusCode.NO_SUCH_SESSION)));
  }

  readonly #keepalive = (): void => {
    if (this.#keepalivePending || this.#closed) return;
    this.#keepalivePending = true;
    // RFC 4975 §7.1: a bodiless SEND is traffic with no content; Success-Report no (as msrplib)
    const chunk = this.transport.makeSendRequest({ successReport: 'no' });
    this.sendChunk(chunk).then((result) => {
      this.#keepalivePending = false;
      if (result.code === StatusCode.REQUEST_TIMEOUT && result.local) {
        this.#fail(new MsrpSessionError('MSRP_ERR_SESSION_FAILED', 'the peer did not answer a keepalive SEND', StatusCode.REQUEST_TIMEOUT));
      }
    }, () => { this.#keepalivePending = false; });
  };

  #stopKeepalive(): void {
    if (this.#keepaliveTimer !== null) clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = null;
  }
}
