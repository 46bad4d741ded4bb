/**
 * Body sources for outgoing messages: where the writer takes the next octets
 * of a message from. A Buffer is sliced without copying; a Readable is read in
 * paused mode, so it is pulled only as fast as the connection drains; a push
 * source is fed by a caller that forwards segments as they arrive (a
 * cut-through relay) and told to wait through the `write()` return value.
 */
import type { Readable } from 'node:stream';
import { SegmentQueue } from './segment-queue.ts';

const EMPTY = Buffer.alloc(0);

/** The default hooks: one shared function, not a closure per source (a relay makes a source per chunk). */
function noop(): void {}

/** The hooks' placeholder until a writer sets them; one function for all sources, not two closures each. */
function unset(): void {}

/** What the writer needs from a body. */
export interface BodySource {
  /** Up to `max` octets available now (a view, not a copy), or null when none is ready yet. */
  take(max: number): Buffer | null;
  /** True once every octet has been taken and no more will come. */
  readonly done: boolean;
  /** Octets the source will give in all, when known in advance. */
  readonly size: number | null;
  /** Called by the source when data (or the end) becomes available after `take` returned null. */
  onReady: () => void;
  /** Called by the source when it fails; the message is aborted. */
  onError: (error: Error) => void;
  /** Stops the source: nothing more will be taken. */
  close(): void;
  /**
   * Optional: called with a count of octets taken from this source once the
   * socket has written them (in the order taken), so a source that reads into
   * buffers of its own can reuse them; fresh memory for every read costs page
   * faults and garbage collections.
   */
  written?(octets: number): void;
}

/** A Buffer, sliced in place. */
export class BufferSource implements BodySource {
  #body: Buffer;
  #pos: number;
  onReady: () => void = unset;
  onError: (error: Error) => void = unset;

  constructor(body: Buffer, start = 0) {
    this.#body = body;
    this.#pos = start;
  }

  get size(): number {
    return this.#body.length;
  }

  get done(): boolean {
    return this.#pos >= this.#body.length;
  }

  /** Octets not yet taken. */
  get remaining(): number {
    return this.#body.length - this.#pos;
  }

  take(max: number): Buffer | null {
    if (this.#pos >= this.#body.length) return null;
    const end = Math.min(this.#body.length, this.#pos + max);
    const piece = this.#body.subarray(this.#pos, end);
    this.#pos = end;
    return piece;
  }

  close(): void {
    this.#pos = this.#body.length;
    this.#body = EMPTY;
  }
}

/**
 * A Readable, taken chunk by chunk from its 'data' events and paused as soon
 * as a high-water mark is queued: the writer's pace is the source's pace.
 * Not `read()` in paused mode, which joins (copies) every buffered chunk
 * when a synchronous `_read` adds one more during the call.
 */
export class ReadableSource implements BodySource {
  readonly #stream: Readable;
  readonly size: number | null;
  readonly #highWater: number;
  readonly #queue = new SegmentQueue();
  #ended = false;
  #closed = false;
  onReady: () => void = noop;
  onError: (error: Error) => void = noop;

  constructor(stream: Readable, size: number | null) {
    this.#stream = stream;
    this.size = size;
    this.#highWater = Math.max(1, stream.readableHighWaterMark);
    stream.on('data', this.#data);
    stream.on('end', this.#end);
    stream.on('error', this.#error);
    // a stream that already ended emits nothing more; one paused by its owner flows from here on
    if (stream.readableEnded) this.#ended = true;
    else stream.resume();
  }

  get done(): boolean {
    return this.#ended && this.#queue.bytes === 0;
  }

  take(max: number): Buffer | null {
    if (this.#closed) return null;
    const piece = this.#queue.take(max);
    if (piece === null) return null;
    if (this.#queue.bytes < this.#highWater && !this.#ended && this.#stream.isPaused()) this.#stream.resume();
    return piece;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.clear();
    this.#stream.off('data', this.#data);
    this.#stream.off('end', this.#end);
    this.#stream.off('error', this.#error);
    this.#stream.pause();
  }

  readonly #data = (data: Buffer | string): void => {
    const piece = typeof data === 'string' ? Buffer.from(data) : data;
    if (piece.length === 0 || this.#closed) return;
    const wasEmpty = this.#queue.bytes === 0;
    this.#queue.push(piece);
    if (this.#queue.bytes >= this.#highWater) this.#stream.pause();
    if (wasEmpty) this.onReady();
  };

  readonly #end = (): void => {
    this.#ended = true;
    this.onReady();
  };

  readonly #error = (error: Error): void => {
    this.onError(error);
  };
}

/**
 * Segments pushed by a caller. `write` keeps a reference to the segment (no
 * copy) until the writer takes it: a caller reusing its memory must copy.
 */
export class PushSource implements BodySource {
  readonly size: number | null;
  readonly #queue = new SegmentQueue();
  #ended = false;
  #closed = false;
  readonly #highWater: number;
  #wantDrain = false;
  onReady: () => void = noop;
  onError: (error: Error) => void = noop;
  /** Called when the queue fell below the high-water mark after `write` returned false. */
  onDrain: () => void = noop;

  constructor(size: number | null, highWater: number) {
    this.size = size;
    this.#highWater = highWater;
  }

  get done(): boolean {
    return this.#ended && this.#queue.bytes === 0;
  }

  /** Octets pushed and not yet taken. */
  get queued(): number {
    return this.#queue.bytes;
  }

  /** Queues a segment; false when the caller should wait for `onDrain`. */
  write(segment: Buffer): boolean {
    if (this.#ended || this.#closed) return false;
    if (segment.length > 0) {
      const wasEmpty = this.#queue.bytes === 0;
      this.#queue.push(segment);
      if (wasEmpty) this.onReady();
    }
    if (this.#queue.bytes >= this.#highWater) {
      this.#wantDrain = true;
      return false;
    }
    return true;
  }

  /** No more segments. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.onReady();
  }

  take(max: number): Buffer | null {
    const piece = this.#queue.take(max);
    if (piece === null) return null;
    if (this.#wantDrain && this.#queue.bytes < this.#highWater) {
      this.#wantDrain = false;
      queueMicrotask(() => this.onDrain());
    }
    return piece;
  }

  close(): void {
    this.#closed = true;
    this.#ended = true;
    this.#queue.clear();
  }
}
