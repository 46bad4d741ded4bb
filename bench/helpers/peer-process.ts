/**
 * Parent-side plumbing of the two-process benchmarks: forking a peer script
 * (compiled to JavaScript and run by plain node, as an application runs the
 * library; MSRP_BENCH_TSX=1 runs the TypeScript under tsx instead; optional
 * CPU profiles with MSRP_BENCH_PROF=dir; other node options for the peers,
 * such as --trace-gc, with MSRP_BENCH_ARGS="..."), waiting for one of
 * its IPC messages, stopping peers, and one bench:transfer case run through
 * bench/helpers/transfer-peer.ts (bench/transfer.bench.ts runs them all;
 * bench/streams.bench.ts takes MsrpSession's figure from it).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Result, Setup } from './transfer-peer.ts';

const PEER = fileURLToPath(new URL('./transfer-peer.ts', import.meta.url));

/** One bench:transfer case. */
export interface Case {
  name: string;
  kind: Setup['kind'];
  tls: boolean;
  /** the receiver is the connecting side */
  receiverConnects: boolean;
  /** msrp: how the receiver takes the 'incoming' stream (default its 'data' events) */
  consumer?: Setup['consumer'];
}

/** What a case measured. */
export interface Measured {
  result: Result;
  /** msrp: CPU ms the sending process spent from its send to the message's outcome */
  senderCpuMs?: number;
}

/** Sizes of a case run. */
export interface CaseParams {
  /** octets of the message (raw, msrp) */
  size: number;
  /** chat messages */
  count: number;
  /** octets per chat message */
  chatSize: number;
  cert: { cert: string; key: string } | null;
}

/** An IPC message from a peer. */
export type Message = { type: string } & Partial<Result> & { port?: number; path?: string[]; status?: string; rssPeak?: number };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where bench/tsconfig.peers.json puts the compiled peers (and what they import). */
const COMPILED = join(ROOT, 'node_modules', '.cache', 'msrp-bench');
let compiled = false;

/**
 * The peers' JavaScript, compiled once per benchmark run with tsc. Under tsx
 * every peer process carried its loader thread and transpile cache (about
 * 45 MiB of RSS, and a larger heap for every major collection to mark),
 * which says more about tsx than about the library.
 */
function compiledPath(path: string): string {
  if (!compiled) {
    // the generated wasm module must exist before tsc reads the imports
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-wasm.mjs'), '--if-needed'], { stdio: 'inherit' });
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'bench', 'tsconfig.peers.json')],
      { stdio: 'inherit' });
    compiled = true;
  }
  return join(COMPILED, relative(ROOT, path)).replace(/\.ts$/, '.js');
}

/** Forks a peer script: its compiled JavaScript under plain node, or the TypeScript under tsx with MSRP_BENCH_TSX=1. */
export function forkPeer(path: string): ChildProcess {
  // MSRP_BENCH_PROF=dir: a CPU profile of every peer process in dir; MSRP_BENCH_ARGS: more node options
  const prof = process.env.MSRP_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MSRP_BENCH_PROF}`] : [];
  if (process.env.MSRP_BENCH_ARGS) prof.push(...process.env.MSRP_BENCH_ARGS.trim().split(/\s+/));
  const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
  if (process.env.MSRP_BENCH_TSX === '1') return fork(path, [], { execArgv: ['--import', 'tsx', ...prof], stdio });
  return fork(compiledPath(path), [], { execArgv: prof, stdio });
}

/** The next IPC message of `type` from a peer; rejects if the peer exits first. */
export function nextMessage<T = Message>(c: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }): void => {
      if (m.type !== type) return;
      c.off('message', onMessage);
      c.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number): void => reject(new Error(`a peer exited (${code}) while waiting for '${type}'`));
    c.on('message', onMessage);
    c.once('exit', onExit);
  });
}

/** Asks peers to exit (so a CPU profile gets written), kills those that linger. */
export async function stopPeers(peers: ChildProcess[]): Promise<void> {
  await Promise.all(peers.map(async (p) => {
    if (p.exitCode !== null) return;
    const exited = once(p, 'exit');
    p.send({ type: 'exit' });
    const timer = setTimeout(() => p.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }));
}

/** Runs one bench:transfer case in two fresh peer processes. */
export async function runTransferCase(c: Case, params: CaseParams): Promise<Measured> {
  const sender = forkPeer(PEER);
  const receiver = forkPeer(PEER);
  try {
    const [listener, connector] = c.receiverConnects ? [sender, receiver] : [receiver, sender];
    const common = {
      kind: c.kind, tls: c.tls ? params.cert : null, size: params.size, count: params.count, chatSize: params.chatSize,
      consumer: c.consumer ?? 'readable',
    };
    const listenerRole = listener === sender ? 'send' : 'recv';
    const connectorRole = listenerRole === 'send' ? 'recv' : 'send';
    const ready = Promise.all([nextMessage(listener, 'ready'), nextMessage(connector, 'ready')]);
    if (c.kind === 'raw') {
      const listening = nextMessage(listener, 'listening');
      listener.send({ type: 'setup', ...common, role: listenerRole, listen: true });
      connector.send({ type: 'setup', ...common, role: connectorRole, listen: false });
      connector.send({ type: 'connect', port: (await listening).port });
    } else {
      // each side's full path goes to the other, as an SDP offer and answer would carry it
      const prepared = Promise.all([nextMessage(listener, 'prepared'), nextMessage(connector, 'prepared')]);
      listener.send({ type: 'setup', ...common, role: listenerRole, listen: true });
      connector.send({ type: 'setup', ...common, role: connectorRole, listen: false });
      const [l, k] = await prepared;
      listener.send({ type: 'complete', path: k.path });
      connector.send({ type: 'complete', path: l.path });
    }
    await ready;
    // the chat sender times itself; otherwise the receiver does
    const timer = c.kind === 'chat' ? sender : receiver;
    const done = nextMessage(timer, 'result');
    const senderDone = c.kind === 'chat' ? done : nextMessage(sender, c.kind === 'raw' ? 'result' : 'sent').catch(() => null);
    sender.send({ type: 'go' });
    const result = (await done) as unknown as Result;
    if (c.kind === 'msrp') {
      const sent = await senderDone;
      if (sent?.status !== 'delivered') throw new Error(`${c.name}: the sender's message ended ${sent?.status}`);
      return { result, senderCpuMs: sent.cpuMs };
    }
    return { result };
  } finally {
    await stopPeers([sender, receiver]);
  }
}

