/**
 * The contract between a framing engine (the WebAssembly core, or the plain
 * TypeScript engine) and ChunkParser. An engine finds chunk boundaries and
 * header lines; it knows nothing of Chunk objects or URIs.
 *
 * Events arrive in stream order: for each chunk one `onHead`, zero or more
 * `onBody` segments, then one `onEnd`; or an `onError`, after which the engine
 * either resynchronises at the next chunk (`fatal === false`: the transaction id
 * was known, so the end-line could still be found and the chunk was skipped) or
 * stops for good (`fatal === true`: framing is lost, the connection must close).
 */

/** A chunk's start line and header block, header strings materialised. */
export interface RawHead {
  /** RFC 4975 §9 `transact-id` */
  transactionId: string;
  /** request method (any `method` token), or null for a response */
  method: string | null;
  /** response status code (100..999), or 0 for a request */
  code: number;
  /** response comment after the code, or null */
  comment: string | null;
  /** header names exactly as on the wire, in order */
  names: string[];
  /** header values (UTF-8 decoded, surrounding whitespace trimmed), in order */
  values: string[];
  /** HeaderId per header (constants.ts), 0 for unknown */
  ids: number[];
  /**
   * true when the header block ended with the blank line, so a body follows
   * (possibly empty); false for a bodiless chunk, whose end-line follows the
   * headers directly. RFC 4975 §7.1: the two differ.
   */
  hasBody: boolean;
  /** stream offset of the first byte of the start line */
  offset: number;
}

/** A framing error as the engine reports it. */
export interface RawError {
  /** ErrorCode (constants.ts) */
  code: number;
  /** the MSRP status a peer should be answered with, or 0 when no response is possible */
  statusCode: number;
  /** true when framing is lost and the connection must close */
  fatal: boolean;
  /** stream offset where the problem was detected */
  offset: number;
  /** transaction id of the chunk in error when known (to address the response) */
  transactionId: string | null;
}

/**
 * Receives engine events. Returning `false` from onHead/onBody/onEnd pauses the
 * engine: `feed` then returns the number of bytes consumed so far and the caller
 * feeds the rest again later.
 */
export interface FramingSink {
  onHead(head: RawHead): boolean | void;
  /** a view over the caller's Buffer (never over wasm memory); valid until the next feed */
  onBody(segment: Buffer): boolean | void;
  /** `flag` is the end-line's continuation flag character code: 0x24 `$`, 0x2b `+`, 0x23 `#` */
  onEnd(flag: number): boolean | void;
  onError(error: RawError): void;
}

/** Caps enforced by every engine; exceeding one is an error event. */
export interface FramingLimits {
  /** longest start line or header line in octets, CRLF excluded (default 16384) */
  maxLineLength?: number;
  /** most header lines in one chunk (default 64) */
  maxHeaders?: number;
  /** start line plus header block in octets (default 65536) */
  maxHeadLength?: number;
  /** longest chunk body in octets (default Infinity); larger bodies give 413 and are skipped */
  maxBodyLength?: number;
}

export const DEFAULT_LIMITS: Required<FramingLimits> = {
  maxLineLength: 16384,
  maxHeaders: 64,
  maxHeadLength: 65536,
  maxBodyLength: Number.POSITIVE_INFINITY,
};

/** One framing state machine for one byte stream (one connection direction). */
export interface FramingEngine {
  /**
   * Runs the state machine over `input`, calling `sink` in order. Returns the
   * number of octets consumed: less than `input.length` only when the sink paused.
   * After a fatal error every further call consumes everything and reports nothing.
   */
  feed(input: Buffer, sink: FramingSink): number;
  /**
   * Optional: true while events are held back from a sink that paused (a
   * bodiless chunk's end after a pause on its head), to be delivered by the
   * next feed, even an empty one. An engine without it is fed an empty input
   * after every push to deliver them.
   */
  readonly holdsEvents?: boolean;
  /**
   * Optional: the input of the last feed is about to be overwritten (a reader
   * that reuses its memory), so whatever the engine still holds of it (events
   * queued behind a pause) must become copies. An engine that keeps only
   * copies between feeds needs none.
   */
  detach?(): void;
  /** Tells the engine the stream ended: a chunk in progress is reported as TRUNCATED. */
  finish(sink: FramingSink): void;
  /** Back to the start-of-chunk state, for reuse. */
  reset(): void;
  /** Releases the engine's resources (a wasm parser slot); the engine is unusable afterwards. */
  free(): void;
}
