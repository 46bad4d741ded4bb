/**
 * Receiver: a session's incoming side (RFC 4975 §7.3). SEND chunks come from
 * the connection as a head, body segments and an end-line (the transport's
 * SessionHandler); their octets go straight into a MessageReassembler, which
 * keeps small messages in memory and hands large ones to an IncomingStream.
 * At each end-line the chunk is answered with the reassembler's status (the
 * transport's writeResponse drops what Failure-Report forbids, §7.1.4), and
 * success REPORTs go out as §7.1.3 asks: one covering the whole message at
 * its end, and optionally incremental ones for progress. A screenRequest
 * hook may answer a message's first chunk otherwise (src/session/screen.ts):
 * the message is then refused as a destroyed stream is.
 *
 * The connection has already refused what the session cannot take (481, 501,
 * 415, 400): everything that reaches this file is well formed.
 */
import { Flag } from '../core/constants.ts';
import type { Chunk } from '../protocol/chunk.ts';
import { HeaderId } from '../core/constants.ts';
import {
  parseByteRange, parseFailureReport, parseMessageId, parseSuccessReport, type ByteRange, type ReportValue,
} from '../protocol/headers.ts';
import {
  MessageReassembler, type FailedMessage, type IncomingChunk, type IncomingMessage, type ReassemblerOptions,
} from '../protocol/reassembler.ts';
import { reasonPhrase, StatusCode } from '../protocol/status.ts';
import type { MsrpTransport, SessionHandler } from '../transport.ts';
import { IncomingStream } from './incoming-stream.ts';
import { ScreenBuffer, type ScreenRequest, type ScreenVerdict } from './screen.ts';

/** What the session keeps about a message being received. */
export interface IncomingMeta {
  /** the head of the chunk that started it */
  chunk: Chunk;
  contentType: string;
  successReport: 'yes' | 'no';
  failureReport: ReportValue;
  /** the total its first chunk announced */
  total: number | '*';
  /** the From-Path it came from, as written: REPORTs go back along it (RFC 4975 §7.1.3) */
  fromPath: string;
  /** octets covered by the last incremental success REPORT */
  reported: number;
  stream: IncomingStream | null;
}

/** A complete small message (the session's 'message' event). */
export interface ReceivedMessage {
  messageId: string;
  /** Content-Type as written */
  contentType: string;
  body: Buffer;
  /** the head of the chunk that started the message (From-Path, other headers) */
  chunk: Chunk;
}

/** A message that will not complete (the session's 'incomplete' event). */
export interface IncompleteMessage {
  messageId: string;
  contentType: string;
  /** aborted by the sender (`#`), too large (413), refused (its stream destroyed, or by screenRequest), expired, or the session closed */
  reason: 'aborted' | 'too-large' | 'expired' | 'closed' | 'refused';
  /** 1-based inclusive ranges received before it ended (empty for `aborted`) */
  ranges: Array<{ start: number; end: number }>;
  total: number | null;
  chunk: Chunk;
}

/** Options of a Receiver (the session passes its own). */
export interface ReceiverOptions extends Pick<ReassemblerOptions<IncomingMeta>,
  'maxMessages' | 'maxIntervals' | 'maxBufferedBytes' | 'maxMessageSize' | 'expireMs'> {
  /** largest message delivered whole as 'message'; larger ones come as 'incoming' streams (default 1 MiB) */
  inlineLimit?: number;
  /** octets between incremental success REPORTs (default 0: one REPORT at the end) */
  progressReports?: number;
  /** highWaterMark of incoming streams (default 1 MiB) */
  streamHighWaterMark?: number;
  /** octets an incoming stream holds out of order (default 4 MiB) */
  maxReorderBytes?: number;
  /** decides the response to a message's first chunk before it is answered (src/session/screen.ts) */
  screenRequest?: ScreenRequest | null;
}

/** What the receiver tells the session. */
export interface ReceiverEvents {
  message(message: ReceivedMessage): void;
  incoming(stream: IncomingStream): void;
  incomplete(message: IncompleteMessage): void;
  /** a whole non-SEND request (REPORT, an extension method) */
  request(chunk: Chunk): boolean | void;
}

const noop = (): void => {};

/** See the module comment. */
export class Receiver implements SessionHandler {
  readonly reassembler: MessageReassembler<IncomingMeta>;
  readonly #transport: MsrpTransport;
  readonly #events: ReceiverEvents;
  readonly #progressReports: number;
  readonly #streamHighWater: number | undefined;
  readonly #maxReorder: number | undefined;
  readonly #inProgress = new Map<string, IncomingMeta>();
  #current: IncomingChunk<IncomingMeta> | null = null;
  #currentId = '';
  /** the current chunk was already answered (an early 413) */
  #answered = false;
  readonly #screen: ScreenRequest | null;
  /** the start of the current chunk's body, kept while it starts a message and a hook is set */
  readonly #screened: ScreenBuffer | null;
  #screening = false;

  /** The incoming side of the session on `transport`; `events` are how it tells the session. */
  constructor(transport: MsrpTransport, events: ReceiverEvents, options: ReceiverOptions = {}) {
    this.#transport = transport;
    this.#events = events;
    this.#progressReports = options.progressReports ?? 0;
    this.#streamHighWater = options.streamHighWaterMark;
    this.#maxReorder = options.maxReorderBytes;
    this.#screen = options.screenRequest ?? null;
    this.#screened = this.#screen === null ? null : new ScreenBuffer();
    this.reassembler = new MessageReassembler<IncomingMeta>({
      maxMessages: options.maxMessages, maxIntervals: options.maxIntervals, inlineLimit: options.inlineLimit,
      maxBufferedBytes: options.maxBufferedBytes, maxMessageSize: options.maxMessageSize, expireMs: options.expireMs,
      createSink: (messageId, meta, sizeHint) => this.#createStream(messageId, meta, sizeHint),
    });
    this.reassembler.on('failed', this.#onFailed);
  }

  /** A SEND chunk's head: its message is found or started in the reassembler. */
  onSendHead(chunk: Chunk): boolean {
    // One pass over the headers (each typed accessor would scan them all again). The
    // connection validated them (validateHead), so the codecs do not throw here.
    let messageId = '';
    let byteRange: ByteRange | null = null;
    let contentType: string | undefined;
    let successReport: 'yes' | 'no' | undefined;
    let failureReport: ReportValue | undefined;
    let fromPath: string | undefined;
    const headers = chunk.headers;
    for (let i = 0; i < headers.length; i++) {
      const value = headers[i][1];
      switch (chunk.headerIdAt(i)) {
        case HeaderId.MESSAGE_ID: if (messageId === '') messageId = parseMessageId(value); break;
        case HeaderId.BYTE_RANGE: byteRange ??= parseByteRange(value); break;
        case HeaderId.CONTENT_TYPE: contentType ??= value; break;
        case HeaderId.SUCCESS_REPORT: successReport ??= parseSuccessReport(value); break;
        case HeaderId.FAILURE_REPORT: failureReport ??= parseFailureReport(value); break;
        case HeaderId.FROM_PATH: fromPath ??= value; break;
        default:
      }
    }
    this.#currentId = messageId;
    this.#answered = false;
    let meta = this.#inProgress.get(messageId);
    const fresh = meta === undefined;
    if (meta === undefined) {
      meta = {
        chunk, contentType: contentType ?? '', successReport: successReport ?? 'no', failureReport: failureReport ?? 'yes',
        total: byteRange?.total ?? '*', fromPath: fromPath as string, reported: 0, stream: null,
      };
      this.#inProgress.set(messageId, meta);
    }
    this.#current = this.reassembler.begin(messageId, byteRange, meta);
    // RFC 4975 §7.3.1: a chunk without Byte-Range starts at 1
    this.#screening = this.#screened !== null && (byteRange === null || byteRange.start === 1)
      && this.#current.status === StatusCode.OK;
    // refused before it started (no room, too large, its stream destroyed): it never became a message
    if (fresh && this.#current.status !== StatusCode.OK && this.reassembler.ranges(messageId) === null) {
      this.#inProgress.delete(messageId);
    }
    return true;
  }

  /** A piece of the body, placed at once; false asks the connection to pause (a full incoming stream). */
  onSendBody(segment: Buffer, chunk: Chunk): boolean {
    const current = this.#current;
    if (current === null || this.#answered) return true;
    if (this.#screening) (this.#screened as ScreenBuffer).add(segment);
    const go = current.write(segment);
    if (current.status !== StatusCode.OK) {
      // Answered at once, not at the end-line: the sender stops the chunk in flight
      // with `#` instead of writing the rest of it (RFC 4975 §7.3.2, §10.5).
      this.#answered = true;
      this.#transport.writeResponse(chunk, current.status);
    }
    return go;
  }

  /** The end-line: the chunk is committed and answered; a completed message is delivered and reported. */
  onSendEnd(chunk: Chunk): boolean {
    // the connection calls onSendHead first, which always sets it
    const current = this.#current as IncomingChunk<IncomingMeta>;
    const answered = this.#answered;
    this.#current = null;
    this.#answered = false;
    const meta = this.#inProgress.get(this.#currentId);
    const verdict = this.#screening ? this.#screenChunk(chunk, current, answered) : null;
    // a message refused on the way (its stream destroyed) answers 413 here (RFC 4975 §10.5)
    const outcome = current.end(chunk.continuationFlag.charCodeAt(0));
    const status = outcome.status;
    // writeResponse sends nothing for Failure-Report `no`, and only errors for `partial` (RFC 4975 §7.1.4)
    if (!answered) this.#transport.writeResponse(chunk, verdict?.code ?? status, verdict?.comment);
    const message = outcome.message;
    if (message !== null) {
      this.#inProgress.delete(message.messageId);
      this.#delivered(message);
    } else if (status === StatusCode.OK && meta !== undefined && this.#progressReports > 0 && !outcome.aborted) {
      this.#progress(this.#currentId, meta);
    }
    return true;
  }

  /** The connection ended inside a chunk's body. */
  onSendTruncated(chunk: Chunk): void {
    // what arrived of the chunk stays recorded, so the partial message reports it (RFC 4975 §7.3.1)
    const current = this.#current;
    this.#current = null;
    if (current !== null) current.end(Flag.MORE);
    if (this.#screening) this.#screened?.take();
    this.#screening = false;
    void chunk;
  }

  /** A SEND that came whole, queued by the transport before this handler was installed. */
  receiveWhole(chunk: Chunk): void {
    const body = chunk.body;
    this.onSendHead(chunk);
    if (body !== undefined && body.length > 0) this.onSendBody(body, chunk);
    this.onSendEnd(chunk);
  }

  /** A whole non-SEND request (REPORT, an extension method), for the session. */
  onRequest(chunk: Chunk): boolean | void {
    return this.#events.request(chunk);
  }

  /** Gives up every message in progress ('incomplete', reason 'closed'). */
  close(): void {
    this.reassembler.close();
    this.#inProgress.clear();
  }

  /**
   * Asks the hook about the first chunk of a message that is still taken, and
   * refuses the message (its state freed now, later chunks 413) when the hook
   * gives a verdict; nothing of it is delivered then.
   */
  #screenChunk(chunk: Chunk, current: IncomingChunk<IncomingMeta>, answered: boolean): ScreenVerdict | null {
    this.#screening = false;
    const body = (this.#screened as ScreenBuffer).take();
    // already failing (an early 413), or aborted by its sender: nothing to decide
    if (answered || current.status !== StatusCode.OK || chunk.continuationFlag === '#') return null;
    const verdict = (this.#screen as ScreenRequest)(chunk, body);
    if (verdict !== null) this.reassembler.refuse(this.#currentId);
    return verdict;
  }

  #createStream(messageId: string, meta: IncomingMeta, sizeHint: number | null): IncomingStream {
    const stream = new IncomingStream({
      messageId, contentType: meta.contentType, size: sizeHint, chunk: meta.chunk,
      highWaterMark: this.#streamHighWater, maxReorderBytes: this.#maxReorder,
      onWanted: () => this.#transport.resume(),
      // destroyed early: its tracker slot is freed now, not at expiry, and the sender is told to stop
      // with 413, at once for the chunk arriving and for every later one (RFC 4975 §10.5);
      // 'incomplete' (reason `refused`) follows through #onFailed
      onRefused: () => this.reassembler.refuse(messageId),
      retainable: () => this.#transport.connection.segmentsRetainable,
    });
    meta.stream = stream;
    this.#events.incoming(stream);
    return stream;
  }

  #delivered(message: IncomingMessage<IncomingMeta>): void {
    const meta = message.meta;
    if (meta.successReport === 'yes') this.#report(message.messageId, meta, { start: 1, end: message.total, total: message.total }, StatusCode.OK);
    if (message.body !== null) {
      this.#events.message({ messageId: message.messageId, contentType: meta.contentType, body: message.body, chunk: meta.chunk });
    }
  }

  /** An incremental success REPORT for the octets received from 1 on, every progressReports octets. */
  #progress(messageId: string, meta: IncomingMeta): void {
    if (meta.successReport !== 'yes') return;
    const ranges = this.reassembler.ranges(messageId);
    if (ranges === null || ranges.length === 0 || ranges[0].start !== 1) return;
    const end = ranges[0].end;
    if (end - meta.reported < this.#progressReports) return;
    meta.reported = end;
    this.#report(messageId, meta, { start: 1, end, total: meta.total }, StatusCode.OK);
  }

  readonly #onFailed = (failed: FailedMessage<IncomingMeta>): void => {
    const meta = failed.meta;
    this.#inProgress.delete(failed.messageId);
    // RFC 4975 §7.1.4: a failure found after the chunks were answered goes in a failure REPORT;
    // `partial` asks for no timeout errors, and `no` for none at all
    if (failed.reason === 'expired' && meta.failureReport === 'yes') {
      const end = failed.ranges.length > 0 ? failed.ranges[failed.ranges.length - 1].end : 0;
      this.#report(failed.messageId, meta, { start: 1, end, total: meta.total }, StatusCode.REQUEST_TIMEOUT);
    }
    this.#events.incomplete({
      messageId: failed.messageId, contentType: meta.contentType, reason: failed.reason, ranges: failed.ranges,
      total: failed.total, chunk: meta.chunk,
    });
  };

  /** A REPORT (RFC 4975 §7.1.3): back along the From-Path, Status 000, the Byte-Range reported on. */
  #report(messageId: string, meta: IncomingMeta, byteRange: ByteRange, code: number): void {
    if (this.#transport.closed) return;
    const report = this.#transport.makeChunk({
      method: 'REPORT', messageId, start: byteRange.start, end: byteRange.end, length: byteRange.total,
      status: { namespace: 0, code, comment: reasonPhrase(code) },
    });
    report.setHeader('To-Path', meta.fromPath);
    // no response comes to a REPORT (RFC 4975 §7.1.2); a failed write is the connection's to report
    this.#transport.writeChunk(report).catch(noop);
  }
}
