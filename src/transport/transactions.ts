/**
 * The transaction table: every request that expects a response waits here
 * under its transaction id until the response comes, the connection fails,
 * or its timer runs out, which gives a local 408 (RFC 4975 §7.1.1, §10.4).
 * The session, the relay client and the relay server all use it, one table
 * per connection.
 *
 * RFC 4975 §7.1.1: the timer starts "from the time the last byte of the
 * transaction is sent, or submitted to the operating system for sending",
 * so an entry is added when the request is queued and armed by `start()` when
 * its end-line has been handed to the socket. Only Failure-Report `yes` runs a
 * timer; `partial` waits for a possible error response without one, and `no`
 * expects nothing at all (RFC 4975 §7.1.4).
 *
 * Every armed entry has the same timeout, so deadlines grow in arming order:
 * an insertion-ordered Map is the timer queue and one timer serves the whole
 * table (no timer object per transaction at 200,000 chunks a second).
 */
import type { Chunk } from '../protocol/chunk.ts';
import type { ReportValue } from '../protocol/headers.ts';
import { reasonPhrase, StatusCode } from '../protocol/status.ts';
import { Fifo } from './fifo.ts';

/** How a transaction ended. */
export interface TransactionResult {
  /** the transaction id of the request */
  transactionId: string;
  /**
   * The response code: the peer's, or 408 made locally when the timer ran out,
   * or 0 when no response is expected (Failure-Report `no`, or `partial` once
   * the request is written: a late error response comes as a 'late-response').
   */
  code: number;
  /** the response comment, or the reason phrase for a local 408 */
  comment: string | null;
  /** the peer's response, null for a local 408 or when none is expected */
  response: Chunk | null;
  /** true when the result was made locally (timer expiry) */
  local: boolean;
}

/** What waits on one transaction. */
export interface TransactionHandlers {
  /** the transaction ended (a response, a local 408, or written when no response is expected) */
  settle(result: TransactionResult): void;
  /** the connection failed first */
  fail(error: Error): void;
  /** a response to a `partial` transaction after it was settled as written */
  late?(response: Chunk): void;
}

/** Default transaction timeout: RFC 4975 §7.1.1's 30 seconds. */
export const DEFAULT_TRANSACTION_TIMEOUT = 30_000;

/** Settled `partial` transactions remembered for a late error response (oldest forgotten first). */
const LATE_MEMORY = 4096;

/**
 * What a settled entry holds instead of its handlers: a Map's discarded hash
 * table (rehashed as ids come and go) still points at the entries it held,
 * and an entry reached that way would keep its whole message alive through
 * scavenges until the next full collection.
 */
const SETTLED: TransactionHandlers = { settle() {}, fail() {} };

const WAITING = 0;
const ARMED = 1;
const DONE = 2;

/** A transaction added by tryAdd, to start it without looking its id up again. */
export interface TransactionHandle {
  readonly transactionId: string;
}

/**
 * A class rather than an object literal: V8 may pretenure a literal's
 * allocation site once its objects are seen surviving (a window of chat
 * messages in flight during warm-up), and then every later entry is made in
 * the old generation, where it keeps the message it points to through every
 * scavenge: the sending process spent a third of its time collecting. Class
 * instances have no allocation site to pretenure.
 */
class Entry implements TransactionHandle {
  readonly transactionId: string;
  readonly mode: ReportValue;
  handlers: TransactionHandlers;
  deadline = 0;
  state: typeof WAITING | typeof ARMED | typeof DONE = WAITING;

  constructor(transactionId: string, mode: ReportValue, handlers: TransactionHandlers) {
    this.transactionId = transactionId;
    this.mode = mode;
    this.handlers = handlers;
  }
}

/** One connection's outstanding transactions. */
export class TransactionTable {
  readonly timeoutMs: number;
  readonly #now: () => number;
  /** every transaction waiting for its response, armed or not */
  readonly #entries = new Map<string, Entry>();
  /** armed entries in deadline order; settled ones stay until the timer passes them */
  readonly #armed = new Fifo<Entry>();
  /** `partial` transactions settled as written, still open to an error response */
  readonly #late = new Map<string, Entry>();
  #timer: NodeJS.Timeout | null = null;

  constructor(timeoutMs: number = DEFAULT_TRANSACTION_TIMEOUT, now: () => number = Date.now) {
    if (!(timeoutMs > 0)) throw new RangeError(`transaction timeout ${timeoutMs} is not a positive number of ms`);
    this.timeoutMs = timeoutMs;
    this.#now = now;
  }

  /** Transactions still waiting for a response (added or armed). */
  get size(): number {
    return this.#entries.size;
  }

  /** True when `transactionId` is in use (waiting, armed, or open to a late response). */
  has(transactionId: string): boolean {
    return this.#entries.has(transactionId) || (this.#late.size > 0 && this.#late.has(transactionId));
  }

  /**
   * Adds a request about to be queued. `mode` is its Failure-Report (absent
   * means `yes`, RFC 4975 §7.1.1). Throws RangeError for an id in use: ids
   * must not collide with other transactions that exist at the same time (§7.1).
   */
  add(transactionId: string, mode: ReportValue, handlers: TransactionHandlers): void {
    if (this.tryAdd(transactionId, mode, handlers) === null) throw new RangeError(`transaction id ${transactionId} is already in use`);
  }

  /** add() for a freshly drawn id: null, and nothing added, when the id is in use (draw another). */
  tryAdd(transactionId: string, mode: ReportValue, handlers: TransactionHandlers): TransactionHandle | null {
    if (this.has(transactionId)) return null;
    const entry = new Entry(transactionId, mode, handlers);
    this.#entries.set(transactionId, entry);
    return entry;
  }

  /**
   * The request's last byte went to the socket: arm its timer, or settle it
   * when no response is expected. Takes the id, or tryAdd's handle.
   */
  start(transaction: string | TransactionHandle): void {
    const entry = typeof transaction === 'string' ? this.#entries.get(transaction) : transaction as Entry;
    if (entry === undefined || entry.state !== WAITING) return;
    const transactionId = entry.transactionId;
    if (entry.mode !== 'yes') {
      this.#entries.delete(transactionId);
      entry.state = DONE;
      if (entry.mode === 'partial' && entry.handlers.late !== undefined) this.#remember(entry);
      entry.handlers.settle({ transactionId, code: 0, comment: null, response: null, local: false });
      return;
    }
    entry.state = ARMED;
    entry.deadline = this.#now() + this.timeoutMs;
    this.#armed.push(entry);
    if (this.#timer === null) this.#arm(entry.deadline);
  }

  /** A response arrived: settles its transaction. False when no transaction has that id. */
  settle(response: Chunk): boolean {
    const id = response.transactionId;
    const entry = this.#entries.get(id);
    if (entry !== undefined) {
      // a response may overtake the write callback of its own request: settle it either way
      this.#entries.delete(id);
      entry.state = DONE;
      // responses mostly come in order: settled entries leave the front of the timer queue at once
      if (entry.deadline !== 0) this.#trim();
      const handlers = entry.handlers;
      entry.handlers = SETTLED;
      handlers.settle({ transactionId: id, code: response.code, comment: response.comment, response, local: false });
      return true;
    }
    const late = this.#late.get(id);
    if (late === undefined) return false;
    this.#late.delete(id);
    late.handlers.late?.(response);
    return true;
  }

  /** Forgets a transaction without settling it (its request was never written). */
  remove(transactionId: string): void {
    const entry = this.#entries.get(transactionId);
    this.#entries.delete(transactionId);
    this.#late.delete(transactionId);
    if (entry === undefined) return;
    entry.state = DONE;
    if (entry.deadline !== 0) this.#trim();
  }

  /** Fails every transaction still waiting (the connection is gone) and stops the timer. */
  failAll(error: Error): void {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    this.#late.clear();
    this.#armed.clear();
    this.#disarm();
    for (const e of entries) {
      e.state = DONE;
      e.handlers.fail(error);
    }
  }

  /** Gives a local 408 to every armed transaction whose deadline has passed. */
  expire(now: number = this.#now()): void {
    const due: Entry[] = [];
    const armed = this.#armed;
    for (let entry = armed.peek(); entry !== undefined; entry = armed.peek()) {
      if (entry.state === ARMED && entry.deadline > now) break;
      armed.shift();
      if (entry.state !== ARMED) continue;
      entry.state = DONE;
      this.#entries.delete(entry.transactionId);
      due.push(entry);
    }
    this.#trim();
    this.#disarm();
    // the next deadline is the first entry left (settled ones before it are skipped when it fires)
    const next = armed.peek();
    if (next !== undefined) this.#arm(next.deadline);
    for (const entry of due) {
      entry.handlers.settle({
        transactionId: entry.transactionId, code: StatusCode.REQUEST_TIMEOUT,
        comment: reasonPhrase(StatusCode.REQUEST_TIMEOUT), response: null, local: true,
      });
    }
  }

  /** Drops settled entries from the front of the timer queue. */
  #trim(): void {
    const armed = this.#armed;
    while (armed.length > 0 && (armed.peek() as Entry).state !== ARMED) armed.shift();
  }

  #remember(entry: Entry): void {
    if (this.#late.size >= LATE_MEMORY) this.#late.delete(this.#late.keys().next().value as string);
    this.#late.set(entry.transactionId, entry);
  }

  #arm(deadline: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.expire();
    }, Math.max(0, deadline - this.#now()));
    // an outstanding transaction alone does not keep the process alive; its connection does
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
