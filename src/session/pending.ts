/**
 * PendingMessages: the messages a session has sent and not yet settled, in
 * sending order, found by Message-ID when a REPORT names one (RFC 4975
 * §7.3.2). The Message-ID index is made only when something looks a message
 * up, and dropped when nothing is pending: a chat session that gets no
 * REPORTs keeps a FIFO and no map (a map set and delete per message, on a map
 * of thousands of messages in flight, was a sixth of the sending side's CPU).
 *
 * Messages settle mostly in the order they were sent (one response each, in
 * order); one that settles out of turn is skipped once the front reaches it,
 * and the FIFO is compacted before such leftovers outnumber the pending
 * messages (a long transfer at the front holds nothing settled behind it).
 */

import { Fifo } from '../transport/fifo.ts';

/** What the set needs of a message. */
export interface Pending {
  readonly messageId: string;
}

/** See the module comment. */
export class PendingMessages<M extends Pending> {
  readonly #queue = new Fifo<M>();
  #size = 0;
  /** settled out of turn, still in #queue until the front reaches them */
  readonly #gone = new Set<M>();
  /** taken over by a later message with the same Message-ID: already out of the set */
  readonly #displaced = new Set<M>();
  #index: Map<string, M> | null = null;

  /** Messages pending. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds a message just sent. `ownId`: its Message-ID came from the caller,
   * so an earlier pending message may have it (a message sent again, RFC 4975
   * §5.4); that one leaves the set, as a map entry would be replaced. A fresh
   * random Message-ID cannot be pending already.
   */
  add(message: M, ownId: boolean): void {
    if (ownId) {
      const earlier = this.get(message.messageId);
      if (earlier !== undefined) {
        this.#leave(earlier);
        this.#displaced.add(earlier);
      }
    }
    this.#queue.push(message);
    this.#size++;
    this.#index?.set(message.messageId, message);
  }

  /** A message settled: it leaves the set (nothing when a later one had already taken its place). */
  settled(message: M): void {
    if (this.#displaced.size > 0 && this.#displaced.delete(message)) return;
    this.#leave(message);
  }

  /** The pending message with this Message-ID (the latest sent), or undefined. */
  get(messageId: string): M | undefined {
    if (this.#index === null) {
      const index = new Map<string, M>();
      for (const m of this.values()) index.set(m.messageId, m);
      this.#index = index;
    }
    return this.#index.get(messageId);
  }

  /** The pending messages in sending order. */
  values(): M[] {
    const out: M[] = [];
    for (let i = 0; i < this.#queue.length; i++) {
      const m = this.#queue.at(i) as M;
      if (!this.#gone.has(m)) out.push(m);
    }
    return out;
  }

  /** Empties the set. */
  clear(): void {
    this.#queue.clear();
    this.#size = 0;
    this.#gone.clear();
    this.#displaced.clear();
    this.#index = null;
  }

  #leave(message: M): void {
    this.#size--;
    if (this.#index !== null) {
      if (this.#size === 0) this.#index = null;
      else if (this.#index.get(message.messageId) === message) this.#index.delete(message.messageId);
    }
    const queue = this.#queue;
    if (queue.peek() !== message) {
      this.#gone.add(message);
      if (this.#gone.size > 1024 && this.#gone.size > this.#size) this.#compact();
      return;
    }
    queue.shift();
    while (this.#gone.size > 0 && queue.length > 0 && this.#gone.delete(queue.peek() as M)) queue.shift();
  }

  #compact(): void {
    const gone = this.#gone;
    this.#queue.filter((m) => !gone.has(m));
    gone.clear();
  }
}
