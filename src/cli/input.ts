/**
 * What the `msrp` command reads from its user: lines from stdin (the peer's
 * SDP, an answer to a question, chat lines), a password typed without echo
 * on a terminal, and Ctrl-C.
 *
 * Ctrl-C: the first one (SIGINT, SIGTERM, or ^C read by readline on a
 * terminal) runs the command's clean-up (sockets closed, a partial file
 * removed or kept as documented); a second one exits at once with 130.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CliError, EXIT } from './exit.ts';

/** Lines read from a stream one at a time, in order; null at its end. */
export class LineReader {
  readonly #rl: Interface;
  readonly #lines: string[] = [];
  readonly #waiting: Array<(line: string | null) => void> = [];
  #ended = false;

  /** Reads `input` (default stdin); on a terminal, echo and line editing go to `output` (default stderr). */
  constructor(input: Readable & { isTTY?: boolean } = process.stdin, output: Writable = process.stderr) {
    const terminal = input.isTTY === true;
    this.#rl = createInterface({ input, output: terminal ? output : undefined, terminal, crlfDelay: Infinity });
    this.#rl.on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter !== undefined) waiter(line);
      else this.#lines.push(line);
    });
    this.#rl.on('close', () => {
      this.#ended = true;
      for (const waiter of this.#waiting.splice(0)) waiter(null);
    });
    // readline on a terminal turns ^C into its own event: treat it as the signal it stands for
    this.#rl.on('SIGINT', () => process.emit('SIGINT'));
  }

  /** The next line, or null once the input ended (Ctrl-D, end of a pipe). */
  next(): Promise<string | null> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Stops reading (stdin no longer keeps the process alive). */
  close(): void {
    this.#rl.close();
  }
}

/**
 * Asks on a terminal for a secret typed without echo (Enter ends it,
 * Backspace deletes, ^C interrupts, ^D on an empty line gives up).
 */
export function readHidden(prompt: string, input: NodeJS.ReadStream = process.stdin, output: Writable = process.stderr): Promise<string> {
  output.write(prompt);
  return new Promise((resolve, reject) => {
    let secret = '';
    const finish = (error: Error | null): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error === null) resolve(secret);
      else reject(error);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003') return finish(new CliError(EXIT.INTERRUPTED, 'interrupted'));
        if (ch === '\u0004' && secret === '') return finish(new CliError(EXIT.USAGE, 'no password given'));
        if (ch === '\u007f' || ch === '\b') secret = secret.slice(0, -1);
        else if (ch >= ' ') secret += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/** Ctrl-C and SIGTERM for the time a command runs: see the module comment. */
export class Interrupt {
  /** resolves at the first signal */
  readonly signalled: Promise<string>;
  #fired = false;
  #resolve!: (signal: string) => void;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    if (this.#fired) process.exit(EXIT.INTERRUPTED);
    this.#fired = true;
    this.#resolve(signal);
  };

  constructor() {
    this.signalled = new Promise((resolve) => { this.#resolve = resolve; });
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  /** True once a signal came. */
  get fired(): boolean {
    return this.#fired;
  }

  /** Stops listening (the default behaviour returns). */
  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}

/** Waits for `work`, or for the first signal of `interrupt`: then runs `cleanup` and throws exit 130 with `why`. */
export async function orInterrupt<T>(work: Promise<T>, interrupt: Interrupt, cleanup: () => Promise<unknown>, why: string): Promise<T> {
  const stop = interrupt.signalled.then(async () => {
    await cleanup();
    throw new CliError(EXIT.INTERRUPTED, why);
  });
  stop.catch(() => {});
  // once interrupted, the clean-up's own effects (a transfer failing as its session closes) are not the outcome
  const settled = work.then((value) => (interrupt.fired ? stop : value), (error) => (interrupt.fired ? stop : Promise.reject(error)));
  return Promise.race([settled, stop]);
}
