/**
 * ChunkParser: MSRP chunks out of a byte stream (RFC 4975 §7.1, §9), on top
 * of a framing engine from src/core. Buffers of any size, split anywhere, go
 * in through `push`; out come, in order, a `head` (a Chunk without its body),
 * `body` segments (views over the pushed Buffers), an `end`, and for chunks
 * whose body is at most `wholeChunkLimit` octets also a `chunk` with the body
 * gathered. Malformed input gives an `error` (MsrpParseError) with the status
 * to answer and whether framing is lost.
 *
 * Handlers given in the options may return false to pause (the undici
 * `onBody` pattern): the parser keeps the unread rest and `resume()` goes on.
 * The same events are also emitted on the parser as an EventEmitter. An
 * error with neither an onError handler nor an 'error' listener is thrown
 * from push/resume/finish (the EventEmitter convention).
 */
import { EventEmitter } from 'node:events';
import { createFramingEngine } from '../core/index.ts';
import { ErrorCode, ErrorCodeName } from '../core/constants.ts';
import type { FramingEngine, FramingLimits, FramingSink, RawError, RawHead } from '../core/types.ts';
import { createParseError, type MsrpParseError } from '../errors.ts';
import { Chunk, type ContinuationFlag } from './chunk.ts';

/** Callbacks; head, body, end and chunk may return false to pause the parser. */
export interface ChunkParserHandlers {
  /** a chunk's start line and headers; `body` is an empty Buffer when a body follows, undefined when none */
  onHead?(chunk: Chunk): boolean | void;
  /** a piece of the current chunk's body, a view valid only during the call */
  onBody?(segment: Buffer, chunk: Chunk): boolean | void;
  /** the end-line: `chunk.continuationFlag` is set */
  onEnd?(chunk: Chunk): boolean | void;
  /** a whole chunk with its body gathered (only bodies up to wholeChunkLimit) */
  onChunk?(chunk: Chunk): boolean | void;
  /** malformed input; after a fatal one the parser reports nothing more */
  onError?(error: MsrpParseError): void;
}

/** Options of a ChunkParser. */
export interface ChunkParserOptions extends ChunkParserHandlers {
  /** makes the framing engine (default: createFramingEngine from src/core) */
  engine?: (limits: FramingLimits) => FramingEngine;
  /** caps enforced by the engine (src/core/types.ts DEFAULT_LIMITS) */
  limits?: FramingLimits;
  /** largest body delivered whole through `chunk` (default 65536 octets) */
  wholeChunkLimit?: number;
}

/** Events emitted by a ChunkParser. */
export interface ChunkParserEvents {
  head: [chunk: Chunk];
  body: [segment: Buffer, chunk: Chunk];
  end: [chunk: Chunk];
  chunk: [chunk: Chunk];
  error: [error: MsrpParseError];
}

const EMPTY = Buffer.alloc(0);

/** Default largest body handed out whole. */
export const DEFAULT_WHOLE_CHUNK_LIMIT = 65536;

/** What each engine error code means, for the MsrpParseError message (docs/errors.md lists them). */
const MESSAGES: Record<number, string> = {
  [ErrorCode.START_LINE]: 'start line is not "MSRP" SP transact-id SP (method / status-code [SP comment]) (RFC 4975 §9)',
  [ErrorCode.TRANSACTION_ID]: 'transaction id is not an ident of 4 to 32 characters (RFC 4975 §9)',
  [ErrorCode.METHOD]: 'method is not 1*UPALPHA (RFC 4975 §9)',
  [ErrorCode.STATUS_CODE]: 'status code is not three digits from 100 to 999 (RFC 4975 §9)',
  [ErrorCode.LINE_ENDING]: 'a line holds a bare CR or LF or another control character (RFC 4975 §9 utf8text)',
  [ErrorCode.HEADER_LINE]: 'header line is not hname ":" SP hval (RFC 4975 §9)',
  [ErrorCode.HEADER_LINE_TOO_LONG]: 'a line exceeds maxLineLength',
  [ErrorCode.TOO_MANY_HEADERS]: 'more header lines than maxHeaders',
  [ErrorCode.HEAD_TOO_LARGE]: 'start line and headers exceed maxHeadLength',
  [ErrorCode.BYTE_RANGE]: 'Byte-Range is not range-start "-" range-end "/" total (RFC 4975 §9)',
  [ErrorCode.STATUS_HEADER]: 'Status is not namespace SP status-code [SP comment] (RFC 4975 §9)',
  [ErrorCode.BODY_TOO_LARGE]: 'chunk body exceeds maxBodyLength',
  [ErrorCode.TRUNCATED]: 'the stream ended inside a chunk',
};

/** An MsrpParseError for an engine error record. */
export function parseErrorFromRaw(e: RawError): MsrpParseError {
  const name = ErrorCodeName[e.code] ?? `CODE_${e.code}`;
  const where = e.transactionId === null ? `at offset ${e.offset}` : `at offset ${e.offset} in transaction ${e.transactionId}`;
  return createParseError(`MSRP_ERR_${name}`, `${MESSAGES[e.code] ?? 'framing error'} ${where}`, e.statusCode,
    e.fatal, e.offset, e.transactionId);
}

/** See the module comment. */
export class ChunkParser extends EventEmitter<ChunkParserEvents> {
  private readonly engine: FramingEngine;
  private readonly handlers: ChunkParserHandlers;
  private readonly wholeChunkLimit: number;
  private readonly sink: FramingSink;
  private current: Chunk | null = null;
  /** whether the current chunk's body is being gathered for a whole-chunk delivery (false once over the limit) */
  private gathering = false;
  /**
   * The body segments gathered: the first `partCount` of one array kept for
   * every chunk (cleared by index: setting an array's length costs more than
   * a small chunk's whole delivery).
   */
  private readonly parts: Array<Buffer | undefined> = [];
  private partCount = 0;
  private gathered = 0;
  /** how many of `parts` are already copies */
  private owned = 0;
  private paused = false;
  /** an error with neither handler nor listener, thrown once the feed returns */
  private unheard: MsrpParseError | null = null;
  /** input not yet read because a handler paused */
  private backlog: Buffer[] = [];
  private finishing = false;

  constructor(options: ChunkParserOptions = {}) {
    super();
    const limits = options.limits ?? {};
    this.engine = options.engine !== undefined ? options.engine(limits) : createFramingEngine(limits);
    this.handlers = options;
    this.wholeChunkLimit = options.wholeChunkLimit ?? DEFAULT_WHOLE_CHUNK_LIMIT;
    this.sink = {
      onHead: (head) => this.onHead(head),
      onBody: (segment) => this.onBody(segment),
      onEnd: (flag) => this.onEnd(flag),
      onError: (error) => this.onError(error),
    };
  }

  /** True while a handler has paused the parser. */
  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Parses `data`. Returns false when a handler paused: the unread rest is kept
   * and read by `resume()`; data pushed meanwhile waits behind it.
   */
  push(data: Buffer): boolean {
    if (this.paused) {
      this.backlog.push(data);
      return false;
    }
    this.backlog.push(data);
    return this.drain();
  }

  /** Goes on after a pause; false when paused again. */
  resume(): boolean {
    this.paused = false;
    return this.drain();
  }

  /** The stream ended: a chunk in progress is reported as TRUNCATED (after any paused input is read). */
  finish(): void {
    this.finishing = true;
    if (!this.paused) this.drain();
  }

  /**
   * The input pushed last is about to be overwritten (a socket reading into
   * reused memory): what is kept of it behind a pause, the unread rest and the
   * engine's queued segments, becomes copies.
   */
  detach(): void {
    const backlog = this.backlog;
    for (let i = 0; i < backlog.length; i++) backlog[i] = Buffer.from(backlog[i]);
    this.engine.detach?.();
  }

  /** Back to the start of a stream, dropping any unread input. */
  reset(): void {
    this.engine.reset();
    this.backlog = [];
    this.paused = false;
    this.finishing = false;
    this.dropChunk();
  }

  /** Releases the engine; the parser is unusable afterwards. */
  free(): void {
    this.engine.free();
  }

  private drain(): boolean {
    while (this.backlog.length > 0 && !this.paused) {
      const data = this.backlog[0];
      const consumed = this.engine.feed(data, this.sink);
      this.keepParts();
      if (consumed === data.length && !this.paused) this.backlog.shift();
      else this.backlog[0] = data.subarray(consumed);
      this.throwUnheard();
    }
    if (this.paused) return false;
    // A bodiless chunk's end held back by a pause on its head comes with an empty feed
    // (only when the engine holds one: an empty feed per push cost a tenth of a small read's parse).
    if (this.engine.holdsEvents !== false) {
      this.engine.feed(EMPTY, this.sink);
      this.throwUnheard();
    }
    if (this.finishing && !this.paused) {
      this.finishing = false;
      this.engine.finish(this.sink);
      this.throwUnheard();
    }
    return !this.paused;
  }

  /** An error nobody listens to is thrown from push/resume/finish, once the engine is consistent. */
  private throwUnheard(): void {
    const error = this.unheard;
    if (error === null) return;
    this.unheard = null;
    throw error;
  }

  /**
   * Body segments are only valid during the feed that produced them: the ones
   * gathered for a whole-chunk delivery are copied before the next feed (each
   * octet at most once here, once more when the body is joined).
   */
  private keepParts(): void {
    const parts = this.parts;
    for (let i = this.owned; i < this.partCount; i++) parts[i] = Buffer.from(parts[i] as Buffer);
    this.owned = this.partCount;
  }

  private dropChunk(): void {
    this.current = null;
    this.gathering = false;
    this.dropParts();
    this.gathered = 0;
  }

  private dropParts(): void {
    // cleared, so a kept array holds no pushed Buffer alive
    for (let i = 0; i < this.partCount; i++) this.parts[i] = undefined;
    this.partCount = 0;
    this.owned = 0;
  }

  /** The gathered body in one Buffer of its own. */
  private joinParts(): Buffer {
    const parts = this.parts;
    if (this.partCount === 1) {
      const only = parts[0] as Buffer;
      const body = Buffer.allocUnsafe(only.length);
      body.set(only);
      return body;
    }
    return Buffer.concat(parts.slice(0, this.partCount) as Buffer[], this.gathered);
  }

  private pause(result: boolean | void): boolean {
    if (result === false) this.paused = true;
    return !this.paused;
  }

  private onHead(head: RawHead): boolean {
    const chunk = Chunk.fromHead(head);
    this.dropChunk();
    this.current = chunk;
    this.gathering = true;
    const go = this.handlers.onHead?.(chunk);
    this.emit('head', chunk);
    return this.pause(go);
  }

  private onBody(segment: Buffer): boolean {
    const chunk = this.current as Chunk;
    if (this.gathering) {
      this.gathered += segment.length;
      if (this.gathered <= this.wholeChunkLimit) this.parts[this.partCount++] = segment;
      else {
        this.gathering = false;
        this.dropParts();
      }
    }
    const go = this.handlers.onBody?.(segment, chunk);
    this.emit('body', segment, chunk);
    return this.pause(go);
  }

  private onEnd(flag: number): boolean {
    const chunk = this.current as Chunk;
    // joined now (a nested push from a handler would refill the parts), set after the 'end' handlers as before
    const whole = this.gathering;
    const body = whole && chunk.body !== undefined ? this.joinParts() : undefined;
    this.dropChunk();
    chunk.continuationFlag = String.fromCharCode(flag) as ContinuationFlag;
    const go = this.handlers.onEnd?.(chunk);
    this.emit('end', chunk);
    if (!whole) return this.pause(go);
    if (body !== undefined && chunk.body !== undefined) chunk.body = body;
    const goOn = this.handlers.onChunk?.(chunk);
    this.emit('chunk', chunk);
    return this.pause(go === false ? go : goOn);
  }

  private onError(raw: RawError): void {
    this.dropChunk();
    const error = parseErrorFromRaw(raw);
    this.handlers.onError?.(error);
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else if (this.handlers.onError === undefined) this.unheard ??= error;
  }
}
