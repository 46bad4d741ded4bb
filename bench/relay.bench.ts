/**
 * Relay benchmark (`npm run bench:relay`, issue 6). Three busy processes on
 * plain TCP over loopback: sender A, receiver B and the relay, each forked
 * (bench/helpers/relay-peer.ts); Kamailio's MSRP relay runs as its own
 * process group (test/helpers/kamailio.ts).
 *
 * - 200 MB as one message from A to B through our MsrpRelay against the same
 *   transfer direct (A connects to B), with the writer's default chunking;
 * - A -> Kamailio -> B against A -> our relay -> B, both with 10 KB chunks
 *   (Kamailio refuses frames above about 11 KB).
 *
 * The two cases of a pair alternate, run after run; each figure is the median
 * of `--runs` (default 5) runs. The receiver times from its first octet to its
 * last; it hashes what arrives and checks that every chunk starts where the
 * previous ended, and the sender's message must end with code 200: a lost,
 * duplicated or reordered octet fails the run (Kamailio's are counted and
 * shown instead, its incomplete runs left out of its median). Kamailio gets a 64 MiB write queue, without which it drops
 * frames or connections under this load. GB = 10^9 octets.
 *
 * Prints a table, then as the last line one JSON object:
 * {"relayGBps", "directGBps", "relayRatio", "kamailioGBps", "oursAt10KBGBps", "vsKamailio"}.
 * `--quick`: 50 MB and 3 runs; `--only <text>`: just the pairs with a case
 * whose name holds the text (no JSON line then).
 */
import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { localPath } from '../src/relay/use-path.ts';
import { MsrpUri } from '../src/protocol/uri.ts';
import { startKamailio, type KamailioRelay } from '../test/helpers/kamailio.ts';
import { forkPeer, nextMessage, stopPeers } from './helpers/peer-process.ts';

const PEER = new URL('./helpers/relay-peer.ts', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : quick ? 3 : 5;
const SIZE = (quick ? 50 : 200) * 1e6;
const SMALL_CHUNK = 10 * 1024;
const onlyArg = process.argv.indexOf('--only');
/** `--only <text>`: the pairs with a case whose name holds it */
const ONLY = onlyArg > 0 ? process.argv[onlyArg + 1] : null;
/** a receiver still short of octets this long after the sender finished has lost some */
const LOSS_WAIT_MS = 10_000;

type Kind = 'direct' | 'relay' | 'kamailio';

interface Run {
  bytes: number;
  ms: number;
  lost: number;
  misordered: number;
  hashOk: boolean;
}

interface Prepared { uri: string; usePath: string[] }

interface Setting {
  name: string;
  kind: Kind;
  chunk?: number;
}

let relayPort = 0;
let kamailio: KamailioRelay | null = null;

/** One transfer of SIZE octets from `a` to `b` as `setting` says. */
async function transfer(a: ChildProcess, b: ChildProcess, setting: Setting): Promise<Run> {
  const { kind, chunk } = setting;
  const port = kind === 'relay' ? relayPort : kind === 'kamailio' ? (kamailio as KamailioRelay).port : 0;
  const mode = kind === 'direct' ? 'direct' : 'relay';
  b.send({ type: 'connect', mode, port, listen: true, user: 'bob', chunk });
  const pb = await nextMessage<Prepared & { type: string }>(b, 'prepared');
  const bPort = MsrpUri.parse(pb.uri).port;
  a.send({ type: 'connect', mode, port: kind === 'direct' ? bPort : port, user: 'alice', chunk });
  const pa = await nextMessage<Prepared & { type: string }>(a, 'prepared');
  // RFC 4976 §5.1: To-Path = our Use-Path + the peer's a=path (its Use-Path reversed, then its URI)
  const pathOf = (p: Prepared): string[] => localPath(p.usePath.map((u) => MsrpUri.parse(u)), MsrpUri.parse(p.uri)).map(String);
  a.send({ type: 'complete', toPath: [...pa.usePath, ...pathOf(pb)] });
  b.send({ type: 'complete', toPath: [...pb.usePath, ...pathOf(pa)] });
  await Promise.all([nextMessage(a, 'ready'), nextMessage(b, 'ready')]);
  b.send({ type: 'expect', size: SIZE });
  await nextMessage(b, 'expecting');
  const result = nextMessage<{ bytes: number; ms: number; hash: string; misordered: number }>(b, 'result');
  const sent = nextMessage<{ code: number; hash: string }>(a, 'sent');
  a.send({ type: 'go', size: SIZE });
  const s = await sent;
  const r = await Promise.race([result, new Promise<null>((resolve) => setTimeout(() => resolve(null), LOSS_WAIT_MS))]);
  a.send({ type: 'close' });
  b.send({ type: 'close' });
  await Promise.all([nextMessage(a, 'closed'), nextMessage(b, 'closed')]);
  // octets missing LOSS_WAIT_MS after the sender finished: lost (how many is not known here)
  if (r === null) return { bytes: 0, ms: Number.POSITIVE_INFINITY, lost: SIZE, misordered: 0, hashOk: false };
  if (s.code !== 200 && kind !== 'kamailio') throw new Error(`${setting.name}: the sender's message ended ${s.code}`);
  return { bytes: r.bytes, ms: r.ms, lost: SIZE - r.bytes, misordered: r.misordered, hashOk: r.hash === s.hash };
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const gbps = (r: Run): number => (r.bytes > 0 ? r.bytes / (r.ms / 1000) / 1e9 : 0);
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

async function main(): Promise<void> {
  console.log(`bench:relay  node ${process.version}  ${cpus()[0]?.model ?? '?'} x${cpus().length}  ${SIZE / 1e6} MB per run, median of ${RUNS}, plain TCP on loopback`);
  const relay = forkPeer(PEER);
  const a = forkPeer(PEER);
  const b = forkPeer(PEER);
  try {
    relay.send({ type: 'relay' });
    relayPort = (await nextMessage<{ port: number }>(relay, 'listening')).port;
    kamailio = await startKamailio({ writeQueue: 64 * 1024 * 1024 });
    const pairs: Array<[Setting, Setting]> = [
      [{ name: 'direct, 200 MB', kind: 'direct' }, { name: 'our relay, 200 MB', kind: 'relay' }],
      [{ name: 'Kamailio, 10 KB chunks', kind: 'kamailio', chunk: SMALL_CHUNK }, { name: 'our relay, 10 KB chunks', kind: 'relay', chunk: SMALL_CHUNK }],
    ];
    const runs = new Map<string, Run[]>();
    for (const pair of pairs.filter((p) => ONLY === null || p.some((c) => c.name.includes(ONLY)))) {
      for (let i = 0; i < RUNS; i++) {
        for (const setting of pair) {
          const r = await transfer(a, b, setting);
          if (setting.kind !== 'kamailio' && (r.lost !== 0 || r.misordered !== 0 || !r.hashOk)) {
            throw new Error(`${setting.name}: lost ${r.lost} octets, ${r.misordered} chunks out of order, hash ${r.hashOk ? 'ok' : 'WRONG'}`);
          }
          runs.set(setting.name, [...(runs.get(setting.name) ?? []), r]);
        }
      }
    }
    // a run that lost octets has no rate: the median is over the complete runs (Kamailio's incomplete ones are counted apart)
    const complete = (name: string): Run[] => (runs.get(name) as Run[]).filter((r) => r.bytes === SIZE);
    const rate = (name: string): number => (complete(name).length > 0 ? median(complete(name).map(gbps)) : 0);
    console.log(`${'case'.padEnd(26)} ${'median GB/s'.padStart(12)} ${'min'.padStart(7)} ${'max'.padStart(7)}  incomplete runs / bad hashes`);
    for (const [name, list] of runs) {
      const rates = complete(name).map(gbps);
      const incomplete = list.length - rates.length;
      const bad = list.filter((r) => r.bytes === SIZE && (!r.hashOk || r.misordered > 0)).length;
      const [min, max] = rates.length > 0 ? [Math.min(...rates), Math.max(...rates)] : [0, 0];
      console.log(`${name.padEnd(26)} ${rate(name).toFixed(3).padStart(12)} ${min.toFixed(3).padStart(7)} ${max.toFixed(3).padStart(7)}  ${incomplete} of ${list.length} / ${bad}`);
    }
    if (ONLY !== null) return;
    const relayGBps = rate('our relay, 200 MB');
    const directGBps = rate('direct, 200 MB');
    const kamailioGBps = rate('Kamailio, 10 KB chunks');
    const oursAt10KBGBps = rate('our relay, 10 KB chunks');
    console.log(JSON.stringify({
      relayGBps: round(relayGBps), directGBps: round(directGBps), relayRatio: round(relayGBps / directGBps, 2),
      kamailioGBps: round(kamailioGBps), oursAt10KBGBps: round(oursAt10KBGBps), vsKamailio: round(oursAt10KBGBps / kamailioGBps, 2),
    }));
  } finally {
    await stopPeers([relay, a, b]);
    await kamailio?.stop();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
