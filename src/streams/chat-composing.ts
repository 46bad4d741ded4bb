/**
 * The timers around is-composing (RFC 3994) for a ChatStream: the state
 * machines are ComposingSender and ComposingReceiver (is-composing.ts); this
 * file runs them on a clock, so the composer goes idle after 15 s without
 * typing and refreshes `active` no more often than every 60 s (§3.2), and a
 * received `active` expires after its refresh interval, 120 s by default
 * (§3.3). The clock is injectable, so tests move time by hand.
 */
import { ComposingReceiver, ComposingSender, type ComposingState, type IsComposing } from './is-composing.ts';

/** Time and timers: the real ones by default, a hand-driven one in tests. */
export interface ChatClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process clock; timers are unref'd so an idle stream does not keep the process alive. */
export const realClock: ChatClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of the composing side. */
export interface ComposingOptions {
  /** seconds without typing before `idle` is sent (default 15, RFC 3994 §3.2) */
  idleTimeout?: number;
  /** seconds between `active` refreshes, at least 60 (default 60); null for none */
  refresh?: number | null;
}

/** One timer slot on a clock. */
class Timer {
  #handle: unknown = null;
  readonly #clock: ChatClock;

  constructor(clock: ChatClock) {
    this.#clock = clock;
  }

  /** Runs `fn` at `at` (clock ms), replacing any earlier schedule; null clears it. */
  at(at: number | null, fn: () => void): void {
    this.clear();
    if (at === null) return;
    this.#handle = this.#clock.setTimeout(() => {
      this.#handle = null;
      fn();
    }, Math.max(0, at - this.#clock.now()));
  }

  clear(): void {
    if (this.#handle !== null) this.#clock.clearTimeout(this.#handle);
    this.#handle = null;
  }
}

/** The local composer: turns calls into the indications RFC 3994 §3.2 says to send. */
export class ComposingOut {
  readonly #clock: ChatClock;
  readonly #send: (ic: IsComposing) => void;
  readonly #options: ComposingOptions;
  #sender: ComposingSender;
  readonly #timer: Timer;

  constructor(clock: ChatClock, send: (ic: IsComposing) => void, options: ComposingOptions = {}) {
    this.#clock = clock;
    this.#send = send;
    this.#options = options;
    this.#sender = this.#make(undefined);
    this.#timer = new Timer(clock);
  }

  /** The composer's state. */
  get state(): ComposingState {
    return this.#sender.state;
  }

  /**
   * The user is (`active`) or stopped (`idle`) composing. `active` sends an
   * indication only when composition starts (then refreshes and the idle
   * timeout run by themselves); `idle` sends one only when active. Returns
   * true when an indication was sent. A `refresh` below 60 throws RangeError.
   */
  indicate(state: ComposingState, options: { refresh?: number | null; lastActive?: Date } = {}): boolean {
    if (state === 'active') {
      if (this.#sender.state === 'idle' && options.refresh !== undefined) this.#sender = this.#make(options.refresh);
      const ic = this.#sender.typing();
      if (ic !== null) this.#send(options.lastActive !== undefined ? { ...ic, lastActive: options.lastActive } : ic);
      this.#schedule();
      return ic !== null;
    }
    if (this.#sender.state !== 'active') return false;
    this.#sender.messageSent();
    this.#timer.clear();
    this.#send({ state: 'idle', lastActive: options.lastActive ?? new Date(this.#clock.now()), contentType: this.#sender.contentType, refresh: null });
    return true;
  }

  /** A content message went out: idle without an indication (RFC 3994 §3.2). */
  messageSent(): void {
    this.#sender.messageSent();
    this.#timer.clear();
  }

  /** Stops the timers. */
  stop(): void {
    this.#timer.clear();
  }

  #make(refresh: number | null | undefined): ComposingSender {
    return new ComposingSender({
      idleTimeout: this.#options.idleTimeout,
      refresh: refresh !== undefined ? refresh : this.#options.refresh,
      now: () => this.#clock.now(),
    });
  }

  #schedule(): void {
    this.#timer.at(this.#sender.nextDeadline(), () => {
      const ic = this.#sender.tick();
      if (ic !== null) this.#send(ic);
      this.#schedule();
    });
  }
}

/** The peer's composer as seen here: calls `changed` when its state changes. */
export class ComposingIn {
  readonly #receiver: ComposingReceiver;
  readonly #timer: Timer;
  readonly #changed: (state: ComposingState, last: IsComposing | null) => void;

  constructor(clock: ChatClock, changed: (state: ComposingState, last: IsComposing | null) => void) {
    this.#receiver = new ComposingReceiver(() => clock.now());
    this.#timer = new Timer(clock);
    this.#changed = changed;
  }

  /** The peer's state. */
  get state(): ComposingState {
    return this.#receiver.state;
  }

  /** An indication arrived; every one is reported, a repeated `active` too (it refreshes). */
  indication(ic: IsComposing): void {
    this.#receiver.indication(ic);
    this.#schedule();
    this.#changed(this.#receiver.state, ic);
  }

  /** A content message arrived: the peer is idle (RFC 3994 §3.3). */
  messageReceived(): void {
    if (this.#receiver.messageReceived()) {
      this.#timer.clear();
      this.#changed('idle', null);
    }
  }

  /** Stops the timer. */
  stop(): void {
    this.#timer.clear();
  }

  #schedule(): void {
    this.#timer.at(this.#receiver.nextDeadline(), () => {
      if (this.#receiver.tick()) this.#changed('idle', null);
    });
  }
}
