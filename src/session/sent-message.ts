/**
 * SentMessage: what `MsrpSession.sendMessage` returns. The connection's writer
 * cuts the message into chunks and runs their transactions (an
 * OutgoingMessage, src/transport/outgoing.ts); this adds what only the
 * session knows: the REPORTs that come back for it (RFC 4975 §7.3.2), and
 * therefore when the message counts as delivered.
 *
 * Which evidence is trusted for "delivered":
 * - Success-Report `yes`: success REPORTs only. They are end to end, while a
 *   200 response only says the next hop (maybe a relay) took the chunk
 *   (RFC 4975 §5.3). Delivered once REPORTs with status 2xx cover every octet
 *   1..total (any split into ranges, RFC 4975 §7.1.3); `unconfirmed` when the
 *   session ends (or `reportTimeout` runs out) first, which RFC 4975 §7.1.1
 *   says the user should be told.
 * - Success-Report `no`, Failure-Report `yes`: the transaction responses:
 *   delivered when every chunk was answered 2xx.
 * - Failure-Report `no` or `partial`: nothing confirms delivery; `sent` once the
 *   last chunk is written. With `partial`, an error response that comes later
 *   is a 'late-response' event.
 * Any error response, local 408, or failure REPORT settles it `failed` at once;
 * the writer ends the chunk in flight with `#` (RFC 4975 §7.3.2, §10.5).
 *
 * `done` rejects only when the message could not be written or answered at
 * all: the connection failed (MsrpConnectionError), the session closed under
 * it (MsrpSessionError MSRP_ERR_SESSION_CLOSED), or a Readable body failed.
 */
import { EventEmitter } from 'node:events';
import { Flag } from '../core/constants.ts';
import { JsRangeTracker } from '../core/js-ranges.ts';
import { MsrpSessionError } from '../errors.ts';
import type { Chunk } from '../protocol/chunk.ts';
import type { ByteRange, ReportValue } from '../protocol/headers.ts';
import { isSuccess } from '../protocol/status.ts';
import { MAX_UNINTERRUPTIBLE, type MessageOutcome, type OutgoingMessage, type SentChunk } from '../transport.ts';

/** How a sent message ended; see the module comment. */
export type DeliveryStatus = 'delivered' | 'sent' | 'unconfirmed' | 'failed' | 'aborted';

/** What `SentMessage.done` resolves to. */
export interface DeliveryOutcome {
  messageId: string;
  status: DeliveryStatus;
  /** 200 when delivered; the failing code (a peer's, a local 408, a REPORT's Status) when failed; else 0 */
  code: number;
  comment: string | null;
  /** the evidence trusted for `delivered`: success REPORTs or transaction responses */
  confirmedBy: 'report' | 'response' | null;
  /** octets of the body written */
  bytes: number;
  /** octets covered by success REPORTs (for a message resumed at an offset, the octets before it count as covered) */
  reportedBytes: number;
  /** the error response that failed it */
  response: Chunk | null;
  /** the REPORT that settled it (success or failure) */
  report: Chunk | null;
}

/** A 'progress' event: where the message stands. */
export interface MessageProgress {
  messageId: string;
  /** the message's size, null while unknown (a Readable without `size`) */
  total: number | null;
  /** octets written to the connection */
  written: number;
  /** octets in chunks answered 2xx (hop by hop) */
  acknowledged: number;
  /** octets covered by success REPORTs (end to end) */
  reported: number;
}

/** Events of a SentMessage. */
export interface SentMessageEvents {
  progress: [progress: MessageProgress];
  /** a REPORT for this message (RFC 4975 §7.1.2) */
  report: [report: Chunk];
  /** an error response to a Failure-Report `partial` chunk after the message settled */
  'late-response': [response: Chunk];
}

function noop(): void {}

/** Success REPORTs tracked per session for coverage, at most this many messages at once. */
export const REPORT_TRACKER_MESSAGES = 65536;

type Listener<K extends keyof SentMessageEvents> = (...args: SentMessageEvents[K]) => void;

/**
 * See the module comment. Its events ('progress', 'report', 'late-response')
 * and its `done` promise are made on first use: a chat message nobody watches
 * costs neither an emitter nor a promise.
 */
export class SentMessage {
  readonly messageId: string;
  readonly successReport: 'yes' | 'no';
  readonly failureReport: ReportValue;
  /** the writer's side of the message: chunks, transactions */
  readonly outgoing: OutgoingMessage;
  #done: Promise<DeliveryOutcome> | null = null;
  #resolve: ((o: DeliveryOutcome) => void) | null = null;
  #reject: ((e: Error) => void) | null = null;
  #outcome: DeliveryOutcome | null = null;
  #error: Error | null = null;
  #events: EventEmitter | null = null;
  #settled = false;
  #written: MessageOutcome | null = null;
  readonly #tracker: JsRangeTracker | null;
  #handle = -1;
  #reported = 0;
  /** a success REPORT came (an empty message has no octets to cover) */
  #anyReport = false;
  #acknowledged = 0;
  /** octets of each chunk written, by transaction id, until its response (multi-chunk messages only) */
  #lengths: Map<string, number> | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #reportTimeout: number;
  readonly #onSettled: (m: SentMessage) => void;

  /** Made by MsrpSession.sendMessage; `tracker` records success REPORT coverage (Success-Report yes). */
  constructor(outgoing: OutgoingMessage, successReport: 'yes' | 'no', tracker: JsRangeTracker | null,
    reportTimeout: number, onSettled: (m: SentMessage) => void) {
    this.messageId = outgoing.messageId;
    this.outgoing = outgoing;
    this.successReport = successReport;
    this.failureReport = outgoing.failureReport;
    this.#reportTimeout = reportTimeout;
    this.#onSettled = onSettled;
    this.#tracker = successReport === 'yes' ? tracker : null;
    if (this.#tracker !== null) {
      const now = Date.now();
      this.#handle = this.#tracker.open(now);
      // a message resumed at an offset (RFC 4975 §5.4) is reported on from there: what came before went earlier
      if (this.#handle >= 0 && outgoing.position > 0) this.#reported = this.#tracker.record(this.#handle, 1, outgoing.position, Flag.MORE, now).received;
    }
    // Per-chunk progress only where there can be more than one chunk, late responses only for
    // `partial`: a chat message costs no listeners (these run 200,000 times a second).
    if (typeof outgoing.total !== 'number' || outgoing.total > MAX_UNINTERRUPTIBLE) {
      outgoing.on('chunk', (sent) => this.#onChunk(sent));
      outgoing.on('response', (sent, result) => this.#onResponse(sent, result));
    }
    if (outgoing.failureReport === 'partial') outgoing.on('late-response', (_sent, response) => this.#emit('late-response', response));
    outgoing.owner = this;
    outgoing.onSettled = SentMessage.#outgoingSettled;
  }

  /** The writer's side settled: one function for every message, which finds its SentMessage as the owner. */
  static #outgoingSettled(this: OutgoingMessage, o: MessageOutcome | null, e: Error | null): void {
    const sent = this.owner as SentMessage;
    if (o !== null) sent.#onWritten(o);
    else sent.#fail(e as Error);
  }

  /** Settles as the module comment says (made on first access). */
  get done(): Promise<DeliveryOutcome> {
    if (this.#done !== null) return this.#done;
    if (this.#outcome !== null) {
      this.#done = Promise.resolve(this.#outcome);
      return this.#done;
    }
    if (this.#error !== null) {
      this.#done = Promise.reject(this.#error);
      // a caller that only listens to events must not see an unhandled rejection
      this.#done.catch(noop);
      return this.#done;
    }
    // the catch that keeps a rejection from being unhandled is added as it rejects (#fail): none per message delivered
    this.#done = new Promise<DeliveryOutcome>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    return this.#done;
  }

  /** Adds a listener for 'progress', 'report' or 'late-response'. */
  on<K extends keyof SentMessageEvents>(event: K, listener: Listener<K>): this {
    (this.#events ??= new EventEmitter()).on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Adds a one-time listener. */
  once<K extends keyof SentMessageEvents>(event: K, listener: Listener<K>): this {
    (this.#events ??= new EventEmitter()).once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes a listener. */
  off<K extends keyof SentMessageEvents>(event: K, listener: Listener<K>): this {
    this.#events?.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Listeners of `event`. */
  listenerCount(event: keyof SentMessageEvents): number {
    return this.#events?.listenerCount(event) ?? 0;
  }

  #emit<K extends keyof SentMessageEvents>(event: K, ...args: SentMessageEvents[K]): void {
    this.#events?.emit(event, ...args);
  }

  /** True once `done` has settled. */
  get settled(): boolean {
    return this.#settled;
  }

  /** What `done` resolved with; null before it settled and when it rejected. */
  get outcome(): DeliveryOutcome | null {
    return this.#outcome;
  }

  /** The message's size, null while unknown. */
  get total(): number | null {
    const o = this.outgoing;
    if (typeof o.total === 'number') return o.total;
    return o.finished ? o.position : null;
  }

  /** Where the message stands (the payload of 'progress'). */
  get progress(): MessageProgress {
    return {
      messageId: this.messageId, total: this.total, written: this.outgoing.bytes,
      acknowledged: this.#acknowledged, reported: this.#reported,
    };
  }

  /**
   * Aborts the message: the chunk in flight ends with `#` (RFC 4975 §7.1) and
   * `done` resolves `aborted` once the writer has stopped it.
   */
  abort(): void {
    this.outgoing.abort();
  }

  /**
   * A REPORT for this message (RFC 4975 §7.3.2). `code` is its Status read as a
   * response code (namespace 000), null for other namespaces. Returns true for
   * a failure REPORT naming a byte range: RFC 4975 §7.3.2 says the whole
   * session has then failed.
   */
  report(report: Chunk, code: number | null, byteRange: ByteRange | null): boolean {
    this.#emit('report', report);
    if (code === null || this.#settled) return false;
    if (!isSuccess(code)) {
      // "the entire message corresponding to that chunk SHOULD be aborted" (RFC 4975 §7.3.2)
      if (!this.outgoing.settled) this.outgoing.abort();
      this.#settle('failed', code, report.status?.comment ?? null, null, report);
      return byteRange !== null;
    }
    if (this.successReport !== 'yes') return false;
    this.#anyReport = true;
    const start = byteRange?.start ?? 1;
    const end = byteRange === null || byteRange.end === '*' ? this.total ?? this.outgoing.position : byteRange.end;
    if (end >= start) {
      if (this.#tracker !== null && this.#handle >= 0) {
        const r = this.#tracker.record(this.#handle, start, end - start + 1, Flag.MORE, Date.now());
        if (r.status === 200) this.#reported = r.received;
      } else if (start === 1) {
        // no interval set to spare (cap reached): only reports from octet 1 count
        this.#reported = Math.max(this.#reported, end);
      }
    }
    if (this.#events !== null) this.#emit('progress', this.progress);
    this.#settleIfReported(report);
    return false;
  }

  /**
   * The session is ending (`error`: why): a message still waiting only for
   * success REPORTs is `unconfirmed`; one still in transit is stopped and
   * fails with `error`.
   */
  end(error: Error): void {
    if (this.#settled) return;
    if (this.#written !== null) {
      this.#settle('unconfirmed', 0, 'no success report came before the session ended', null, null);
      return;
    }
    if (!this.outgoing.settled) this.outgoing.abort();
    this.#fail(error);
  }

  #onChunk(sent: SentChunk): void {
    // the octets of this chunk: from its range-start to where the writer stands now
    (this.#lengths ??= new Map()).set(sent.transactionId, this.outgoing.position - (sent.byteRange.start - 1));
    if (this.#events !== null) this.#emit('progress', this.progress);
  }

  #onResponse(sent: SentChunk, result: { code: number }): void {
    const length = this.#lengths?.get(sent.transactionId) ?? 0;
    this.#lengths?.delete(sent.transactionId);
    if (isSuccess(result.code)) {
      this.#acknowledged += length;
      if (this.#events !== null) this.#emit('progress', this.progress);
    }
  }

  #onWritten(o: MessageOutcome): void {
    this.#written = o;
    if (this.#settled) return;
    if (o.code !== 0 && !isSuccess(o.code)) {
      this.#settle('failed', o.code, o.comment, o.response, null);
    } else if (o.aborted) {
      this.#settle('aborted', 0, null, null, null);
    } else if (this.successReport === 'yes') {
      this.#settleIfReported(null);
      if (!this.#settled && this.#reportTimeout > 0) {
        this.#timer = setTimeout(() => {
          this.#settle('unconfirmed', 0, `no success report within ${this.#reportTimeout} ms`, null, null);
        }, this.#reportTimeout);
        this.#timer.unref();
      }
    } else if (o.code === 0) {
      this.#settle('sent', 0, null, null, null);
    } else {
      this.#settle('delivered', o.code, o.comment, null, null);
    }
  }

  #settleIfReported(report: Chunk | null): void {
    const total = this.total;
    if (this.#settled || total === null) return;
    if (total === 0 && !this.#anyReport) return;
    if (total > 0) {
      const ranges = this.#tracker !== null && this.#handle >= 0 ? this.#tracker.ranges(this.#handle)
        : [{ start: 1, end: this.#reported }];
      if (ranges.length === 0 || ranges[0].start > 1 || ranges[0].end < total) return;
    }
    this.#settle('delivered', 200, null, null, report);
  }

  #settle(status: DeliveryStatus, code: number, comment: string | null, response: Chunk | null, report: Chunk | null): void {
    if (this.#settled) return;
    // set before #release tells the session, which reads it (a 481 ends the session)
    this.#outcome = {
      messageId: this.messageId, status, code, comment,
      confirmedBy: status !== 'delivered' ? null : this.successReport === 'yes' ? 'report' : 'response',
      bytes: this.outgoing.bytes, reportedBytes: this.#reported, response, report,
    };
    this.#release();
    this.#resolve?.(this.#outcome);
  }

  #fail(error: Error): void {
    if (this.#settled) return;
    this.#release();
    this.#error = error instanceof Error ? error : new MsrpSessionError('MSRP_ERR_SESSION_CLOSED', String(error));
    if (this.#reject !== null) {
      (this.#done as Promise<DeliveryOutcome>).catch(noop);
      this.#reject(this.#error);
    }
  }

  #release(): void {
    this.#settled = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#tracker !== null && this.#handle >= 0) this.#tracker.discard(this.#handle);
    this.#handle = -1;
    this.#lengths = null;
    this.#onSettled(this);
  }
}
