/**
 * What the `msrp` command prints. Text mode: what the user reads or copies
 * (SDP tokens, chat messages, results) on stdout; warnings, failures, the
 * progress display and the traffic log on stderr. `--json`: stdout carries
 * only events, one JSON object per line (`{"event": ..., "time": ..., ...}`,
 * schema in README.md), and the failure sentence still goes to stderr.
 *
 * Text that came from the peer (file names, chat messages, identities) is
 * shown through `printable`, so a hostile peer cannot move the cursor, clear
 * the screen or reverse text on the user's terminal.
 */
import type { Writable } from 'node:stream';
import type { Failure } from './exit.ts';
import { Progress } from './progress.ts';

// C0 (but TAB and LF) and C1 controls, DEL, and the bidirectional overrides
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with control and bidi characters shown as `\u{..}` escapes. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** A peer-given name in quotes, escaped like `printable`, with quotes and backslashes escaped too. */
export function quoted(text: string): string {
  return `"${printable(text.replace(/\\/g, '\\\\').replace(/"/g, '\\"'))}"`;
}

/** Options of an Output. */
export interface OutputOptions {
  /** one JSON event per line on stdout */
  json: boolean;
  /** the command name put before failure sentences (`msrp send`) */
  command: string;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
}

/** See the module comment. */
export class Output {
  readonly json: boolean;
  readonly command: string;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.command = options.command;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
  }

  /**
   * An event: with --json a JSON line with `fields`; in text mode `text`
   * (when given) as a line on stdout.
   */
  event(name: string, fields: Record<string, unknown>, text?: string): void {
    if (this.json) this.stdout.write(`${JSON.stringify({ event: name, time: new Date().toISOString(), ...fields })}\n`);
    else if (text !== undefined) this.stdout.write(`${text}\n`);
  }

  /** A line for the user in text mode only (prompts, hints); with --json it goes to stderr, out of the event stream. */
  say(text: string): void {
    (this.json ? this.stderr : this.stdout).write(`${text}\n`);
  }

  /** A warning: stderr in text mode, a `warning` event with --json. */
  warn(message: string): void {
    if (this.json) this.event('warning', { message });
    else this.stderr.write(`${this.command}: warning: ${message}\n`);
  }

  /** A failure: its one sentence on stderr, and an `error` event with --json. */
  fail(failure: Failure): void {
    if (this.json) this.event('error', { exitCode: failure.exitCode, code: failure.code, message: failure.message });
    this.stderr.write(`${this.command}: ${failure.message}\n`);
  }

  /** A progress display for a transfer of `total` octets: a bar on a terminal, plain lines elsewhere, none with --json. */
  progress(label: string, total: number | null): Progress | null {
    if (this.json) return null;
    return new Progress({ label, total, tty: this.stderr.isTTY === true, write: (t) => this.stderr.write(t) });
  }
}
