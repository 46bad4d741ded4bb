/**
 * Drives `msrp` as a user would: child processes of bin/msrp.js with pipes
 * for stdin, stdout and stderr. JSON events (--json) are parsed as they come,
 * so a test waits for "the offer was printed" rather than for a time; every
 * wait has a deadline that only bounds a hang.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { CliError } from '../../src/cli/exit.ts';

/** The command under test. */
export const BIN = new URL('../../bin/msrp.js', import.meta.url).pathname;

/** Ms any one wait may take before the test fails (a bound on a hang, not a timing assertion). */
const DEADLINE = 60_000;

/** An environment for a child: this one without MSRP_* variables, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MSRP_')) out[k] = v;
  return { ...out, ...env };
}

/** Runs `msrp args` to its end, `input` on its stdin. */
export async function msrpRun(args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}) {
  const m = new Msrp(args, options);
  m.child.stdin!.end(options.input ?? '');
  const code = await m.exit();
  return { code, out: m.stdout, err: m.stderr };
}

/** A JSON event printed with --json. */
export type CliEvent = Record<string, unknown> & { event: string };

/** Every process started and still running: killed when the test process exits, so a failed test leaves none behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A running `msrp` process. */
export class Msrp {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly events: CliEvent[] = [];
  readonly #waiters = new Set<() => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], { env: childEnv(options.env ?? {}), cwd: options.cwd, stdio: 'pipe' });
    running.add(this.child);
    this.child.once('exit', () => running.delete(this.child));
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      this.stdout += text;
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() as string;
      for (const line of lines) {
        if (line.startsWith('{')) {
          try {
            this.events.push(JSON.parse(line) as CliEvent);
          } catch { /* a text line that starts with a brace */ }
        }
      }
      this.#wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text;
      this.#wake();
    });
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => {
      this.#wake();
      resolve({ code, signal });
    }));
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Resolves when `check` gives a value; rejects after the deadline or when the process exited first. */
  #until<T>(check: () => T | undefined, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      let done = false;
      const test = (): void => {
        if (done) return;
        const v = check();
        if (v !== undefined) {
          finish();
          resolve(v);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish();
          reject(new Error(`msrp exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${what} within ${DEADLINE} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      }, DEADLINE);
      const finish = (): void => {
        done = true;
        clearTimeout(timer);
        this.#waiters.delete(test);
      };
      this.#waiters.add(test);
      test();
    });
  }

  /** The first JSON event named `name` (matching `filter`), past or future. */
  event(name: string, filter: (e: CliEvent) => boolean = () => true): Promise<CliEvent> {
    return this.#until(() => this.events.find((e) => e.event === name && filter(e)), `'${name}' event`);
  }

  /** The first stdout line matching `pattern`, past or future. */
  line(pattern: RegExp): Promise<string> {
    return this.#until(() => this.stdout.split('\n').find((l) => pattern.test(l)), `line matching ${pattern}`);
  }

  /** Resolves when stderr matches `pattern`. */
  stderrMatch(pattern: RegExp): Promise<string> {
    return this.#until(() => (pattern.test(this.stderr) ? this.stderr : undefined), `stderr matching ${pattern}`);
  }

  /** Types `text` and Enter. */
  type(text: string): void {
    this.child.stdin!.write(`${text}\n`);
  }

  /** Ends stdin (Ctrl-D). */
  endInput(): void {
    this.child.stdin!.end();
  }

  /** The exit code; fails the test past the deadline (the process is killed). */
  async exit(): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), DEADLINE);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    if (signal === 'SIGKILL') throw new Error(`msrp did not exit within ${DEADLINE} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
    return code;
  }

  /** Kills the process if it still runs. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** A fresh temporary directory with its removal. */
export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'msrp-cli-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A file of `size` random octets; returns its path. */
export async function randomFile(dir: string, name: string, size: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, randomBytes(size));
  return path;
}

/** The relay users of the tests, as MSRP_RELAY_USERS gives them. */
export const RELAY_USERS = { alice: 'alice-pass-1', bob: 'bob-pass-2' } as const;

/** `msrp relay` on a free port with RELAY_USERS; resolves with its process and the flags clients need. */
export async function startRelay(): Promise<{ relay: Msrp; flags: string[] }> {
  const relay = new Msrp(['relay', '--port', '0', '--json'], {
    env: { MSRP_RELAY_USERS: Object.entries(RELAY_USERS).map(([u, p]) => `${u}:${p}`).join(',') },
  });
  const listening = await relay.event('listening');
  return { relay, flags: ['--relay', `msrps://localhost:${listening.port}`, '--relay-fingerprint', String(listening.fingerprint)] };
}

/** The CliError `promise` rejects with (the test fails when it resolves or rejects otherwise). */
export async function cliFailure(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, CliError);
    return err as CliError;
  }
  return assert.unreachable('expected a CliError') as never;
}
