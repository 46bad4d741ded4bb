/**
 * ChunkWriter: the one place that decides what goes on a connection next
 * (RFC 4975 §7.1.1). Two kinds of work wait for the socket:
 *
 * - whole chunks (responses, REPORTs, other requests, whole SEND chunks):
 *   written in order, ahead of everything else, since "SEND requests larger
 *   than 2048 octets MUST be interrupted if the sender needs to send pending
 *   responses or REPORT requests";
 * - messages, cut into chunks here. A message turn writes at most one slice
 *   (sliceSize octets) while anything else waits, and up to the high-water
 *   mark when it is alone. Messages take turns round-robin, first between groups
 *   (sessions) and then within a group, so a chat message queued behind a
 *   1 GiB file waits for at most one slice.
 *
 * A message's chunk stays open across its turns while nothing else waits
 * ("as few chunks as possible, interrupting chunks only when other traffic is
 * waiting"); when something else waits it ends with `+` and the message goes
 * on later in a new chunk with a new transaction id, at the next octet. A
 * chunk that may be interrupted (any body over 2048 octets, or a body not yet
 * known whole) carries `*` as its range-end.
 *
 * Backpressure: the writer stops when the socket holds `highWater` octets and
 * goes on at 'drain'; a Readable body is read only when its turn comes, so a
 * slow peer slows the source.
 */
import { indexOfNeedle } from '../core/index.ts';
import { randomIdent, type Chunk } from '../protocol/chunk.ts';
import { formatByteRange } from '../protocol/headers.ts';
import type { ByteRange } from '../protocol/headers.ts';
import { headText, summarizeBody, type TrafficLog, TRAFFIC_TEXT_LIMIT } from '../log.ts';
import type { ByteStream } from './byte-stream.ts';
import { Fifo } from './fifo.ts';
import { kWriterAbort, type OutgoingMessage, type SentChunk } from './outgoing.ts';
import type { TransactionHandle, TransactionHandlers, TransactionResult, TransactionTable } from './transactions.ts';
import { BufferSource } from './sources.ts';
import { Rotation } from './rotation.ts';

/** Chunks up to this many octets may carry an exact range-end (RFC 4975 §7.1.1). */
export const MAX_UNINTERRUPTIBLE = 2048;

/** Options of a ChunkWriter. */
export interface WriterOptions {
  /** octets a message writes per turn (default 65536; at least 2048) */
  sliceSize?: number;
  /** most body octets in one chunk (default unlimited; some relays refuse frames above about 11 KB) */
  maxChunkSize?: number;
  /**
   * Octets buffered in the socket before waiting for 'drain' (default 1 MiB,
   * at least sliceSize and the socket's own mark). Below about 1 MiB each
   * drain costs an event-loop turn per few slices and loopback throughput
   * drops by half.
   */
  highWater?: number;
  /** whole chunks queued (octets) before `congested` turns true (default 4 MiB) */
  maxQueuedBytes?: number;
  trafficLog?: TrafficLog | null;
  /** label of the connection for the traffic log */
  label?: string;
}

/** Default octets per message turn. */
export const DEFAULT_SLICE_SIZE = 65536;

/** Default octets buffered in the socket before the writer waits for 'drain'. */
export const DEFAULT_HIGH_WATER = 1024 * 1024;

interface Item {
  parts: Buffer[];
  /** the whole frame as text to encode as UTF-8 instead of `parts` (a response), or null */
  text: string | null;
  /**
   * octets of `parts`; for `text` its UTF-16 length, the UTF-8 length of the
   * ASCII a response mostly is (measuring it cost a tenth of answering a chat
   * message): queue accounting only, the batch makes room for three octets a unit
   */
  bytes: number;
  /** for the traffic log; null when it is off */
  chunk: Chunk | null;
  written: (error?: Error | null) => void;
}

/**
 * A chunk's SentChunk, made by a class: an object literal's allocation site
 * can be pretenured by V8 (see Entry in transactions.ts), which kept every
 * chat message alive through scavenges.
 */
class Sent implements SentChunk {
  readonly transactionId: string;
  readonly byteRange: ByteRange;
  continuationFlag: '$' | '+' | '#';

  constructor(transactionId: string, byteRange: ByteRange, continuationFlag: '$' | '+' | '#') {
    this.transactionId = transactionId;
    this.byteRange = byteRange;
    this.continuationFlag = continuationFlag;
  }
}

/** What waits on one chunk's transaction: one object per chunk rather than three closures. */
class ChunkTransaction implements TransactionHandlers {
  readonly message: OutgoingMessage;
  readonly sent: SentChunk;
  readonly #stop: (message: OutgoingMessage) => void;
  /** its entry in the table, to start its timer without a lookup */
  handle: TransactionHandle | null = null;

  constructor(message: OutgoingMessage, sent: SentChunk, stop: (message: OutgoingMessage) => void) {
    this.message = message;
    this.sent = sent;
    this.#stop = stop;
  }

  settle(result: TransactionResult): void {
    if (this.message.chunkSettled(this.sent, result)) this.#stop(this.message);
  }

  fail(error: Error): void {
    this.message.fail(error);
  }

  late(response: Chunk): void {
    this.message.emit('late-response', this.sent, response);
  }
}

/** The open chunk of the message holding the connection. */
interface OpenChunk {
  message: OutgoingMessage;
  transactionId: string;
  start: number;
  end: number | '*';
  bytes: number;
  head: string;
  sample: Buffer[] | null;
  sampled: number;
  /** what the message's events say about this chunk; its flag is set at the end-line */
  sent: SentChunk;
  /** `-------<tid>`: the body must not hold it (RFC 4975 §7.1) */
  needle: Buffer;
  /** the body's last octets written so far: `tail` from `tailFrom` on (at most needle.length - 1 of them) */
  tail: Buffer;
  tailFrom: number;
}

/**
 * Small frames (whole chunks up to this many octets, and responses) written
 * in one pump are gathered into one slab and handed to the socket in one
 * write: a write per chat message, each with its own callback, cost more
 * than building the message.
 */
const BATCH_FRAME = 4096;
/** Size of a batch slab; a new one is taken when a frame does not fit in what is left. */
const BATCH_SLAB = 64 * 1024;

/**
 * Buffer's native string writers (not in @types/node, present since Node 0.x):
 * `write(string, offset, encoding)` checks and maps its arguments on every
 * call, a tenth of a chat message's frame.
 */
interface NativeWrite {
  utf8Write(string: string, offset: number, length: number): number;
  latin1Write(string: string, offset: number, length: number): number;
}

/** What waits on the write of one batch: the callbacks of its whole chunks, the transactions to arm. */
class BatchWaiters {
  readonly written: Array<(error?: Error | null) => void> = [];
  readonly started: TransactionHandle[] = [];
  readonly #transactions: TransactionTable;

  constructor(transactions: TransactionTable) {
    this.#transactions = transactions;
  }

  /** The write callback of the batch. */
  readonly done = (error?: Error | null): void => {
    // RFC 4975 §7.1.1: a transaction's timer starts once its last octet went to the socket
    if (!error) for (const transaction of this.started) this.#transactions.start(transaction);
    for (const written of this.written) written(error);
  };
}

/**
 * Random octets in the transaction id of a streamed chunk: 32 hex digits, the
 * longest an RFC 4975 §9 ident may be. Every octet of a streamed body is
 * searched for `-------<id>` (RFC 4975 §7.1); without the native accelerator
 * that is Buffer.indexOf, which skips ahead by about the needle's length: 39
 * octets instead of 27 cut it from about 150 to about 105 ms per GiB here.
 */
const STREAMED_ID_OCTETS = 16;
const DASHES = '-------';
const CRLF_DASHES = `\r\n${DASHES}`;
const DASH = 0x2d;

/**
 * Whether `body` holds seven dashes in a row, the start of any end-line
 * (RFC 4975 §7.1). Any such run covers an offset of the form 7k + 6, so only
 * those are looked at, and the run around a dash found there is measured:
 * a chat body costs about thirty reads instead of a native search.
 */
export function hasDashRun(body: Buffer): boolean {
  for (let i = 6; i < body.length; i += 7) {
    if (body[i] !== DASH) continue;
    let from = i;
    while (from > 0 && body[from - 1] === DASH) from--;
    let to = i + 1;
    while (to < body.length && body[to] === DASH && to - from < 7) to++;
    if (to - from >= 7) return true;
  }
  return false;
}

const EMPTY = Buffer.alloc(0);
/** The parts of an item given as text. */
const NO_PARTS: Buffer[] = [];

/** The socket write callback telling `source` that `octets` it gave were written. */
function writtenOf(source: OutgoingMessage['source'], octets: number): (error?: Error | null) => void {
  return (error) => {
    if (!error) source.written?.(octets);
  };
}

/** Where in `rest` the body would hold the open chunk's end-line (0 when it starts in the octets already written), or -1. */
function endLineIn(open: OpenChunk, rest: Buffer): number {
  return startsInTail(open, rest) ? 0 : indexOfNeedle(rest, open.needle);
}

/**
 * True when the needle begins in the octets already written and `rest`
 * completes it. Byte loops over at most needle.length octets, no allocation:
 * this runs for every piece of every streamed body. A needle that `rest` is
 * too short to complete is found with the next piece, its start then still
 * in the tail.
 */
function startsInTail(open: OpenChunk, rest: Buffer): boolean {
  const { needle, tail } = open;
  const n = needle.length;
  for (let at = open.tailFrom; at < tail.length; at++) {
    if (tail[at] !== 0x2d) continue; // '-', the needle's first octet
    const k = tail.length - at;
    if (k + rest.length < n) continue;
    let i = 1;
    while (i < n && (i < k ? tail[at + i] : rest[i - k]) === needle[i]) i++;
    if (i === n) return true;
  }
  return false;
}

/** Writes one connection's chunks; see the module comment. */
export class ChunkWriter {
  readonly #stream: ByteStream;
  readonly #transactions: TransactionTable;
  readonly sliceSize: number;
  readonly maxChunkSize: number;
  readonly #highWater: number;
  readonly maxQueuedBytes: number;
  readonly #traffic: TrafficLog | null;
  readonly #label: string;
  readonly #items = new Fifo<Item>();
  #queuedBytes = 0;
  readonly #rotation = new Rotation();
  #open: OpenChunk | null = null;
  #scheduled = false;
  #pumping = false;
  #waitingDrain = false;
  #closed: Error | null = null;
  /** called when the whole-chunk queue fell below maxQueuedBytes after being congested */
  onUncongested: () => void = () => {};
  #wasCongested = false;
  /** the slab small frames are gathered in: [#batchFrom, #batchAt) not yet handed to the socket */
  #slab: Buffer = EMPTY;
  #batchFrom = 0;
  #batchAt = 0;
  #waiters: BatchWaiters | null = null;

  constructor(stream: ByteStream, transactions: TransactionTable, options: WriterOptions = {}) {
    this.#stream = stream;
    this.#transactions = transactions;
    this.sliceSize = Math.max(MAX_UNINTERRUPTIBLE, options.sliceSize ?? DEFAULT_SLICE_SIZE);
    this.maxChunkSize = Math.max(MAX_UNINTERRUPTIBLE, options.maxChunkSize ?? Number.POSITIVE_INFINITY);
    this.#highWater = Math.max(options.highWater ?? DEFAULT_HIGH_WATER, this.sliceSize, stream.writableHighWaterMark ?? 16384);
    this.maxQueuedBytes = options.maxQueuedBytes ?? 4 * 1024 * 1024;
    this.#traffic = options.trafficLog ?? null;
    this.#label = options.label ?? '';
    stream.on('drain', this.#onDrain);
  }

  /** Octets of whole chunks queued and not yet handed to the socket. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** True while queued whole chunks exceed maxQueuedBytes: stop reading requests that need answers. */
  get congested(): boolean {
    return this.#queuedBytes > this.maxQueuedBytes;
  }

  /** Messages in the rotation or waiting for their source. */
  get messageCount(): number {
    return this.#rotation.size;
  }

  /** True when nothing is queued and no chunk is open. */
  get idle(): boolean {
    return this.#items.length === 0 && this.#open === null && this.messageCount === 0;
  }

  /**
   * Queues a whole chunk, already framed (`Chunk.frame`), ahead of message
   * slices. `written` is called once its last octet is handed to the socket,
   * or with an error when the connection closes first.
   */
  writeChunk(chunk: Chunk | null, parts: Buffer[], written: (error?: Error | null) => void): void {
    if (this.#closed !== null) {
      written(this.#closed);
      return;
    }
    let bytes = 0;
    for (const p of parts) bytes += p.length;
    this.#queue({ parts, text: null, bytes, chunk, written });
  }

  /**
   * writeChunk for a frame given as text (a response): encoded as UTF-8
   * straight into the batch when small, with no Buffer of its own.
   */
  writeText(chunk: Chunk | null, text: string, written: (error?: Error | null) => void): void {
    if (this.#closed !== null) {
      written(this.#closed);
      return;
    }
    this.#queue({ parts: NO_PARTS, text, bytes: text.length, chunk, written });
  }

  #queue(item: Item): void {
    this.#items.push(item);
    this.#queuedBytes += item.bytes;
    this.#wasCongested ||= this.congested;
    this.#schedule();
  }

  /** Adds a message to the rotation. */
  addMessage(message: OutgoingMessage): void {
    if (this.#closed !== null) {
      message.fail(this.#closed);
      return;
    }
    message[kWriterAbort] = this.#abort;
    if (!(message.source instanceof BufferSource)) {
      // a Buffer is always ready and never fails: only streamed bodies need these
      message.source.onReady = () => this.#ready(message);
      message.source.onError = (error) => {
        this.#stop(message, '#');
        message.fail(error);
      };
    }
    this.#rotation.add(message);
    this.#schedule();
  }

  /** Fails everything queued; the writer writes nothing more. */
  close(error: Error): void {
    if (this.#closed !== null) return;
    this.#closed = error;
    this.#stream.off('drain', this.#onDrain);
    const items = this.#items.toArray();
    this.#items.clear();
    this.#queuedBytes = 0;
    for (const item of items) item.written(error);
    const messages = this.#rotation.clear();
    if (this.#open !== null && !messages.includes(this.#open.message)) messages.push(this.#open.message);
    this.#open = null;
    for (const m of messages) m.fail(error);
  }

  readonly #onDrain = (): void => {
    this.#waitingDrain = false;
    this.#schedule();
  };

  #schedule(): void {
    if (this.#scheduled || this.#pumping || this.#closed !== null) return;
    this.#scheduled = true;
    // many chunks queued in one tick go out in one corked write (writev)
    queueMicrotask(this.#pump);
  }

  #canWrite(): boolean {
    if (this.#closed !== null || this.#waitingDrain) return false;
    if (this.#stream.writableLength + this.#batchAt - this.#batchFrom >= this.#highWater) {
      this.#waitingDrain = true;
      return false;
    }
    return true;
  }

  readonly #pump = (): void => {
    this.#scheduled = false;
    if (this.#pumping || this.#closed !== null) return;
    this.#pumping = true;
    this.#stream.cork();
    try {
      while (this.#canWrite()) {
        if (this.#items.length > 0) {
          if (this.#open !== null) this.#closeChunk('+');
          this.#writeItem();
          continue;
        }
        const message = this.#rotation.peek();
        if (message === null) break;
        if (this.#open !== null && this.#open.message !== message) this.#closeChunk('+');
        this.#turn(message);
      }
    } finally {
      this.#pumping = false;
      this.#flush();
      this.#stream.uncork();
    }
    if (this.#wasCongested && !this.congested) {
      this.#wasCongested = false;
      this.onUncongested();
    }
  };

  #writeItem(): void {
    const item = this.#items.shift() as Item;
    this.#queuedBytes -= item.bytes;
    const last = item.parts.length - 1;
    // a text frame takes at most three UTF-8 octets per UTF-16 unit
    const size = item.text === null ? item.bytes : item.bytes * 3;
    if (size <= BATCH_FRAME) {
      const slab = this.#room(size);
      if (item.text !== null) this.#batchAt += (slab as unknown as NativeWrite).utf8Write(item.text, this.#batchAt, size);
      else for (const part of item.parts) this.#batchAt += part.copy(slab, this.#batchAt);
      this.#waiting().written.push(item.written);
    } else if (item.text !== null) {
      this.#write(Buffer.from(item.text, 'utf8'), item.written);
    } else {
      for (let i = 0; i < last; i++) this.#write(item.parts[i]);
      this.#write(item.parts[last], item.written);
    }
    if (this.#traffic !== null && item.chunk !== null) {
      const body = item.chunk.body;
      this.#log(headText(item.chunk), body === undefined ? -1 : body.length, body === undefined ? [] : [body],
        item.chunk.endLine);
    }
  }

  #ready(message: OutgoingMessage): void {
    if (this.#rotation.ready(message)) this.#schedule();
  }

  /** Whether anything other than `message` waits for the connection. */
  #othersWaiting(message: OutgoingMessage): boolean {
    return this.#items.length > 0 || this.#rotation.othersReady(message);
  }

  /** One turn of `message`: a slice while anything else waits, up to the high-water mark when alone. */
  #turn(message: OutgoingMessage): void {
    this.#rotation.take();
    if (message.settled) return; // failed or stopped while it waited for its turn
    const source = message.source;
    let open = this.#open;
    if (open === null && source instanceof BufferSource && source.remaining <= MAX_UNINTERRUPTIBLE
      && source.remaining <= this.maxChunkSize) {
      this.#writeWhole(message, source.take(MAX_UNINTERRUPTIBLE) ?? EMPTY);
      return;
    }
    // Alone on the connection, a message writes up to the high-water mark in one turn: a slice
    // is only there to share the connection, and each turn costs a write and a round through
    // the source (about a fifth of the sending process's time for 1 GiB in 64 KiB turns).
    let budget = this.#othersWaiting(message) ? this.sliceSize
      : Math.max(this.sliceSize, this.#highWater - this.#stream.writableLength - (this.#batchAt - this.#batchFrom));
    while (budget > 0) {
      const room = Math.min(budget, this.maxChunkSize - (open === null ? 0 : open.bytes));
      if (room <= 0) {
        this.#closeChunk('+');
        open = null;
        continue;
      }
      const piece = source.take(room);
      if (piece === null) break;
      budget -= piece.length;
      open = this.#writePiece(message, open, piece);
    }
    if (message.settled) return;
    if (source.done) {
      // the whole message fitted nothing yet, or it ended right after an interruption: an empty last chunk
      if (this.#open === null) this.#openChunk(message, message.position);
      this.#closeChunk(message.lastFlag);
      message.finish();
      return;
    }
    if (this.#open !== null && this.#othersWaiting(message)) this.#closeChunk('+');
    if (budget > 0) this.#rotation.block(message); // the source has nothing more for now
    else this.#rotation.add(message);
  }

  /**
   * The range-end of a chunk that starts at the message's position with a
   * first piece of `length` octets: exact only when that piece is the rest of
   * a body of known size and at most 2048 octets, since it then goes out whole
   * now; `*` otherwise, so the chunk can be interrupted (RFC 4975 §7.1.1).
   */
  #rangeEnd(message: OutgoingMessage, length: number): number | '*' {
    return message.source.done && length <= MAX_UNINTERRUPTIBLE && typeof message.total === 'number'
      ? message.position + length : '*';
  }

  /**
   * Writes a piece of `message`'s body into its open chunk, opening one when
   * none is (a chunk opens only with data in hand, so an interrupted chunk is
   * never empty). RFC 4975 §7.1: the end-line must not occur in the body. A
   * streamed body is seen piece by piece after its head went out, so each
   * piece is checked for `-------<tid>`, across the seam with the previous
   * one too; where it occurs the chunk ends with `+` just before it and the
   * rest goes on in a new chunk whose transaction id the rest does not hold.
   */
  #writePiece(message: OutgoingMessage, open: OpenChunk | null, piece: Buffer): OpenChunk {
    let rest = piece;
    for (;;) {
      open ??= this.#openChunk(message, this.#rangeEnd(message, rest.length), rest);
      const at = endLineIn(open, rest);
      const part = at < 0 ? rest : rest.subarray(0, at);
      if (part.length > 0) {
        this.#write(part, message.source.written === undefined ? undefined : writtenOf(message.source, part.length));
        open.bytes += part.length;
        message.position += part.length;
        message.bytes += part.length;
        const keep = open.needle.length - 1;
        if (part.length >= keep) {
          open.tail = part;
          open.tailFrom = part.length - keep;
        } else {
          const joined = Buffer.concat([open.tail.subarray(open.tailFrom), part]);
          open.tail = joined;
          open.tailFrom = Math.max(0, joined.length - keep);
        }
        if (open.sample !== null && open.sampled < TRAFFIC_TEXT_LIMIT) {
          const sample = Buffer.from(part.subarray(0, TRAFFIC_TEXT_LIMIT - open.sampled));
          open.sample.push(sample);
          open.sampled += sample.length;
        }
      }
      if (at < 0) return open;
      this.#closeChunk('+');
      open = null;
      rest = rest.subarray(at);
    }
  }

  /** Writes the head of a chunk of `message` starting at its position; its id is not in `first`, the first piece of its body. */
  #openChunk(message: OutgoingMessage, end: number | '*', first?: Buffer): OpenChunk {
    const start = message.position;
    const range: ByteRange = { start: start + 1, end, total: message.total };
    // In the table from its head on: an error response to a chunk still being
    // written (a 413 sent as soon as the receiver knows) stops it at once with `#`
    // (RFC 4975 §7.3.2); its timer still starts only at the end-line.
    message.outstanding++;
    const sent = this.#addTransaction(message, first, range, '+', STREAMED_ID_OCTETS).sent;
    const transactionId = sent.transactionId;
    const head = `MSRP ${transactionId} SEND\r\n${message.template[0]}Byte-Range: ${formatByteRange(range)}\r\n${message.template[1]}\r\n`;
    this.#write(Buffer.from(head, 'utf8'));
    const open: OpenChunk = {
      message, transactionId, start, end, bytes: 0, head,
      sample: this.#traffic !== null ? [] : null, sampled: 0, sent,
      needle: Buffer.from(`${DASHES}${transactionId}`, 'latin1'), tail: EMPTY, tailFrom: 0,
    };
    this.#open = open;
    return open;
  }

  /**
   * A fresh transaction id in the table for a chunk of `message` whose body
   * starts with `body`, not found in it (RFC 4975 §7.1: the end-line must not
   * occur in the body), and the chunk's SentChunk.
   */
  #addTransaction(message: OutgoingMessage, body: Buffer | undefined, range: ByteRange, flag: '$' | '+' | '#',
    idOctets?: number): ChunkTransaction {
    for (;;) {
      let transactionId = randomIdent(idOctets);
      // most bodies hold no seven dashes at all, which settles it without a search per id
      if (body !== undefined && hasDashRun(body)) {
        while (body.includes(`${DASHES}${transactionId}`, 0, 'latin1')) transactionId = randomIdent(idOctets);
      }
      const sent = new Sent(transactionId, range, flag);
      const transaction = new ChunkTransaction(message, sent, this.#stopFailed);
      // RFC 4975 §7.1: not the id of another transaction that exists now (80 random bits make that rare)
      transaction.handle = this.#transactions.tryAdd(transactionId, message.failureReport, transaction);
      if (transaction.handle !== null) return transaction;
    }
  }

  /** A failed chunk stops its message: the chunk in flight ends with `#` (RFC 4975 §7.3.2, §10.5). */
  readonly #stopFailed = (message: OutgoingMessage): void => this.#stop(message, '#');

  /**
   * A message whose rest fits one uninterruptible chunk (at most 2048 octets
   * of a Buffer, RFC 4975 §7.1.1) goes out as one frame in the batch: head,
   * body and end-line. The body is known before the transaction id is drawn,
   * so one check keeps the end-line out of it (RFC 4975 §7.1).
   */
  #writeWhole(message: OutgoingMessage, body: Buffer): void {
    const start = message.position;
    const range: ByteRange = { start: start + 1, end: start + body.length, total: message.total };
    const flag = message.lastFlag;
    message.outstanding++;
    const transaction = this.#addTransaction(message, body, range, flag);
    const sent = transaction.sent;
    const transactionId = sent.transactionId;
    const head = `MSRP ${transactionId} SEND\r\n${message.template[0]}Byte-Range: ${formatByteRange(range)}\r\n${message.template[1]}\r\n`;
    const endLine = `${CRLF_DASHES}${transactionId}${flag}\r\n`;
    // room for the head at three UTF-8 octets per UTF-16 unit, so it is written without measuring it first
    const slab = this.#room(head.length * 3 + body.length + endLine.length);
    const writer = slab as unknown as NativeWrite;
    let at = this.#batchAt;
    at += writer.utf8Write(head, at, slab.length - at);
    at += body.copy(slab, at);
    at += writer.latin1Write(endLine, at, slab.length - at);
    this.#batchAt = at;
    message.chunks++;
    message.position += body.length;
    message.bytes += body.length;
    this.#waiting().started.push(transaction.handle as TransactionHandle);
    message.emit('chunk', sent);
    if (this.#traffic !== null) this.#log(head.slice(0, -4), body.length, [body], endLine.slice(2, -2));
    message.finish();
  }

  /** Writes `data` after whatever the batch holds. */
  #write(data: Buffer, written?: (error?: Error | null) => void): void {
    this.#flush();
    this.#stream.write(data, written);
  }

  /** The slab with at least `size` octets free at #batchAt (a fresh one when the rest is too small). */
  #room(size: number): Buffer {
    if (this.#batchAt + size <= this.#slab.length) return this.#slab;
    this.#flush();
    // the old slab stays with the socket's queue until written; the next frames go to a new one
    this.#slab = Buffer.allocUnsafe(Math.max(BATCH_SLAB, size));
    this.#batchFrom = 0;
    this.#batchAt = 0;
    return this.#slab;
  }

  /** What waits on the batch being gathered. */
  #waiting(): BatchWaiters {
    return this.#waiters ??= new BatchWaiters(this.#transactions);
  }

  /** Hands the batch gathered so far to the socket, in one write. */
  #flush(): void {
    if (this.#batchAt === this.#batchFrom) return;
    const batch = this.#slab.subarray(this.#batchFrom, this.#batchAt);
    this.#batchFrom = this.#batchAt;
    const waiters = this.#waiters;
    this.#waiters = null;
    // closed during the pump that gathered it: the batch fails as queued chunks do
    if (this.#closed !== null) waiters?.done(this.#closed);
    else this.#stream.write(batch, waiters === null ? undefined : waiters.done);
  }

  /** Ends the open chunk with `flag` and starts its transaction's timer once the end-line is written. */
  #closeChunk(flag: '$' | '+' | '#'): void {
    const open = this.#open;
    if (open === null) return;
    this.#open = null;
    const message = open.message;
    const endLine = `${CRLF_DASHES}${open.transactionId}${flag}\r\n`;
    const sent = open.sent;
    sent.continuationFlag = flag;
    const transactionId = open.transactionId;
    message.chunks++;
    this.#write(Buffer.from(endLine, 'latin1'), (error) => {
      if (error) return; // the connection's close fails the transaction
      this.#transactions.start(transactionId);
    });
    message.emit('chunk', sent);
    if (this.#traffic !== null) {
      this.#log(open.head.slice(0, -4), open.bytes, open.sample ?? [], `-------${transactionId}${flag}`);
    }
  }

  /** Stops a message: its open chunk ends with `flag`, and it leaves the rotation. */
  #stop(message: OutgoingMessage, flag: '#' | '+'): void {
    if (this.#open !== null && this.#open.message === message) this.#closeChunk(flag);
    this.#rotation.remove(message);
    message.finish();
  }



  /**
   * abort(): `#` on the message's open chunk, or an empty `#` chunk when some
   * of it went out already; nothing on the wire when none did. Deferred to a
   * microtask so it never runs inside a turn (abort may be called from a
   * 'chunk' listener).
   */
  readonly #abort = (message: OutgoingMessage): void => {
    queueMicrotask(() => {
      if (this.#closed !== null || message.settled) return;
      if (this.#open !== null && this.#open.message === message) {
        this.#stop(message, '#');
        return;
      }
      if (message.chunks > 0 && !message.finished) {
        this.#stream.cork();
        // another message's open chunk ends first, so the `#` chunk is not written inside it
        this.#closeChunk('+');
        this.#openChunk(message, '*');
        this.#closeChunk('#');
        this.#stream.uncork();
      }
      this.#stop(message, '#');
    });
  };

  #log(head: string, bodyLength: number, sample: Buffer[], endLine: string): void {
    this.#traffic?.({
      direction: 'out', time: Date.now(), connection: this.#label, head,
      bodyLength, body: summarizeBody(sample, bodyLength), endLine,
    });
  }
}
