/**
 * MessageReassembler: turns the chunks of incoming SEND requests back into
 * messages (RFC 4975 §7.3.1), on top of the core's Byte-Range tracker.
 *
 * Bodies arrive as segments (pieces of a chunk body, as socket reads deliver
 * them) and are placed at once; the chunk's range is committed to the tracker at
 * its end-line, when its actual length and continuation flag are known. Small
 * messages are assembled in memory and delivered whole; larger ones (or any
 * message once memory would pass its bound) are written to a sink the caller
 * supplies, at offsets, so a 1 GiB file never sits in memory. Every bound is an
 * option; exceeding one gives the status to answer (413), never more memory.
 */

import { EventEmitter } from 'node:events';
import { Flag } from '../core/constants.ts';
import { createRangeTracker, type RangeTracker, type ReceivedRange } from '../core/ranges.ts';
import type { ByteRange } from './headers.ts';
import { StatusCode } from './status.ts';

/** Where a large message's bytes go (a file written at positions, a hash, nothing). */
export interface ReassemblySink {
  /**
   * Writes `bytes` (valid only during the call) at the 0-based `offset` of the
   * message. Overlapping writes come in arrival order: the last chunk received
   * takes precedence (RFC 4975 §7.3.1). Returning `false` asks the caller to
   * pause its input until the sink is ready again (the sink's own signal).
   */
  write(offset: number, bytes: Buffer): boolean | void;
  /** Every byte 0..total-1 is written; anything written at or past `total` is not part of the message. */
  end(total: number): void;
  /** The message failed or was aborted: what was written is not a message. */
  abort(reason: FailureReason): void;
}

/** Why a message was given up: `refused` when the caller gave it up (refuse()). */
export type FailureReason = 'too-large' | 'expired' | 'aborted' | 'closed' | 'refused';

/** Options of one session's reassembler. */
export interface ReassemblerOptions<M> {
  /** messages in progress at once (default 64); one more gets 413 */
  maxMessages?: number;
  /** disjoint byte ranges held per message (default 256); one more stops the message with 413 */
  maxIntervals?: number;
  /** largest message assembled in memory and delivered whole, in octets (default 1 MiB) */
  inlineLimit?: number;
  /** all in-memory messages of this reassembler together, in octets (default 16 MiB) */
  maxBufferedBytes?: number;
  /** largest message accepted at all, in octets (default 2^53-1); larger gets 413 */
  maxMessageSize?: number;
  /** a partial message with no chunk for this long is given up (default 120000 ms; 0 never) */
  expireMs?: number;
  /**
   * how often a timer looks for stalled messages while any is in progress
   * (default expireMs / 4; 0: only when expire() is called). The timer is
   * unref'd, stops at its first tick with nothing in progress, and on close().
   */
  sweepIntervalMs?: number;
  /**
   * A sink for a message too large for memory; null (or no factory) answers 413.
   * `sizeHint` is the total Byte-Range announced, when it announced one.
   */
  createSink?: (messageId: string, meta: M, sizeHint: number | null) => ReassemblySink | null;
  /** the Byte-Range tracker (default: createRangeTracker with maxMessages / maxIntervals) */
  tracker?: RangeTracker;
  /** the clock, in milliseconds (default Date.now) */
  now?: () => number;
}

/** A complete message. */
export interface IncomingMessage<M> {
  messageId: string;
  /** what the caller passed with the chunk that started the message */
  meta: M;
  /** its length, set by the chunk ending in `$`; a success REPORT covers 1-total/total (RFC 4975 §7.1.3) */
  total: number;
  /** the message, when it was assembled in memory */
  body: Buffer | null;
  /** the sink it was written to otherwise (already ended) */
  sink: ReassemblySink | null;
}

/** A message given up: what a failure (or partial success) REPORT needs. */
export interface FailedMessage<M> {
  messageId: string;
  meta: M;
  reason: FailureReason;
  /** the status a REPORT would carry (RFC 4975 §7.1.4): 413 (too large, refused), 408 for expiry, 0 for abort/close */
  status: number;
  /** byte ranges received before it failed (1-based, inclusive) */
  ranges: ReceivedRange[];
  /** the total set by a `$` chunk, or null */
  total: number | null;
}

/** What one chunk did, at its end-line. */
export interface ChunkOutcome<M> {
  /** the status to answer the chunk's transaction with: 200, 400 or 413 (RFC 4975 §10) */
  status: number;
  newBytes: number;
  duplicateBytes: number;
  /** the chunk ended in `#`: the message is discarded */
  aborted: boolean;
  /** the message this chunk completed (also emitted as 'message') */
  message: IncomingMessage<M> | null;
}

/** Events of a MessageReassembler. */
export interface ReassemblerEvents<M> {
  message: [IncomingMessage<M>];
  failed: [FailedMessage<M>];
}

interface Entry<M> {
  messageId: string;
  meta: M;
  handle: number;
  /** the total the tracker reported (from a `$` chunk), -1 until known */
  total: number;
  /** announced total (Byte-Range), for sizing */
  hint: number | null;
  buffer: Buffer | null;
  sink: ReassemblySink | null;
  /** one past the highest offset written to the buffer */
  extent: number;
  /** chunks of this message between head and end-line */
  open: number;
  /** given up or delivered: its tracker slot is gone, a chunk still arriving is refused */
  gone: boolean;
}

// IncomingChunk reaches back into its reassembler through these (not public API).
const kPlace = Symbol('place');
const kCommit = Symbol('commit');

/** Stopped Message-IDs remembered so later chunks of them also get 413. */
const STOPPED_MEMORY = 256;

const EMPTY = Buffer.alloc(0);

/** Unused octets a delivered body may keep alive before it is copied out instead. */
const SLACK = 4096;

/** Reassembles one session's incoming messages. */
export class MessageReassembler<M = unknown> extends EventEmitter<ReassemblerEvents<M>> {
  readonly #tracker: RangeTracker;
  readonly #entries = new Map<string, Entry<M>>();
  readonly #stopped = new Set<string>();
  readonly #inlineLimit: number;
  readonly #maxBuffered: number;
  readonly #maxMessageSize: number;
  readonly #expireMs: number;
  readonly #sweepMs: number;
  readonly #createSink: ReassemblerOptions<M>['createSink'];
  readonly #now: () => number;
  #buffered = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  /** Bounds as options (see ReassemblerOptions); bad values are a RangeError. */
  constructor(options: ReassemblerOptions<M> = {}) {
    super();
    this.#inlineLimit = size(options.inlineLimit, 1 << 20, 'inlineLimit');
    this.#maxBuffered = size(options.maxBufferedBytes, 16 << 20, 'maxBufferedBytes');
    this.#maxMessageSize = size(options.maxMessageSize, Number.MAX_SAFE_INTEGER, 'maxMessageSize');
    this.#expireMs = size(options.expireMs, 120_000, 'expireMs');
    this.#sweepMs = size(options.sweepIntervalMs, Math.ceil(this.#expireMs / 4), 'sweepIntervalMs');
    this.#createSink = options.createSink;
    this.#now = options.now ?? Date.now;
    this.#tracker = options.tracker
      ?? createRangeTracker({ maxMessages: options.maxMessages, maxIntervals: options.maxIntervals });
  }

  /** Octets held in memory by messages in progress. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Messages in progress. */
  get size(): number {
    return this.#entries.size;
  }

  /** Messages the Byte-Range tracker holds a slot for, as the tracker counts them (0 once closed). */
  get trackedMessages(): number {
    return this.#closed ? 0 : this.#tracker.stats().messages;
  }

  /**
   * A chunk's head arrived: `byteRange` as parsed (null when the SEND had none:
   * then it starts at 1, RFC 4975 §7.3.1), `meta` kept with a new message.
   * Feed the body to the returned chunk, then call its `end`. A rejected chunk
   * still takes its body (and drops it) and answers its status at `end`.
   */
  begin(messageId: string, byteRange: ByteRange | null, meta: M): IncomingChunk<M> {
    if (this.#closed) throw new RangeError('MessageReassembler is closed');
    const start = byteRange ? byteRange.start : 1;
    // RFC 4975 §9 range-start is 1-based; positions past 2^53-1 cannot be tracked exactly.
    if (!Number.isSafeInteger(start) || start < 1
      || (byteRange && byteRange.end !== '*' && byteRange.end < start - 1)) {
      return new IncomingChunk<M>(this, null, start, StatusCode.BAD_REQUEST);
    }
    if (this.#stopped.has(messageId)) return new IncomingChunk<M>(this, null, start, StatusCode.TOO_LARGE);
    const announced = byteRange ? announcedSize(byteRange) : null;
    if (announced !== null && announced > this.#maxMessageSize) {
      this.#stop(this.#entries.get(messageId) ?? null, messageId);
      return new IncomingChunk<M>(this, null, start, StatusCode.TOO_LARGE);
    }
    let entry = this.#entries.get(messageId);
    if (!entry) {
      const handle = this.#tracker.open(this.#now());
      if (handle < 0) {
        this.#remember(messageId);
        return new IncomingChunk<M>(this, null, start, StatusCode.TOO_LARGE);
      }
      entry = {
        messageId, meta, handle, total: -1, hint: byteRange && byteRange.total !== '*' ? byteRange.total : null,
        buffer: null, sink: null, extent: 0, open: 0, gone: false,
      };
      this.#entries.set(messageId, entry);
      this.#arm();
      // Announced as too large for memory: straight to a sink.
      if (announced !== null && announced > this.#inlineLimit && !this.#toSink(entry)) {
        this.#stop(entry, messageId);
        return new IncomingChunk<M>(this, null, start, StatusCode.TOO_LARGE);
      }
    }
    entry.open++;
    return new IncomingChunk<M>(this, entry, start, StatusCode.OK);
  }

  /**
   * Places body bytes at `offset`; false when a sink asked to pause. Returns
   * null when the message had to stop (too large for every bound).
   */
  [kPlace](entry: Entry<M>, offset: number, bytes: Buffer): boolean | null {
    // Not cut at a known total: this chunk may end in `$` and move the total.
    // Bytes past the total land where nothing is held, so a chunk recording
    // those positions later overwrites them before the message can complete.
    const end = offset + bytes.length;
    // given up while this chunk arrives (refused, closed): the rest of it is refused at once (RFC 4975 §10.5)
    if (entry.gone || end > this.#maxMessageSize) return null;
    if (bytes.length === 0) return true;
    if (!entry.sink && !this.#reserve(entry, end) && !this.#toSink(entry)) return null;
    if (entry.sink) return entry.sink.write(offset, bytes) !== false;
    const buffer = entry.buffer!;
    // The buffer is not zero-filled when allocated; a gap before this write is,
    // so [0, extent) never shows earlier memory should it be spilled to a sink.
    if (offset > entry.extent) buffer.fill(0, entry.extent, offset);
    bytes.copy(buffer, offset);
    if (end > entry.extent) entry.extent = end;
    return true;
  }

  /** Makes the memory buffer hold `end` octets within the bounds; false when it cannot. */
  #reserve(entry: Entry<M>, end: number): boolean {
    const have = entry.buffer ? entry.buffer.length : 0;
    if (end <= have) return true;
    if (end > this.#inlineLimit) return false;
    // Grow to the announced total when it fits (one allocation for a well-behaved
    // sender), else by doubling; at least what is needed.
    let want = Math.min(Math.max(end, have * 2, entry.hint ?? 0), this.#inlineLimit);
    if (this.#buffered - have + want > this.#maxBuffered) want = end;
    if (this.#buffered - have + want > this.#maxBuffered) return false;
    const grown = Buffer.allocUnsafe(want);
    if (entry.buffer) entry.buffer.copy(grown, 0, 0, entry.extent);
    this.#buffered += want - have;
    entry.buffer = grown;
    return true;
  }

  /** Moves a message to a sink from the caller; false when there is none. */
  #toSink(entry: Entry<M>): boolean {
    const sink = this.#createSink?.(entry.messageId, entry.meta, entry.hint) ?? null;
    if (!sink) return false;
    entry.sink = sink;
    if (entry.buffer) {
      // What memory held so far (gaps zeroed; later chunks overwrite them).
      if (entry.extent > 0) sink.write(0, entry.buffer.subarray(0, entry.extent));
      this.#release(entry);
    }
    return true;
  }

  #release(entry: Entry<M>): void {
    if (entry.buffer) this.#buffered -= entry.buffer.length;
    entry.buffer = null;
  }

  /** Commits a chunk at its end-line. */
  [kCommit](entry: Entry<M>, start: number, length: number, flag: number, failed: boolean): ChunkOutcome<M> {
    entry.open--;
    if (entry.gone) {
      // the message was given up while this chunk's body was arriving (expiry, close)
      return outcome(flag === Flag.ABORT ? StatusCode.OK : StatusCode.TOO_LARGE, 0, 0, flag === Flag.ABORT);
    }
    if (failed && flag !== Flag.ABORT) {
      this.#stop(entry, entry.messageId);
      return outcome(StatusCode.TOO_LARGE, 0, 0, false);
    }
    const r = this.#tracker.record(entry.handle, start, length, flag, this.#now());
    const result = outcome<M>(r.status, r.newBytes, r.duplicateBytes, r.aborted);
    if (r.aborted) {
      // RFC 4975 §7.3.2: `#` ends the message; nothing is delivered or reported.
      this.#forget(entry, 'aborted', 0, []);
    } else if (r.stopped) {
      this.#stop(entry, entry.messageId);
    } else if (r.complete) {
      result.message = this.#deliver(entry, r.total);
    } else {
      entry.total = r.total;
    }
    return result;
  }

  #deliver(entry: Entry<M>, total: number): IncomingMessage<M> {
    // the tracker freed the message when it completed
    this.#drop(entry);
    let body: Buffer | null = null;
    if (entry.sink) entry.sink.end(total);
    else if (!entry.buffer) body = EMPTY;
    // A view, unless a wrong announced total left most of the buffer unused:
    // then a copy, so the caller does not keep the slack alive.
    else {
      const slack = entry.buffer.length - total;
      body = slack === 0 ? entry.buffer
        : slack > SLACK && slack > total ? Buffer.from(entry.buffer.subarray(0, total)) : entry.buffer.subarray(0, total);
    }
    // the delivered body is the caller's now: it no longer counts as buffered
    this.#release(entry);
    const message: IncomingMessage<M> = { messageId: entry.messageId, meta: entry.meta, total, body, sink: entry.sink };
    this.emit('message', message);
    return message;
  }

  /**
   * The caller will not take the rest of a message (its consumer stopped
   * reading): its tracker slot and memory are freed at once, 'failed' says
   * `refused` (status 413) with the ranges received, and every later chunk of
   * it, the one arriving included, is answered 413 (RFC 4975 §10.5) without
   * holding anything for it. A Message-ID not in progress is only remembered.
   */
  refuse(messageId: string): void {
    this.#stop(this.#entries.get(messageId) ?? null, messageId, 'refused');
  }

  /** Stops a message with 413 (RFC 4975 §10.5) and remembers it, so its later chunks get 413 too. */
  #stop(entry: Entry<M> | null, messageId: string, reason: 'too-large' | 'refused' = 'too-large'): void {
    this.#remember(messageId);
    if (entry) this.#forget(entry, reason, StatusCode.TOO_LARGE, this.#tracker.ranges(entry.handle));
  }

  #remember(messageId: string): void {
    if (this.#stopped.size >= STOPPED_MEMORY) this.#stopped.delete(this.#stopped.values().next().value!);
    this.#stopped.add(messageId);
  }

  /** Removes an entry the tracker still holds, or already freed when `ranges` was read. */
  #forget(entry: Entry<M>, reason: FailureReason, status: number, ranges: ReceivedRange[]): void {
    if (reason !== 'aborted') this.#tracker.discard(entry.handle);
    this.#drop(entry);
    this.#release(entry);
    entry.sink?.abort(reason);
    this.emit('failed', {
      messageId: entry.messageId, meta: entry.meta, reason, status, ranges,
      total: entry.total >= 0 ? entry.total : null,
    });
  }

  #drop(entry: Entry<M>): void {
    entry.gone = true;
    this.#entries.delete(entry.messageId);
  }

  /**
   * The byte ranges of a message in progress received so far (1-based,
   * inclusive), for an incremental success REPORT (RFC 4975 §7.1.3); null for a
   * Message-ID not in progress.
   */
  ranges(messageId: string): ReceivedRange[] | null {
    const entry = this.#entries.get(messageId);
    return entry ? this.#tracker.ranges(entry.handle) : null;
  }

  /**
   * Gives up every partial message with no chunk since `now - expireMs`
   * ('failed', reason 'expired', status 408). Messages with a chunk body still
   * arriving are not stalled. Runs by itself on a timer; call it to force a sweep.
   */
  expire(now: number = this.#now()): void {
    if (this.#expireMs === 0) return;
    for (const entry of this.#entries.values()) if (entry.open > 0) this.#tracker.touch(entry.handle, now);
    const cutoff = now - this.#expireMs;
    for (const entry of [...this.#entries.values()]) {
      if (!this.#tracker.idle(entry.handle, cutoff)) continue;
      this.#forget(entry, 'expired', StatusCode.REQUEST_TIMEOUT, this.#tracker.ranges(entry.handle));
    }
  }

  #arm(): void {
    if (this.#timer || this.#expireMs === 0 || this.#sweepMs === 0) return;
    // Stopped by its own tick once nothing is in progress, not on every
    // delivery: a run of small messages does not set a timer per message.
    this.#timer = setInterval(() => {
      if (this.#entries.size === 0) this.#disarm();
      else this.expire();
    }, this.#sweepMs);
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Gives up every message in progress ('failed', reason 'closed') and frees the tracker. */
  close(): void {
    if (this.#closed) return;
    for (const entry of [...this.#entries.values()]) this.#forget(entry, 'closed', 0, this.#tracker.ranges(entry.handle));
    this.#closed = true;
    this.#disarm();
    this.#tracker.free();
  }
}

/**
 * One chunk's body on its way in: `write` each segment, then `end` with the
 * end-line's continuation flag.
 */
export class IncomingChunk<M> {
  readonly #owner: MessageReassembler<M>;
  readonly #entry: Entry<M> | null;
  /** Byte-Range range-start (1-based) */
  readonly start: number;
  /** body octets seen so far: the chunk's actual length at its end-line (RFC 4975 §7.3.1) */
  length = 0;
  #status: number;
  #ended = false;

  /** Made by MessageReassembler.begin. */
  constructor(owner: MessageReassembler<M>, entry: Entry<M> | null, start: number, status: number) {
    this.#owner = owner;
    this.#entry = entry;
    this.start = start;
    this.#status = status;
  }

  /** The status this chunk will answer so far (200 until something went wrong). */
  get status(): number {
    return this.#status;
  }

  /** A body segment (valid only during the call). Returns false when the sink asks to pause. */
  write(segment: Buffer): boolean {
    if (this.#ended) throw new RangeError('chunk already ended');
    const offset = this.start - 1 + this.length;
    this.length += segment.length;
    if (!this.#entry || this.#status !== StatusCode.OK) return true;
    const placed = this.#owner[kPlace](this.#entry, offset, segment);
    if (placed === null) {
      this.#status = StatusCode.TOO_LARGE;
      return true;
    }
    return placed;
  }

  /** The end-line: `flag` is its continuation flag code (0x24 `$`, 0x2b `+`, 0x23 `#`). */
  end(flag: number): ChunkOutcome<M> {
    if (this.#ended) throw new RangeError('chunk already ended');
    this.#ended = true;
    if (!this.#entry) return outcome(this.#status, 0, 0, false);
    return this.#owner[kCommit](this.#entry, this.start, this.length, flag, this.#status !== StatusCode.OK);
  }
}

function outcome<M>(status: number, newBytes: number, duplicateBytes: number, aborted: boolean): ChunkOutcome<M> {
  return { status, newBytes, duplicateBytes, aborted, message: null };
}

/** The size a Byte-Range announces: its total, else its range-end, else nothing. */
function announcedSize(r: ByteRange): number | null {
  if (r.total !== '*') return r.total;
  return r.end !== '*' ? r.end : null;
}

function size(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return v;
}
