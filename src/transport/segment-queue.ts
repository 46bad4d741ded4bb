/**
 * SegmentQueue: the body segments a source holds until the writer takes them
 * (src/transport/sources.ts). Segments come out in the order they went in;
 * when the writer wants fewer octets than the first one holds, it gets a view
 * of its start and the rest stays queued, so no octet is copied. The array
 * keeps a moving head instead of shifting, and is emptied in place once every
 * segment is taken.
 */

/** See the module comment. */
export class SegmentQueue {
  readonly #segments: Buffer[] = [];
  #head = 0;
  #bytes = 0;

  /** Octets queued and not yet taken. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queues `segment` as it is (a reference, not a copy). */
  push(segment: Buffer): void {
    this.#segments.push(segment);
    this.#bytes += segment.length;
  }

  /** Up to `max` octets from the front (a view), or null when nothing is queued. */
  take(max: number): Buffer | null {
    if (this.#head >= this.#segments.length) return null;
    let piece = this.#segments[this.#head];
    if (piece.length > max) {
      this.#segments[this.#head] = piece.subarray(max);
      piece = piece.subarray(0, max);
    } else {
      this.#head++;
      if (this.#head === this.#segments.length) {
        this.#segments.length = 0;
        this.#head = 0;
      }
    }
    this.#bytes -= piece.length;
    return piece;
  }

  /** Drops everything queued. */
  clear(): void {
    this.#segments.length = 0;
    this.#head = 0;
    this.#bytes = 0;
  }
}
