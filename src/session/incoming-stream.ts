/**
 * IncomingStream: a large incoming message as a Readable (the session's
 * 'incoming' event), and the reassembler's sink for it. Octets are pushed in
 * message order; chunks that arrive ahead of a gap (a relay may reorder them,
 * RFC 4975 §7.3.1) wait in a bounded side buffer until the gap is filled.
 *
 * Backpressure: when the Readable's buffer is full, `write` returns false and
 * the session pauses the connection's reader; `_read` (the consumer wants
 * more) resumes it. So a slow consumer slows the sender through TCP, and
 * nothing here grows past highWaterMark plus the reorder bound.
 *
 * Body segments may be views valid only during the call (a socket reading
 * into reused memory): then the octets pushed are copies. When the
 * connection says its segments are views of Buffers nothing writes again
 * (`retainable`), those that cover most of their Buffer are pushed as they are.
 * A consumer that handles each piece at once (hashing, writing into its own
 * buffers, counting) can `borrow()` them instead: no Readable, no copy.
 */
import { Readable } from 'node:stream';
import type { Chunk } from '../protocol/chunk.ts';
import type { FailureReason, ReassemblySink } from '../protocol/reassembler.ts';
import { MsrpSessionError } from '../errors.ts';

/** What the session tells an IncomingStream at birth. */
export interface IncomingStreamInit {
  messageId: string;
  /** the Content-Type value of the message's first chunk, as written */
  contentType: string;
  /** the total announced by Byte-Range, null when unknown */
  size: number | null;
  /** the head of the chunk that started the message (its body is empty) */
  chunk: Chunk;
  /** octets the Readable buffers before it asks the session to pause (default 1 MiB) */
  highWaterMark?: number;
  /** octets held out of order before the message is refused (default 4 MiB) */
  maxReorderBytes?: number;
  /** the consumer wants more octets: the session resumes reading (called outside any parser callback) */
  onWanted: () => void;
  /** the stream was destroyed before its end (consumer or reorder bound): the session refuses the rest (413) */
  onRefused: (stream: IncomingStream) => void;
  /** whether the segments written now may be kept without a copy (default: never) */
  retainable?: () => boolean;
}

const DEFAULT_HIGH_WATER = 1 << 20;
const DEFAULT_MAX_REORDER = 4 << 20;

/**
 * Copies are carved out of 1 MiB slabs (not zero-filled: every octet is
 * written before it is read), one allocation per many segments instead of one
 * each; a slab is freed once no copy made from it is referenced.
 */
const SLAB = 1 << 20;
let slab = Buffer.allocUnsafeSlow(0);
let slabUsed = 0;

function never(): boolean {
  return false;
}

/** A copy of `bytes` the consumer may keep. */
function copyOut(bytes: Buffer): Buffer {
  const n = bytes.length;
  if (n > SLAB / 4) {
    const own = Buffer.allocUnsafeSlow(n);
    bytes.copy(own);
    return own;
  }
  if (slabUsed + n > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  bytes.copy(out);
  slabUsed += n;
  return out;
}

/** See the module comment. */
export class IncomingStream extends Readable implements ReassemblySink {
  /** Message-ID of the message */
  readonly messageId: string;
  /** Content-Type as written in its first chunk */
  readonly contentType: string;
  /** total octets announced by Byte-Range, null when unknown */
  readonly size: number | null;
  /** the head of the chunk that started the message */
  readonly chunk: Chunk;
  readonly #maxReorder: number;
  readonly #onWanted: () => void;
  readonly #onRefused: (stream: IncomingStream) => void;
  readonly #retainable: () => boolean;
  /** 0-based offset of the next octet to push */
  #next = 0;
  /** out-of-order pieces by offset */
  #ahead = new Map<number, Buffer>();
  #aheadBytes = 0;
  /** total set by end(): push(null) once #next reaches it */
  #total = -1;
  /** write() returned false: `_read` must resume the session */
  #pausedSession = false;
  /** the consumer that borrows the octets (borrow()), null while they go through the Readable */
  #borrower: ((view: Buffer) => boolean | void) | null = null;
  /** the borrower returned false: `proceed()` resumes the session */
  #borrowerPaused = false;
  #settled = false;

  /** Made by the session's receiver when a message is too large for memory. */
  constructor(init: IncomingStreamInit) {
    super({ highWaterMark: init.highWaterMark ?? DEFAULT_HIGH_WATER });
    this.messageId = init.messageId;
    this.contentType = init.contentType;
    this.size = init.size;
    this.chunk = init.chunk;
    this.#maxReorder = init.maxReorderBytes ?? DEFAULT_MAX_REORDER;
    this.#onWanted = init.onWanted;
    this.#onRefused = init.onRefused;
    this.#retainable = init.retainable ?? never;
  }

  /** Octets pushed so far, in order. */
  get received(): number {
    return this.#next;
  }

  /**
   * Takes the octets without the Readable and without copies: from now on
   * `onData` gets them in message order, each `view` valid only during the
   * call (it may be memory the socket reads into next: copy what you keep).
   * Returning false means nothing more until `proceed()` (the session's
   * reader pauses; octets waiting here wait on). Octets the Readable already
   * buffered come first; 'end', 'error' and destroy() work as before (the
   * Readable is set flowing so that 'end' is emitted).
   */
  borrow(onData: (view: Buffer) => boolean | void): this {
    if (this.#borrower !== null) throw new Error(`incoming message ${this.messageId} already has a borrower`);
    // set before the buffered octets are read: each read() calls _read, which would resume a session
    // paused by the full Readable even when the borrower says false to those octets
    this.#borrower = onData;
    this.#lendWaiting();
    return this;
  }

  /** Goes on after the borrower returned false (see borrow()). */
  proceed(): void {
    if (!this.#borrowerPaused || this.destroyed) return;
    this.#borrowerPaused = false;
    this.#lendWaiting();
  }

  /**
   * Lends what waits here, in order, until the borrower says false: octets the
   * Readable buffered before borrow(), then held pieces whose gap is filled;
   * then the session may read on.
   */
  #lendWaiting(): void {
    const borrower = this.#borrower as (view: Buffer) => boolean | void;
    let buffered: Buffer | null;
    while (!this.#borrowerPaused && (buffered = this.read() as Buffer | null) !== null) {
      if (!this.#lend(borrower, buffered)) return;
    }
    if (this.#borrowerPaused) return;
    // flowing, so that 'end' is emitted once the last octet was lent
    this.resume();
    if (this.#ahead.size > 0) this.#pushAhead();
    if (!this.#borrowerPaused) this.#wanted();
  }

  /** ReassemblySink: octets at a 0-based offset; false asks the session to pause its reader. */
  write(offset: number, bytes: Buffer): boolean {
    if (this.#settled || this.destroyed) return true;
    const end = offset + bytes.length;
    if (end <= this.#next) return true; // already pushed: too late to take back (RFC 4975 §7.3.1 allows it)
    if (offset > this.#next) return this.#holdAhead(offset, bytes);
    const fresh = offset < this.#next ? bytes.subarray(this.#next - offset) : bytes;
    let go = this.#push(fresh, this.#keepable(fresh));
    if (this.#ahead.size > 0) go = this.#pushAhead() && go;
    if (!go) this.#pausedSession = true;
    return go;
  }

  /** ReassemblySink: every octet 0..total-1 was written. */
  end(total: number): void {
    if (this.#settled) return;
    this.#total = total;
    this.#finishIfDone();
  }

  /** ReassemblySink: the message failed or was aborted; the consumer sees an error. */
  abort(reason: FailureReason): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#ahead.clear();
    this.#aheadBytes = 0;
    const code = reason === 'aborted' ? 'MSRP_ERR_MESSAGE_ABORTED' : 'MSRP_ERR_MESSAGE_INCOMPLETE';
    const why = reason === 'aborted' ? 'the sender aborted it (end-line flag #, RFC 4975 §7.1)'
      : reason === 'expired' ? 'no chunk of it came for too long'
        : reason === 'closed' ? 'the session closed before it was complete' : 'it passed a size bound or was refused (413)';
    this.destroy(new MsrpSessionError(code, `incoming message ${this.messageId} is incomplete: ${why}`));
  }

  /** Readable: the consumer wants more; the session resumes reading if a write said false. */
  override _read(): void {
    // a borrower says when it wants more (proceed())
    if (this.#borrower === null) this.#wanted();
  }

  #wanted(): void {
    if (!this.#pausedSession) return;
    this.#pausedSession = false;
    // never re-enter the parser from inside one of its callbacks
    queueMicrotask(this.#onWanted);
  }

  /** Readable: destroyed; before its end this refuses the rest of the message. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const early = !this.#settled;
    this.#settled = true;
    this.#ahead.clear();
    this.#aheadBytes = 0;
    if (this.#pausedSession) {
      this.#pausedSession = false;
      queueMicrotask(this.#onWanted);
    }
    // destroyed by its consumer (or the reorder bound): the sender is asked to stop (RFC 4975 §10.5)
    if (early) this.#onRefused(this);
    callback(error);
  }

  /**
   * Whether `bytes` may be pushed as it is: the connection says its segments
   * stay valid, and it covers at least half the memory it keeps alive (many
   * small views of large reads could otherwise hold far more than they show).
   */
  #keepable(bytes: Buffer): boolean {
    return bytes.length * 2 >= bytes.buffer.byteLength && this.#retainable();
  }

  /** Pushes octets at #next; `kept` when they may be kept as they are (held pieces are already copies). */
  #push(bytes: Buffer, kept: boolean): boolean {
    this.#next += bytes.length;
    const borrower = this.#borrower;
    let go: boolean;
    if (borrower === null) go = this.push(kept ? bytes : copyOut(bytes));
    else {
      if (!this.#lend(borrower, bytes)) return true;
      go = !this.#borrowerPaused;
    }
    this.#finishIfDone();
    return go;
  }

  /** Lends `view` to the borrower; false when it threw (the stream is destroyed with its error). */
  #lend(borrower: (view: Buffer) => boolean | void, view: Buffer): boolean {
    try {
      if (borrower(view) === false) this.#borrowerPaused = true;
      return true;
    } catch (error) {
      // the borrower's failure is the stream's (as a throwing 'data' handler's would not be: it would reach the socket)
      this.destroy(error as Error);
      return false;
    }
  }

  #holdAhead(offset: number, bytes: Buffer): boolean {
    const held = this.#ahead.get(offset);
    if (held !== undefined && held.length >= bytes.length) return true;
    this.#aheadBytes += bytes.length - (held?.length ?? 0);
    if (this.#aheadBytes > this.#maxReorder) {
      this.destroy(new MsrpSessionError('MSRP_ERR_MESSAGE_REORDER',
        `incoming message ${this.messageId}: more than ${this.#maxReorder} octets arrived ahead of a gap`));
      return true;
    }
    this.#ahead.set(offset, this.#keepable(bytes) ? bytes : copyOut(bytes));
    return true;
  }

  /**
   * Pushes held pieces that now follow on; false when the Readable is full.
   * A borrower that said false gets no more until it calls proceed().
   */
  #pushAhead(): boolean {
    let go = true;
    let progress = true;
    while (progress && this.#ahead.size > 0) {
      progress = false;
      for (const [offset, piece] of this.#ahead) {
        if (this.#borrowerPaused || this.destroyed) return false;
        if (offset > this.#next) continue;
        this.#ahead.delete(offset);
        this.#aheadBytes -= piece.length;
        if (offset + piece.length > this.#next) go = this.#push(piece.subarray(this.#next - offset), true) && go;
        progress = true;
      }
    }
    return go;
  }

  #finishIfDone(): void {
    if (this.#total < 0 || this.#next < this.#total || this.#settled) return;
    this.#settled = true;
    this.#ahead.clear();
    this.#aheadBytes = 0;
    this.push(null);
  }
}
