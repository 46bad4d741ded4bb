/**
 * One side of a bench:transfer case, run as a child process (node --import
 * tsx). The parent (bench/transfer.bench.ts) drives it over IPC:
 *
 *   parent -> child  {type:'setup', ...Setup}
 *   raw:  child -> parent {type:'listening', port}         (listening side)
 *         parent -> child {type:'connect', port}           (connecting side)
 *   msrp: child -> parent {type:'prepared', path}          (both: prepare() of
 *         parent -> child {type:'complete', path}           ConnectorDirect / AcceptorDirect)
 *   child  -> parent {type:'ready'}                        (connected, session up)
 *   parent -> sender {type:'go'}
 *   child  -> parent {type:'result', ...Result}            (receiver: octets and time; chat sender: its rate)
 *
 * Kinds: `raw` is the baseline, the same octets through a plain socket (net
 * or tls) whose receiver drops 'data' events; `msrp` is one message through
 * MsrpSession over a connection made by the connect module, the receiver
 * reading its 'incoming' stream ('data' events, or borrowed views) and
 * dropping the data after checking each piece's ends; `chat` is `count`
 * small messages pipelined through one session, each answered 200.
 */
import net from 'node:net';
import tls from 'node:tls';
import { MsrpSession } from '../../src/session.ts';
import type { ByteStream, MsrpTransport } from '../../src/transport.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { AcceptorDirect, certificateFingerprint, ConnectorDirect } from '../../src/connect/index.ts';
import type { IncomingStream } from '../../src/session/incoming-stream.ts';
import { pattern, patternStream } from '../../test/session/helpers.ts';

/** What the parent asks of one side. */
export interface Setup {
  role: 'send' | 'recv';
  kind: 'raw' | 'msrp' | 'chat';
  /** this side listens (else it connects) */
  listen: boolean;
  tls: { cert: string; key: string } | null;
  /** octets of the message (raw/msrp) */
  size: number;
  /** messages (chat) */
  count: number;
  /** octets per chat message */
  chatSize: number;
  /**
   * msrp receiver: `readable` takes the 'incoming' stream's 'data' events;
   * `borrow` takes views through IncomingStream.borrow (no Readable, no copy)
   */
  consumer: 'readable' | 'borrow';
}

/** What a side reports. */
export interface Result {
  bytes: number;
  /** ms from the first octet received to the last (receiver), or from the first send to the last 200 (chat sender) */
  ms: number;
  messages: number;
  /** how the sender's message(s) ended */
  status: string;
  rssPeak: number;
  /** CPU ms (user + system) this process spent from its first octet (or send) to the end */
  cpuMs: number;
}

const PIECE = 1 << 20;
/**
 * Chat messages waiting for their 200 at most, topped up CHAT_REFILL at a
 * time. Each message's objects live from its send to its 200: with 1024 in
 * flight that is about 4 ms, well inside V8's scavenge interval (about 20 ms
 * here), so they die young; with 8192 (about 55 ms) every message's objects
 * were promoted to the old generation and the sender spent a third of its
 * time collecting them.
 */
const CHAT_WINDOW = 1024;
const CHAT_REFILL = 256;

let setup: Setup;
let socket: ByteStream & net.Socket;
let session: MsrpSession | null = null;
let rssPeak = 0;
const rssTimer = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage.rss()); }, 50);
rssTimer.unref();

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

let endpoint: ConnectorDirect | AcceptorDirect | null = null;

process.on('message', (m: { type: string; port?: number; path?: string[] } & Setup) => {
  if (m.type === 'setup') {
    setup = m;
    if (setup.kind !== 'raw') void prepare();
    else if (setup.listen) listen();
  } else if (m.type === 'connect') {
    connect(m.port as number);
  } else if (m.type === 'complete') {
    void complete(m.path as string[]);
  } else if (m.type === 'go') {
    void go();
  } else if (m.type === 'exit') {
    process.exit(0);
  }
});

/** MSRP cases: the connect module makes the connection (the listening side passive, RFC 6135). */
async function prepare(): Promise<void> {
  const host = '127.0.0.1';
  const tlsOptions = setup.tls === null ? undefined : setup.listen ? { cert: setup.tls.cert, key: setup.tls.key }
    // the certificate is pinned by its fingerprint, as SDP a=fingerprint would carry it (RFC 8122)
    : { fingerprint: certificateFingerprint(setup.tls.cert) };
  endpoint = setup.listen ? new AcceptorDirect({ host, tls: tlsOptions }) : new ConnectorDirect({ host, tls: tlsOptions, pool: null });
  const path = await endpoint.prepare();
  send({ type: 'prepared', path: path.map(String) });
}

async function complete(path: string[]): Promise<void> {
  const transport: MsrpTransport = await (endpoint as ConnectorDirect).complete(path.map((u) => MsrpUri.parse(u)));
  socket = transport.connection.stream as ByteStream & net.Socket;
  session = new MsrpSession(transport, { keepalive: 0, maxPendingMessages: CHAT_WINDOW * 2 });
  if (setup.role === 'recv') receive();
  send({ type: 'ready' });
}

function listen(): void {
  const onSocket = (s: net.Socket): void => {
    server.close();
    connected(s);
  };
  const server = setup.tls !== null
    ? tls.createServer({ cert: setup.tls.cert, key: setup.tls.key }, onSocket)
    : net.createServer(onSocket);
  server.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (server.address() as net.AddressInfo).port }));
}

function connect(port: number): void {
  const s = setup.tls !== null
    ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => connected(s))
    : net.connect(port, '127.0.0.1', () => connected(s));
}

/** Raw cases: a plain socket. */
function connected(s: net.Socket): void {
  socket = s as ByteStream & net.Socket;
  s.on('error', () => {});
  if (setup.role === 'recv') receive();
  send({ type: 'ready' });
}

/** CPU use at the start of the timed part */
let cpuStart: NodeJS.CpuUsage | null = null;

function startClock(): number {
  cpuStart = process.cpuUsage();
  return performance.now();
}

function result(r: Omit<Result, 'rssPeak' | 'cpuMs'>): void {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  const cpu = process.cpuUsage(cpuStart ?? undefined);
  send({ type: 'result', ...r, rssPeak, cpuMs: (cpu.user + cpu.system) / 1000 });
}

function receive(): void {
  let first = 0;
  let bytes = 0;
  if (setup.kind === 'raw') {
    socket.on('data', (d: Buffer) => {
      if (bytes === 0) first = startClock();
      bytes += d.length;
      if (bytes >= setup.size) result({ bytes, ms: performance.now() - first, messages: 1, status: 'received' });
    });
    return;
  }
  const s = session as MsrpSession;
  if (setup.kind === 'chat') {
    let messages = 0;
    s.on('message', () => { messages++; });
    return;
  }
  let wrong = 0;
  // every piece's first and last octets are checked against the pattern (octet i is i mod 251): a
  // misplaced, repeated or overwritten piece shows, for a cost the data rate does not feel
  const take = (d: Buffer): void => {
    if (d.length > 0 && (d[0] !== bytes % 251 || d[d.length - 1] !== (bytes + d.length - 1) % 251)) wrong++;
    bytes += d.length;
  };
  s.on('incoming', (stream: IncomingStream) => {
    first = startClock();
    if (setup.consumer === 'borrow') stream.borrow(take);
    else stream.on('data', take);
    stream.on('end', () => result({ bytes, ms: performance.now() - first, messages: 1, status: wrong === 0 ? 'received' : `${wrong} pieces wrong` }));
    stream.on('error', (e) => result({ bytes, ms: performance.now() - first, messages: 0, status: `error ${e.message}` }));
  });
}

async function go(): Promise<void> {
  if (setup.kind === 'raw') {
    // the same octets as the msrp case: the test pattern in 1 MiB views of one buffer
    let at = 0;
    const pump = (): void => {
      while (at < setup.size) {
        const n = Math.min(PIECE, setup.size - at);
        const piece = pattern(at, n);
        at += n;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
    };
    pump();
    return;
  }
  const s = session as MsrpSession;
  if (setup.kind === 'msrp') {
    const cpu = process.cpuUsage();
    const outcome = await s.sendMessage(patternStream(setup.size, PIECE), 'application/octet-stream', { size: setup.size }).done;
    const used = process.cpuUsage(cpu);
    send({ type: 'sent', status: outcome.status, cpuMs: (used.user + used.system) / 1000 });
    return;
  }
  // chat: `count` messages pipelined, at most CHAT_WINDOW waiting for their 200
  const text = Buffer.alloc(setup.chatSize, 'x');
  let done = 0;
  let delivered = 0;
  const start = startClock();
  await new Promise<void>((resolve) => {
    let sent = 0;
    const settle = (o: { status: string }): void => {
      done++;
      if (o.status === 'delivered') delivered++;
      if (done === setup.count) resolve();
      // refill the window in batches, so each turn writes many chunks at once
      else if (sent - done <= CHAT_WINDOW - CHAT_REFILL) pump();
    };
    const failed = (): void => settle({ status: 'failed' });
    const pump = (): void => {
      while (sent < setup.count && sent - done < CHAT_WINDOW) {
        sent++;
        s.sendMessage(text, 'text/plain').done.then(settle, failed);
      }
    };
    pump();
  });
  result({ bytes: done * setup.chatSize, ms: performance.now() - start, messages: delivered, status: `${delivered} delivered` });
}
