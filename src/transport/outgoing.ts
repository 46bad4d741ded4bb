/**
 * OutgoingMessage: one message on its way out of a connection, cut into
 * chunks by the connection's writer (writer.ts). This file holds what a
 * message knows about itself: its header template, where it stands in the
 * body, its chunks' transactions, and how it settles; the writer decides when
 * each chunk opens and ends.
 *
 * Settling (what `outcome` resolves to):
 * - code 200: every chunk was written and answered 2xx (Failure-Report `yes`);
 * - code 0: every chunk was written and no responses are expected
 *   (Failure-Report `no`, or `partial`, whose late error responses come as
 *   'late-response' events);
 * - another code: the first failure, the peer's response or a local 408; the
 *   message was stopped at once (RFC 4975 §10.5, §7.3.2: the chunk in flight
 *   ends with `#`) and its other responses are ignored;
 * - `aborted` true: `abort()` was called and the message ended with `#`.
 * It rejects (MsrpConnectionError) only when the connection fails first, and
 * with the source's own error when a Readable body fails.
 */
import { EventEmitter } from 'node:events';
import { Chunk, type ContinuationFlag } from '../protocol/chunk.ts';
import type { ByteRange, ReportValue } from '../protocol/headers.ts';
import { isSuccess } from '../protocol/status.ts';
import type { BodySource } from './sources.ts';
import type { TransactionResult } from './transactions.ts';

/** How a message ended; see the module comment. */
export interface MessageOutcome {
  messageId: string;
  /** 200 (all answered), 0 (written, no responses expected), or the first failing code */
  code: number;
  comment: string | null;
  /** the failing response, when a peer's response failed the message */
  response: Chunk | null;
  /** octets of the body written */
  bytes: number;
  /** chunks written */
  chunks: number;
  /** true when `abort()` ended the message with `#` */
  aborted: boolean;
}

/** A chunk of the message whose end-line was written. */
export interface SentChunk {
  transactionId: string;
  byteRange: ByteRange;
  continuationFlag: '$' | '+' | '#';
}

/** Events of an OutgoingMessage. */
export interface OutgoingMessageEvents {
  /** a chunk's end-line was handed to the socket */
  chunk: [chunk: SentChunk];
  /** a chunk's transaction ended (response, local 408, or written when none is expected) */
  response: [chunk: SentChunk, result: TransactionResult];
  /** an error response to a Failure-Report `partial` chunk after it settled (RFC 4975 §7.1.4) */
  'late-response': [chunk: SentChunk, response: Chunk];
  /** the writer is done with the message: its last end-line was handed to the socket, or it was stopped */
  written: [];
}

/** What the writer needs to start a message. */
export interface OutgoingMessageInit {
  /** headers of every chunk but Byte-Range (To-Path, From-Path, Message-ID, reports, Content-Type, ...) */
  headers: Array<[name: string, value: string]>;
  messageId: string;
  source: BodySource;
  /** 0-based offset in the message of the source's first octet (to resume, RFC 4975 §5.4) */
  offset: number;
  /** the message's total size, or '*' when unknown (RFC 4975 §7.1.1) */
  total: number | '*';
  /** Failure-Report of every chunk (absent means `yes`) */
  failureReport: ReportValue;
  /** who the message belongs to, for fair rotation between sessions */
  group: object;
  /**
   * The header block already written out, split where Byte-Range goes (see
   * headerTemplate), for a caller that checked it itself; `headers` is then
   * not read. Default: made from `headers` with Chunk.frame's checks.
   */
  template?: [string, string];
}

function noop(): void {}

/** The template of a finished message. */
const SPENT_TEMPLATE: [string, string] = ['', ''];

/** Internal hooks between a message and its writer (not public API). */
export const kWriterAbort = Symbol('writerAbort');

/**
 * An outgoing message; made by MsrpTransport.sendMessage (or a connection for a relay).
 *
 * An EventEmitter whose listener table is made on its first listener: the
 * class takes EventEmitter.prototype (below) without running the EventEmitter
 * constructor, whose dictionary-mode table cost about 250 octets per message
 * held for every message in flight. EventEmitter's methods make the table
 * themselves when it is missing (as for objects that never ran the constructor).
 */
export interface OutgoingMessage extends EventEmitter<OutgoingMessageEvents> {}
export class OutgoingMessage {
  readonly messageId: string;
  readonly total: number | '*';
  readonly failureReport: ReportValue;
  readonly group: object;
  readonly source: BodySource;
  /** 0-based offset of the next octet to write */
  position: number;
  /** chunks whose end-line was written */
  chunks = 0;
  /** octets written */
  bytes = 0;
  /** the header block of every chunk, split where Byte-Range goes: [before, after]; released once finished */
  template: [string, string];
  /** transactions written whose result is still awaited */
  outstanding = 0;
  /** the last chunk's end-line was written ($ or #) */
  finished = false;
  /**
   * The flag of the last chunk (default `$`). A relay forwarding one chunk of
   * a longer message as a message of its own ends it with that chunk's flag,
   * `+` or `#` (RFC 4976 §6.4.1); it may be set until the source is done.
   */
  lastFlag: ContinuationFlag = '$';
  /** settled: nothing more happens */
  settled = false;
  /** abort() was called */
  abortRequested = false;
  #outcomePromise: Promise<MessageOutcome> | null = null;
  #resolve: ((o: MessageOutcome) => void) | null = null;
  #reject: ((e: Error) => void) | null = null;
  #outcome: MessageOutcome | null = null;
  #error: Error | null = null;
  #failure: TransactionResult | null = null;
  [kWriterAbort]: (message: OutgoingMessage) => void = noop;

  constructor(init: OutgoingMessageInit) {
    this.messageId = init.messageId;
    this.total = init.total;
    this.failureReport = init.failureReport;
    this.group = init.group;
    this.source = init.source;
    this.position = init.offset;
    this.template = init.template ?? headerTemplate(init.headers);
  }

  /**
   * Resolves as the module comment says. Made on first use: a session
   * tracking its messages through `onSettled` costs no promise per message.
   */
  get outcome(): Promise<MessageOutcome> {
    if (this.#outcomePromise !== null) return this.#outcomePromise;
    if (this.#outcome !== null) this.#outcomePromise = Promise.resolve(this.#outcome);
    else if (this.#error !== null) {
      this.#outcomePromise = Promise.reject(this.#error);
      // a caller that only listens to events must not see an unhandled rejection
      this.#outcomePromise.catch(noop);
    } else {
      // the catch against an unhandled rejection is added as it rejects (fail)
      this.#outcomePromise = new Promise<MessageOutcome>((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
    }
    return this.#outcomePromise;
  }

  /**
   * Aborts the message (RFC 4975 §7.1: `#` means no further chunks): the chunk
   * in flight ends with `#`, or an empty chunk with `#` is sent when some
   * octets went out already and no chunk is open. Nothing when already settled.
   */
  abort(): void {
    if (this.settled || this.abortRequested) return;
    this.abortRequested = true;
    this[kWriterAbort](this);
  }

  /** The failure that stopped the message, if one did. */
  get failure(): TransactionResult | null {
    return this.#failure;
  }

  /** Records a chunk's transaction result; true when it failed the message (the writer stops it). */
  chunkSettled(chunk: SentChunk, result: TransactionResult): boolean {
    this.outstanding--;
    if (!this.settled) this.emit('response', chunk, result);
    if (this.settled) return false;
    if (result.code !== 0 && !isSuccess(result.code)) {
      this.#failure = result;
      return true;
    }
    this.maybeSettle();
    return false;
  }

  /** The writer is done with the message (last end-line written, or stopped): 'written', then settle when nothing is awaited. */
  finish(): void {
    if (!this.finished) {
      this.finished = true;
      // no chunk is written after the last: a message waiting only for its responses does not
      // keep its header block (a tenth of what a chat message in flight holds)
      this.template = SPENT_TEMPLATE;
      this.emit('written');
    }
    // a failure stops a message whose last end-line is already out: it settles now
    this.maybeSettle();
  }

  /** Settles once the last chunk is written and every expected response came. */
  maybeSettle(): void {
    if (this.settled) return;
    if (this.#failure !== null) return this.settle();
    if (this.finished && this.outstanding === 0) this.settle();
  }

  /**
   * Called once, synchronously, as the message settles (just before `outcome`
   * does): with the outcome, or with the error it fails with. A session
   * tracking many messages a second uses it instead of a promise reaction each.
   */
  onSettled: ((this: OutgoingMessage, outcome: MessageOutcome | null, error: Error | null) => void) | null = null;
  /**
   * What the layer above keeps for this message (a session's SentMessage), so
   * one shared `onSettled` function can find it through `this` instead of a
   * closure per message.
   */
  owner: unknown = null;

  /** Settles now with what is known. */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.source.close();
    const failure = this.#failure;
    const code = failure !== null ? failure.code : this.failureReport === 'yes' ? 200 : 0;
    const outcome: MessageOutcome = {
      messageId: this.messageId, code, comment: failure?.comment ?? null, response: failure?.response ?? null,
      bytes: this.bytes, chunks: this.chunks, aborted: this.abortRequested && failure === null,
    };
    this.#outcome = outcome;
    this.onSettled?.(outcome, null);
    this.#resolve?.(outcome);
  }

  /** Fails the message (connection lost, source error). */
  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.source.close();
    this.#error = error;
    this.onSettled?.(null, error);
    if (this.#reject !== null) {
      (this.#outcomePromise as Promise<MessageOutcome>).catch(noop);
      this.#reject(error);
    }
  }
}

Object.setPrototypeOf(OutgoingMessage.prototype, EventEmitter.prototype);

/**
 * The header block of the message's chunks, checked once by Chunk.frame and
 * split where Byte-Range goes: before Content-Type, which must stay last
 * (RFC 4975 §7.1). Each chunk then costs one string join, not a re-check.
 */
function headerTemplate(headers: Array<[string, string]>): [string, string] {
  const probe = new Chunk({ transactionId: 'template', method: 'SEND', headers, body: undefined });
  const text = Chunk.frame(probe)[0].toString('utf8');
  const block = text.slice(text.indexOf('\r\n') + 2); // drop the start line
  const ct = block.search(/(^|\r\n)Content-Type: /);
  if (ct < 0) return [block, ''];
  const at = block.startsWith('Content-Type: ') ? 0 : ct + 2;
  return [block.slice(0, at), block.slice(at)];
}
