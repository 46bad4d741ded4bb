/**
 * Whose turn it is: the writer's fair rotation of outgoing messages (RFC
 * 4975 §7.1.1: "the device SHOULD implement some scheme to alternate between
 * them such that each concurrent request gets a chance to send some fair
 * portion of data at regular intervals"). Messages are grouped (one group per
 * session); groups take turns round-robin, and so do the messages of a group.
 * A message whose source has nothing ready is set aside until it has.
 */
import { Fifo } from './fifo.ts';
import type { OutgoingMessage } from './outgoing.ts';

interface Group {
  queue: Fifo<OutgoingMessage>;
  inRing: boolean;
}

/** See the module comment. */
export class Rotation {
  readonly #groups = new Map<object, Group>();
  #ring: Group[] = [];
  #cursor = 0;
  /** messages waiting for their source */
  readonly #blocked = new Set<OutgoingMessage>();

  /** Messages in the rotation or set aside. */
  get size(): number {
    let n = this.#blocked.size;
    for (const g of this.#groups.values()) n += g.queue.length;
    return n;
  }

  /** Puts `message` at the end of its group's turn. */
  add(message: OutgoingMessage): void {
    let group = this.#groups.get(message.group);
    if (group === undefined) {
      group = { queue: new Fifo<OutgoingMessage>(), inRing: false };
      this.#groups.set(message.group, group);
    }
    group.queue.push(message);
    if (!group.inRing) {
      group.inRing = true;
      this.#ring.push(group);
    }
  }

  /** Sets `message` aside until `ready(message)`: its source has nothing now. */
  block(message: OutgoingMessage): void {
    this.#blocked.add(message);
  }

  /** A set-aside message has data again: back into the rotation. False when it was not set aside. */
  ready(message: OutgoingMessage): boolean {
    if (!this.#blocked.delete(message)) return false;
    this.add(message);
    return true;
  }

  /** The message whose turn it is, or null when none is ready. */
  peek(): OutgoingMessage | null {
    while (this.#ring.length > 0) {
      if (this.#cursor >= this.#ring.length) this.#cursor = 0;
      const group = this.#ring[this.#cursor];
      if (group.queue.length > 0) return group.queue.peek() as OutgoingMessage;
      this.#dropGroup(this.#cursor);
    }
    return null;
  }

  /** Takes the message `peek()` returned out of its queue, for its turn; the next group's turn comes next. */
  take(): void {
    this.#ring[this.#cursor].queue.shift();
    this.#cursor++;
  }

  /** Whether a message other than `message` is ready. */
  othersReady(message: OutgoingMessage): boolean {
    for (const g of this.#ring) {
      if (g.queue.length > 1 || (g.queue.length === 1 && g.queue.peek() !== message)) return true;
    }
    return false;
  }

  /** Takes `message` out wherever it is. */
  remove(message: OutgoingMessage): void {
    this.#blocked.delete(message);
    this.#groups.get(message.group)?.queue.remove(message);
  }

  /** Empties the rotation, returning every message it held. */
  clear(): OutgoingMessage[] {
    const messages = [...this.#blocked];
    for (const g of this.#groups.values()) messages.push(...g.queue.toArray());
    this.#groups.clear();
    this.#ring = [];
    this.#blocked.clear();
    return messages;
  }

  #dropGroup(index: number): void {
    const group = this.#ring[index];
    group.inRing = false;
    this.#ring.splice(index, 1);
    if (group.queue.length === 0) {
      for (const [key, g] of this.#groups) if (g === group) this.#groups.delete(key);
    }
  }
}
