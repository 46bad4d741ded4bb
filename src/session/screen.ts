/**
 * Screening: the layer above decides the response to a SEND that starts a
 * message before the session answers it. RFC 4975 §7.3 leaves checks of the
 * body to the application, and some can only be made on the body: the type
 * or the recipient inside a Message/CPIM wrapper (RFC 4975 §8.6, RFC 7701
 * §6.2), whose headers come first (RFC 3862 §2). The session hands the hook
 * the start of the message's first chunk, so nothing is buffered beyond
 * SCREEN_BYTES octets, and only while that chunk arrives.
 */
import type { Chunk } from '../protocol/chunk.ts';

/** What a screenRequest hook answers instead of 200 (for example 415, RFC 4975 §10.6; 428, RFC 7701 §6.2). */
export interface ScreenVerdict {
  /** an MSRP error status (4xx); it is sent where RFC 4975 §7.1.4 lets an error response go */
  code: number;
  comment?: string;
}

/**
 * Consulted at the end-line of each SEND chunk that starts a message
 * (Byte-Range start 1), before it is answered: `chunk` is its head, `body`
 * the first SCREEN_BYTES octets of its body. Null lets the message in; a
 * verdict answers its code and refuses the rest of the message. Must not throw.
 */
export type ScreenRequest = (chunk: Chunk, body: Buffer) => ScreenVerdict | null;

/** Octets of a first chunk kept for the hook: enough for a CPIM wrapper's header blocks. */
export const SCREEN_BYTES = 65536;

/** The start of the chunk arriving, copied (body segments are views valid only during their call). */
export class ScreenBuffer {
  readonly #parts: Buffer[] = [];
  #size = 0;

  /** Keeps what is still wanted of `segment`. */
  add(segment: Buffer): void {
    const room = SCREEN_BYTES - this.#size;
    if (room <= 0 || segment.length === 0) return;
    const part = Buffer.from(segment.subarray(0, room));
    this.#parts.push(part);
    this.#size += part.length;
  }

  /** What was kept, in one Buffer; the buffer is empty again. */
  take(): Buffer {
    const body = this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts, this.#size);
    this.#parts.length = 0;
    this.#size = 0;
    return body;
  }
}
