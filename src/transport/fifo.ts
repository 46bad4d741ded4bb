/**
 * Fifo: the one first-in first-out queue of the transport and session
 * layers (the writer's queued frames, each group's turn in the rotation, the
 * transaction timer queue, the pending messages). A ring of power-of-two
 * capacity: push and shift are O(1) (Array.shift is O(n): 200,000 queued
 * chat messages made a turn quadratic), and the ring is reused for as long
 * as it is big enough.
 *
 * Why not an array with a moving head, sliced now and then: V8 treats every
 * old-generation object as live during a scavenge, dead or not, so a slot in
 * a discarded backing store (left behind by a slice or by push growing the
 * array) keeps what it points to alive until the next full collection.
 * Such slots, with the pretenured transaction entries (transactions.ts), had
 * every chat message's objects promoted, and the sending process spent a
 * third of its time collecting. Here a slot is cleared when its item leaves,
 * and a ring that grows clears the one it leaves behind.
 */

const MIN_CAPACITY = 16;
/** An empty ring larger than this is given up for a small one (a burst does not pin its peak). */
const KEEP_CAPACITY = 16_384;

export class Fifo<T> {
  #ring: Array<T | undefined>;
  #mask: number;
  #head = 0;
  #length = 0;

  constructor() {
    this.#ring = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
    this.#mask = MIN_CAPACITY - 1;
  }

  /** Items queued. */
  get length(): number {
    return this.#length;
  }

  /** Adds `item` at the back. */
  push(item: T): void {
    if (this.#length === this.#ring.length) this.#resize(this.#ring.length * 2);
    this.#ring[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** The front item, or undefined when empty. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#ring[this.#head];
  }

  /** The item `index` places from the front (0 is the front), or undefined. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.#length ? this.#ring[(this.#head + index) & this.#mask] : undefined;
  }

  /** Takes the front item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#ring[this.#head];
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    if (this.#length === 0) {
      this.#head = 0;
      if (this.#ring.length > KEEP_CAPACITY) this.#resize(MIN_CAPACITY);
    }
    return item;
  }

  /** Takes `item` out wherever it is (O(n)); false when it is not queued. */
  remove(item: T): boolean {
    let i = 0;
    while (i < this.#length && this.#ring[(this.#head + i) & this.#mask] !== item) i++;
    if (i === this.#length) return false;
    for (; i < this.#length - 1; i++) {
      this.#ring[(this.#head + i) & this.#mask] = this.#ring[(this.#head + i + 1) & this.#mask];
    }
    this.#ring[(this.#head + this.#length - 1) & this.#mask] = undefined;
    this.#length--;
    return true;
  }

  /** The items, front first. */
  toArray(): T[] {
    const out = new Array<T>(this.#length);
    for (let i = 0; i < this.#length; i++) out[i] = this.#ring[(this.#head + i) & this.#mask] as T;
    return out;
  }

  /** Keeps only the items `keep` is true for, in order. */
  filter(keep: (item: T) => boolean): void {
    const items = this.toArray();
    this.clear();
    for (const item of items) if (keep(item)) this.push(item);
  }

  /** Empties the queue. */
  clear(): void {
    if (this.#ring.length > KEEP_CAPACITY) {
      this.#ring.fill(undefined);
      this.#ring = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
      this.#mask = MIN_CAPACITY - 1;
    } else {
      this.#ring.fill(undefined);
    }
    this.#head = 0;
    this.#length = 0;
  }

  #resize(capacity: number): void {
    const old = this.#ring;
    const ring = new Array<T | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.#length; i++) ring[i] = old[(this.#head + i) & this.#mask];
    // the old ring may already be in the old generation: emptied, it keeps nothing alive
    old.fill(undefined);
    this.#ring = ring;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
