/**
 * Kamailio's msrp module as an independent MSRP relay for tests: started on
 * 127.0.0.1 on a free port with test/peers/kamailio/kamailio-msrp.cfg, plain
 * or with digest AUTH, in its own process group with its runtime files in a
 * temp dir, and stopped by signalling that group only. Kamailio comes from
 * Debian (`apt-get install -y kamailio`, 5.6.3; .ci/run installs it).
 *
 * What a relay client must handle with it (found by the team's probes in
 * shared/peers/kamailio/README.md):
 * - Send To-Path first and From-Path second, with canonical header names and
 *   exactly one SP after the colon and between URIs; otherwise it answers
 *   nothing and closes the connection, or 481, or corrupts the From-Path.
 * - The To-Path names both relays' Use-Paths (ours, then the peer's a=path),
 *   even when both are this relay: it then relays to itself. A shortcut
 *   misroutes without an error.
 * - Frames above 11238 octets get 413 (above 64 KiB the connection is
 *   dropped): keep chunks at 10 KB or less through it.
 * - Never send Expires together with Authorization (stock 5.6.3 crashes a
 *   worker or does not answer; this config routes such AUTHs to an htable
 *   that honours Expires). Without credentials Expires is ignored: 3600.
 * - Digest is MD5 unless AUTH_ALGORITHM says SHA-256, qop=auth, no opaque,
 *   no Authentication-Info (so no rspauth to check); the method hashed must
 *   be AUTH; the uri parameter is not checked. A 401 is retried on the same
 *   connection with a new transaction id.
 * - Use-Path holds a numeric address and scheme msrp (no TLS), against RFC
 *   4976 §4.2; its 200's From-Path echoes our To-Path URI as written.
 * - 200 to a SEND only means "accepted by the relay"; it sends no failure
 *   REPORTs, keeps transaction ids end to end, and never answers REPORTs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The config this harness runs (shared/peers/kamailio's, with MPATH and AUTH_ALGORITHM defines). */
export const KAMAILIO_CFG = fileURLToPath(new URL('../peers/kamailio/kamailio-msrp.cfg', import.meta.url));

/** Options of `startKamailio`. */
export interface KamailioOptions {
  /** challenge AUTH with Digest for this one user */
  digest?: { user: string; password: string; realm: string; algorithm?: 'MD5' | 'SHA-256' };
  /** keep sessions in an htable for every AUTH, honouring Expires (423 outside 60..3600) */
  htable?: boolean;
  /** log every frame in full to the log file */
  trace?: boolean;
  /** octets Kamailio queues per connection for a receiver that pauses reading (default 32 KB: more closes the connection) */
  writeQueue?: number;
  /** how long to wait for the port, in ms (default 20000) */
  startTimeout?: number;
}

/** A running Kamailio relay. */
export interface KamailioRelay {
  readonly port: number;
  /** the URI to AUTH to: msrp://127.0.0.1:PORT;tcp */
  readonly uri: string;
  readonly pid: number;
  /** the temp dir with kamailio.log, kamailio.pid and ctl.sock */
  readonly dir: string;
  /** what it has logged so far */
  log(): string;
  /** stops its process group: SIGTERM, SIGKILL after 10 s; removes the temp dir */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// a test that throws must not leave relays behind: kill our own groups on exit
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    // already gone
  }
}

/** The kamailio binary, or null when it is not installed. */
export function kamailioBinary(): string | null {
  for (const p of ['/usr/sbin/kamailio', '/usr/local/sbin/kamailio']) if (existsSync(p)) return p;
  return null;
}

/** Kamailio's module directory on this machine (it differs by architecture). */
function moduleDir(): string {
  const candidates = ['/usr/lib/kamailio/modules', '/usr/local/lib64/kamailio/modules', '/usr/local/lib/kamailio/modules'];
  try {
    for (const arch of readdirSync('/usr/lib')) candidates.unshift(`/usr/lib/${arch}/kamailio/modules`);
  } catch {
    // no /usr/lib: keep the fixed candidates
  }
  const found = candidates.find((d) => existsSync(join(d, 'msrp.so')));
  if (found === undefined) throw new Error('Kamailio msrp module (msrp.so) not found: apt-get install -y kamailio');
  return `${found}/`;
}

/** A port nobody listens on right now (another process may still take it: startKamailio retries). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts Kamailio's MSRP relay; rejects with its log when it does not come up. */
export async function startKamailio(options: KamailioOptions = {}): Promise<KamailioRelay> {
  const binary = kamailioBinary();
  if (binary === null) throw new Error('kamailio is not installed: apt-get install -y kamailio (.ci/run does)');
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, await freePort(), options);
    } catch (err) {
      lastError = err as Error; // most likely the port was taken in between
    }
  }
  throw lastError as Error;
}

async function startOnce(binary: string, port: number, options: KamailioOptions): Promise<KamailioRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'msrp-kamailio-'));
  const logPath = join(dir, 'kamailio.log');
  const defs = [`MSRP_PORT=${port}`, `CTL_SOCK="unix:${dir}/ctl.sock"`, `MPATH="${moduleDir()}"`];
  if (options.digest) {
    const d = options.digest;
    defs.push('WITH_DIGEST', `AUTH_USER="${d.user}"`, `AUTH_PASS="${d.password}"`, `AUTH_REALM="${d.realm}"`);
    if (d.algorithm) defs.push(`AUTH_ALGORITHM="${d.algorithm}"`);
  }
  if (options.htable) defs.push('WITH_HTABLE');
  if (options.trace) defs.push('TRACE');
  if (options.writeQueue !== undefined) defs.push(`TCP_WQ_MAX=${options.writeQueue}`);
  const logFd = openSync(logPath, 'a');
  // -DD: stay in the foreground as our child; -E: log to stderr (the log file);
  // detached: its own process group, so stopping it touches nothing else
  const child = spawn(binary, ['-f', KAMAILIO_CFG, '-DD', '-E', '-Y', dir, '-P', join(dir, 'kamailio.pid'), '-m', '64', '-M', '8',
    ...defs.flatMap((d) => ['-A', d])], { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  running.add(child);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; running.delete(child); resolve(); }));
  const log = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    if (!exited) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeout ?? 20_000);
  // the control socket shows the port is ours, not another process's that took it meanwhile
  while (!(existsSync(join(dir, 'ctl.sock')) && !exited && await accepts(port))) {
    if (exited || Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`kamailio did not come up on 127.0.0.1:${port}${exited ? ' (it exited)' : ''}; log:\n${text.slice(-3000)}`);
    }
    await sleep(50);
  }
  return { port, uri: `msrp://127.0.0.1:${port};tcp`, pid: child.pid as number, dir, log, stop };
}

/** Runs `body` with a fresh relay, prints its log tail when `body` fails, and stops it. */
export async function withKamailio(options: KamailioOptions, body: (relay: KamailioRelay) => Promise<void>): Promise<void> {
  const relay = await startKamailio(options);
  try {
    await body(relay);
  } catch (err) {
    console.error(relay.log().slice(-3000));
    throw err;
  } finally {
    await relay.stop();
  }
}
