/**
 * Transfer benchmark (`npm run bench:transfer`): MsrpSession between two
 * processes over loopback, against the same octets through a plain socket in
 * the same run.
 *
 * - tcp: 1 GiB as one message (sendMessage of a Readable, received as an
 *   'incoming' stream whose data is dropped), once with the receiver on the
 *   connecting side and once on the accepting side, each with the stream's
 *   'data' events and with borrowed views (IncomingStream.borrow); the
 *   baseline is the same 1 GiB written to a net.Socket whose 'data' events
 *   are dropped. A connecting receiver reads into the process's shared read
 *   buffer (ConnectOptions.sharedReadBuffer); an accepting one gets a fresh
 *   Buffer per read (a server's sockets take no `onread`);
 * - tls: the same over node:tls (a self-signed certificate made with
 *   `selfsigned` at start), against a plain TLS socket;
 * - chat: about 200-octet messages pipelined through one session, each
 *   answered by a 200 (the sender counts `delivered` outcomes).
 *
 * The MSRP cases connect through the connect module (AcceptorDirect on the
 * listening side, ConnectorDirect on the other; TLS pinned by fingerprint).
 * Each side runs in its own child process (bench/helpers/transfer-peer.ts);
 * the receiver times from its first octet to its last (and reports the CPU it
 * used meanwhile, a figure that holds up better on a busy machine). Every case runs
 * `--runs` times (default 3: the raw socket alone swings by a third from run to run) and keeps its best. GB = 10^9 octets. Prints a
 * table, then as the last line one JSON object:
 * {"tcpGBps", "rawTcpGBps", "tcpRatio", "tcpAcceptGBps", "tlsGBps", "rawTlsGBps", "tlsRatio", "chatPerSec"}
 * (tcpGBps, tcpAcceptGBps and tlsGBps: the faster receiving side with its faster consumer). `--quick`: 256 MiB and fewer chat messages;
 * `--only <text>`: just the cases whose name contains the text (no JSON).
 */
import { cpus } from 'node:os';
import { generate } from 'selfsigned';
import { type Case, type Measured, runTransferCase } from './helpers/peer-process.ts';

const quick = process.argv.includes('--quick');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const onlyArg = process.argv.indexOf('--only');
/** `--only <text>`: run just the cases whose name contains it (no JSON line then) */
const ONLY = onlyArg > 0 ? process.argv[onlyArg + 1] : null;
const SIZE = quick ? 256 * 2 ** 20 : 2 ** 30;
const CHAT_COUNT = quick ? 100_000 : 400_000;
const CHAT_SIZE = 200;

async function best(c: Case, cert: { cert: string; key: string } | null): Promise<Measured> {
  let top: Measured | null = null;
  for (let i = 0; i < RUNS; i++) {
    const m = await runTransferCase(c, { size: SIZE, count: CHAT_COUNT, chatSize: CHAT_SIZE, cert });
    if (c.kind !== 'chat' && (m.result.bytes !== SIZE || m.result.status !== 'received')) {
      throw new Error(`${c.name}: received ${m.result.bytes} of ${SIZE} octets (${m.result.status})`);
    }
    if (c.kind === 'chat' && m.result.messages !== CHAT_COUNT) throw new Error(`${c.name}: ${m.result.status} of ${CHAT_COUNT}`);
    if (top === null || m.result.ms < top.result.ms) top = m;
  }
  return top as Measured;
}

const gbps = (m: Measured): number => m.result.bytes / (m.result.ms / 1000) / 1e9;
const perSec = (m: Measured): number => m.result.messages / (m.result.ms / 1000);
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

async function main(): Promise<void> {
  const made = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
  const cert = { cert: made.cert, key: made.private };
  console.log(`bench:transfer  node ${process.version}  ${cpus()[0]?.model ?? '?'} x${cpus().length}  ${SIZE / 2 ** 20} MiB  best of ${RUNS}`);
  const cases: Case[] = [
    { name: 'raw tcp, receiver connects', kind: 'raw', tls: false, receiverConnects: true },
    { name: 'raw tcp, receiver accepts', kind: 'raw', tls: false, receiverConnects: false },
    { name: 'msrp tcp, receiver connects', kind: 'msrp', tls: false, receiverConnects: true },
    { name: 'msrp tcp, receiver accepts', kind: 'msrp', tls: false, receiverConnects: false },
    { name: 'msrp tcp, receiver connects, borrow', kind: 'msrp', tls: false, receiverConnects: true, consumer: 'borrow' },
    { name: 'msrp tcp, receiver accepts, borrow', kind: 'msrp', tls: false, receiverConnects: false, consumer: 'borrow' },
    { name: 'raw tls, receiver connects', kind: 'raw', tls: true, receiverConnects: true },
    { name: 'raw tls, receiver accepts', kind: 'raw', tls: true, receiverConnects: false },
    { name: 'msrp tls, receiver connects', kind: 'msrp', tls: true, receiverConnects: true },
    { name: 'msrp tls, receiver accepts', kind: 'msrp', tls: true, receiverConnects: false },
    { name: 'msrp tls, receiver connects, borrow', kind: 'msrp', tls: true, receiverConnects: true, consumer: 'borrow' },
    { name: 'msrp tls, receiver accepts, borrow', kind: 'msrp', tls: true, receiverConnects: false, consumer: 'borrow' },
    { name: `chat ${CHAT_SIZE} B, pipelined`, kind: 'chat', tls: false, receiverConnects: true },
  ];
  const results = new Map<string, Measured>();
  for (const c of cases) {
    if (ONLY !== null && !c.name.includes(ONLY)) continue;
    const m = await best(c, cert);
    results.set(c.name, m);
    const rate = c.kind === 'chat' ? `${Math.round(perSec(m)).toLocaleString('en')} msg/s` : `${gbps(m).toFixed(3)} GB/s`;
    const who = c.kind === 'chat' ? 'sender' : 'receiver';
    const sender = m.senderCpuMs === undefined ? '' : `  sender CPU ${m.senderCpuMs.toFixed(0).padStart(5)} ms`;
    console.log(`${c.name.padEnd(32)} ${rate.padStart(16)}  ${m.result.ms.toFixed(0).padStart(6)} ms  ${who} CPU ${m.result.cpuMs.toFixed(0).padStart(5)} ms${sender}  RSS ${(m.result.rssPeak / 2 ** 20).toFixed(0)} MiB`);
  }
  if (ONLY !== null) return;
  const g = (name: string): number => gbps(results.get(name) as Measured);
  const rawTcp = Math.max(g('raw tcp, receiver connects'), g('raw tcp, receiver accepts'));
  // each receiving side at its faster consumer ('data' events or borrowed views; both rows above)
  const side = (name: string): number => Math.max(g(name), g(`${name}, borrow`));
  const tcpConnect = side('msrp tcp, receiver connects');
  const tcpAccept = side('msrp tcp, receiver accepts');
  const tcp = Math.max(tcpConnect, tcpAccept);
  const rawTls = Math.max(g('raw tls, receiver connects'), g('raw tls, receiver accepts'));
  const tls = Math.max(side('msrp tls, receiver connects'), side('msrp tls, receiver accepts'));
  const chat = perSec(results.get(`chat ${CHAT_SIZE} B, pipelined`) as Measured);
  const row = (label: string, x: number, base: number): void => console.log(`| ${label} | ${x.toFixed(3)} | ${(x / base).toFixed(2)} |`);
  console.log('');
  console.log('| case | GB/s | vs raw |');
  console.log('| --- | ---: | ---: |');
  row('raw tcp (faster side)', rawTcp, rawTcp);
  for (const name of ['msrp tcp, receiver connects', 'msrp tcp, receiver accepts']) {
    row(`${name}, 'data' events`, g(name), rawTcp);
    row(`${name}, borrowed views`, g(`${name}, borrow`), rawTcp);
  }
  row('raw tls (faster side)', rawTls, rawTls);
  row(`msrp tls (faster side), 'data' events`, Math.max(g('msrp tls, receiver connects'), g('msrp tls, receiver accepts')), rawTls);
  row('msrp tls (faster side), borrowed views', Math.max(g('msrp tls, receiver connects, borrow'), g('msrp tls, receiver accepts, borrow')), rawTls);
  console.log(`| chat, ${CHAT_SIZE} B messages each answered 200 | ${Math.round(chat).toLocaleString('en')} msg/s | |`);
  console.log(JSON.stringify({
    tcpGBps: round(tcp), rawTcpGBps: round(rawTcp), tcpRatio: round(tcp / rawTcp), tcpAcceptGBps: round(tcpAccept),
    tlsGBps: round(tls), rawTlsGBps: round(rawTls), tlsRatio: round(tls / rawTls), chatPerSec: Math.round(chat),
  }));
}

await main();
