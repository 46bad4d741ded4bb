/**
 * Streams benchmark (`npm run bench:streams`): the stream classes between
 * two processes over loopback, against MsrpSession in the same run.
 *
 * - file: a 1 GiB file pushed through FileTransferStream (the sender hashes
 *   it first, untimed; the receiver writes it under a new name, hashing as it
 *   writes, and checks size and sha-1), timed on the receiver from its start
 *   to `finished`; the baseline is bench:transfer's "msrp tcp, receiver
 *   accepts" case (the same octets as one MsrpSession message whose data is
 *   dropped; the receiver accepts in both), run here through
 *   bench/helpers/peer-process.ts;
 * - chat: two ChatStreams, one 100-octet message at a time echoed back
 *   (each asks for a success REPORT), round-trip time median and p99.
 *
 * Files live in /dev/shm when it exists (the stream path is measured, not
 * the disk), else in the temporary directory. Each throughput case runs
 * `--runs` times (default 2) and keeps its best. GB = 10^9 octets. peakRssMB
 * is the largest peak RSS of the stream processes. Prints a table, then as
 * the last line one JSON object:
 * {"fileGBps", "sessionGBps", "fileRatio", "chatRttMedianMs", "chatRttP99Ms", "peakRssMB"}.
 * `--quick`: 256 MiB and fewer round trips; `--only file|session|chat`: one
 * case (no JSON); MSRP_BENCH_PROF=dir writes CPU profiles of the peers.
 */
import { randomFillSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, unlink } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkPeer, nextMessage, runTransferCase, stopPeers } from './helpers/peer-process.ts';
import type { StreamResult, StreamSetup } from './helpers/stream-peer.ts';

const quick = process.argv.includes('--quick');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 2;
const SIZE = quick ? 256 * 2 ** 20 : 2 ** 30;
const ROUND_TRIPS = quick ? 500 : 2000;
const WARMUP = 200;
const onlyArg = process.argv.indexOf('--only');
/** `--only file|session|chat`: just that case (no JSON line then) */
const ONLY = onlyArg > 0 ? process.argv[onlyArg + 1] : null;
const PEER = fileURLToPath(new URL('./helpers/stream-peer.ts', import.meta.url));

type Reply = { type: string; sdp?: string; status?: string } & Partial<StreamResult>;

/** A file of `size` random octets. */
async function makeFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  const block = Buffer.allocUnsafe(1 << 20);
  for (let at = 0; at < size; at += block.length) {
    randomFillSync(block);
    await handle.write(block, 0, Math.min(block.length, size - at), at);
  }
  await handle.close();
}

/** Two stream peers negotiated as an offer/answer exchange of SDP text would; returns them ready. */
async function startPair(offerer: Omit<StreamSetup, 'offerer'>, answerer: Omit<StreamSetup, 'offerer'>) {
  const a = forkPeer(PEER);
  const b = forkPeer(PEER);
  const offer = nextMessage<Reply>(a, 'offer');
  a.send({ type: 'setup', ...offerer, offerer: true });
  b.send({ type: 'setup', ...answerer, offerer: false });
  const answer = nextMessage<Reply>(b, 'answer');
  const offerSdp = (await offer).sdp;
  b.send({ type: 'answer-offer', sdp: offerSdp });
  const answerSdp = (await answer).sdp;
  const ready = Promise.all([nextMessage(a, 'ready'), nextMessage(b, 'ready')]);
  return { a, b, start: () => { a.send({ type: 'start', sdp: answerSdp }); b.send({ type: 'start', sdp: offerSdp }); }, ready };
}

/** Peak RSS of each peer, in order. */
async function rssOf(peers: ReturnType<typeof forkPeer>[]): Promise<number[]> {
  const all = await Promise.all(peers.map((p) => {
    const r = nextMessage<Reply>(p, 'rss');
    p.send({ type: 'rss' });
    return r;
  }));
  return all.map((r) => r.rssPeak ?? 0);
}

/** One file transfer; returns GB/s and the peers' peak RSS. */
async function fileRun(source: string, dir: string): Promise<{ gbps: number; rss: number[]; cpu: number[] }> {
  const { a, b, start, ready } = await startPair({ kind: 'file', role: 'send', file: source }, { kind: 'file', role: 'recv', dir });
  try {
    const done = nextMessage<Reply>(b, 'result');
    const sent = nextMessage<Reply>(a, 'sent');
    start();
    await ready;
    const r = await done;
    if (r.status !== 'finished' || r.bytes !== SIZE) throw new Error(`file: the receiver ended ${r.status} with ${r.bytes} octets`);
    const s = await sent;
    if (s.status !== 'finished') throw new Error(`file: the sender ended ${s.status}`);
    return { gbps: SIZE / ((r.ms as number) / 1000) / 1e9, rss: await rssOf([a, b]), cpu: [s.cpuMs ?? 0, r.cpuMs ?? 0] };
  } finally {
    await stopPeers([a, b]);
  }
}

async function chatRun(): Promise<{ rtts: number[]; rss: number[] }> {
  const { a, b, start, ready } = await startPair({ kind: 'chat', role: 'ping', count: ROUND_TRIPS, warmup: WARMUP }, { kind: 'chat', role: 'echo' });
  try {
    start();
    await ready;
    const done = nextMessage<Reply>(a, 'result');
    a.send({ type: 'go' });
    const r = await done;
    return { rtts: r.rtts ?? [], rss: await rssOf([a, b]) };
  } finally {
    await stopPeers([a, b]);
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

async function main(): Promise<void> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = await mkdtemp(join(base, 'msrp-bench-'));
  console.log(`bench:streams  node ${process.version}  ${cpus()[0]?.model ?? '?'} x${cpus().length}  ${SIZE / 2 ** 20} MiB  best of ${RUNS}  files in ${base}`);
  try {
    const source = join(dir, 'source.bin');
    await makeFile(source, SIZE);
    const out = await mkdtemp(join(dir, 'in-'));
    let file = 0;
    let session = 0;
    let peak = 0;
    const sides = [0, 0];
    let cpu = [0, 0];
    for (let i = 0; i < RUNS; i++) {
      // alternate, so both see the same machine load
      const s = ONLY !== null && ONLY !== 'session' ? null : await runTransferCase({ name: 'msrp tcp, receiver accepts', kind: 'msrp', tls: false, receiverConnects: false },
        { size: SIZE, count: 0, chatSize: 0, cert: null });
      if (s !== null && s.result.bytes < SIZE) throw new Error(`session: received ${s.result.bytes} of ${SIZE} octets`);
      if (s !== null) session = Math.max(session, s.result.bytes / (s.result.ms / 1000) / 1e9);
      if (ONLY !== null && ONLY !== 'file') continue;
      const f = await fileRun(source, out);
      if (f.gbps > file) cpu = f.cpu;
      file = Math.max(file, f.gbps);
      peak = Math.max(peak, ...f.rss);
      f.rss.forEach((r, k) => { sides[k] = Math.max(sides[k], r); });
      await unlink(join(out, 'source.bin')).catch(() => {});
    }
    console.log(`${'MsrpSession, 1 message'.padEnd(34)} ${session.toFixed(3).padStart(8)} GB/s`);
    console.log(`${'FileTransferStream, hash + write'.padEnd(34)} ${file.toFixed(3).padStart(8)} GB/s  peak RSS sender ${(sides[0] / 2 ** 20).toFixed(0)} MiB, receiver ${(sides[1] / 2 ** 20).toFixed(0)} MiB`);
    const perGiB = (ms: number): string => (ms / 1000 / (SIZE / 2 ** 30)).toFixed(2);
    if (file > 0) console.log(`${''.padEnd(34)} CPU s per GiB: sender ${perGiB(cpu[0])}, receiver ${perGiB(cpu[1])} (every thread)`);
    if (ONLY !== null && ONLY !== 'chat') return;
    const chat = await chatRun();
    peak = Math.max(peak, ...chat.rss);
    const sorted = [...chat.rtts].sort((x, y) => x - y);
    const median = quantile(sorted, 0.5);
    const p99 = quantile(sorted, 0.99);
    console.log(`${`ChatStream round trip (${sorted.length})`.padEnd(34)} median ${median.toFixed(3)} ms  p99 ${p99.toFixed(3)} ms`);
    if (ONLY !== null) return;
    console.log('');
    console.log('| case | figure | target |');
    console.log('| --- | ---: | --- |');
    console.log(`| file transfer / session | ${(file / session).toFixed(2)} | >= 0.8 |`);
    console.log(`| peak RSS of the stream processes | ${(peak / 2 ** 20).toFixed(0)} MiB | < 150 MB |`);
    console.log(JSON.stringify({
      fileGBps: round(file), sessionGBps: round(session), fileRatio: round(file / session),
      chatRttMedianMs: round(median), chatRttP99Ms: round(p99), peakRssMB: round(peak / 1e6, 1),
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
