/**
 * One side of a bench:streams case, run as a child process (node --import
 * tsx) and driven over IPC by bench/streams.bench.ts:
 *
 *   parent -> child  {type:'setup', ...StreamSetup}
 *   child  -> parent {type:'offer', sdp}                  (the offerer)
 *   parent -> child  {type:'answer-offer', sdp}           (the answerer)
 *   child  -> parent {type:'answer', sdp}
 *   parent -> child  {type:'start', sdp}                  (both: the other side's SDP)
 *   child  -> parent {type:'ready'}
 *   parent -> child  {type:'go'}                          (chat pinger)
 *   child  -> parent {type:'result', ...StreamResult}     (file receiver, chat pinger)
 *   child  -> parent {type:'sent', status, cpuMs}         (file sender)
 *   parent -> child  {type:'rss'} / child -> parent {type:'rss', rssPeak}
 *
 * Kinds: `file` is a FileTransferStream push (the sender offers; the
 * receiver times from its start to `finished`, size and sha-1 checked);
 * `chat` is two ChatStreams, the pinger sending one message at a time and
 * timing until the echo comes back.
 */
import { ChatStream, type IncomingChatMessage } from '../../src/streams/chat.ts';
import { FileTransferStream } from '../../src/streams/file-transfer.ts';
import { formatSdp } from '../../src/streams/sdp.ts';
import type { MsrpStreamBase, StreamEvents } from '../../src/streams/stream-base.ts';

/** What the parent asks of one side. */
export interface StreamSetup {
  kind: 'file' | 'chat';
  /** file: `send` or `recv`; chat: `ping` or `echo` */
  role: 'send' | 'recv' | 'ping' | 'echo';
  offerer: boolean;
  /** the file to send */
  file?: string;
  /** where the receiver writes */
  dir?: string;
  /** chat: round trips timed, after `warmup` untimed ones */
  count?: number;
  warmup?: number;
}

/** What a side reports. */
export interface StreamResult {
  /** file: octets received */
  bytes: number;
  /** file: ms from start to finished */
  ms: number;
  /** chat: round-trip times, ms */
  rtts: number[];
  /** CPU ms (user + system, every thread) since the stream started */
  cpuMs: number;
  status: string;
  rssPeak: number;
}

let setup: StreamSetup;
let stream: MsrpStreamBase<StreamEvents> | null = null;
let rssPeak = 0;
const rssTimer = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage.rss()); }, 50);
rssTimer.unref();

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

const common = { host: '127.0.0.1', connect: { pool: null }, session: { keepalive: 0 } };

function make(): MsrpStreamBase<StreamEvents> {
  if (setup.kind === 'file') {
    return (setup.role === 'send'
      ? new FileTransferStream({ ...common, file: { path: setup.file as string } })
      : new FileTransferStream({ ...common, destination: setup.dir as string })) as unknown as MsrpStreamBase<StreamEvents>;
  }
  const [local, remote] = setup.role === 'ping' ? ['sip:ping@example.com', 'sip:echo@example.com'] : ['sip:echo@example.com', 'sip:ping@example.com'];
  return new ChatStream({ ...common, localIdentity: local, remoteIdentity: remote }) as unknown as MsrpStreamBase<StreamEvents>;
}

process.on('message', (m: { type: string; sdp?: string } & StreamSetup) => {
  if (m.type === 'setup') {
    setup = m;
    stream = make();
    wire();
    if (setup.offerer) void stream.initialize().then((media) => send({ type: 'offer', sdp: formatSdp([media]) }));
  } else if (m.type === 'answer-offer') {
    void stream!.initialize(m.sdp).then((media) => send({ type: 'answer', sdp: formatSdp([media]) }));
  } else if (m.type === 'start') {
    void stream!.start(m.sdp as string);
  } else if (m.type === 'go') {
    void ping();
  } else if (m.type === 'rss') {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    send({ type: 'rss', rssPeak });
  } else if (m.type === 'exit') {
    process.exit(0);
  }
});

let cpuAtStart = process.cpuUsage();

function cpuMs(): number {
  const c = process.cpuUsage(cpuAtStart);
  return (c.user + c.system) / 1000;
}

function result(r: Omit<StreamResult, 'rssPeak' | 'cpuMs'>): void {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  send({ type: 'result', ...r, rssPeak, cpuMs: cpuMs() });
}

function wire(): void {
  const s = stream as unknown as FileTransferStream & ChatStream;
  let started = 0;
  s.on('didStart', () => {
    started = performance.now();
    cpuAtStart = process.cpuUsage();
    send({ type: 'ready' });
  });
  if (setup.kind === 'file') {
    s.on('finished', (info: { size: number | null }) => {
      if (setup.role === 'send') send({ type: 'sent', status: 'finished', cpuMs: cpuMs() });
      else result({ bytes: info.size ?? 0, ms: performance.now() - started, rtts: [], status: 'finished' });
    });
    s.on('failed', (info: { reason: string }) => {
      if (setup.role === 'send') send({ type: 'sent', status: `failed: ${info.reason}` });
      else result({ bytes: 0, ms: 0, rtts: [], status: `failed: ${info.reason}` });
    });
  } else if (setup.role === 'echo') {
    s.on('message', (m: IncomingChatMessage) => { s.sendMessage(m.content as string); });
  }
}

/** Sequential round trips: each message waits for the echo of the one before. */
async function ping(): Promise<void> {
  const chat = stream as unknown as ChatStream;
  const text = 'x'.repeat(100);
  let resolve: (() => void) | null = null;
  chat.on('message', () => resolve?.());
  const rtts: number[] = [];
  const total = (setup.warmup ?? 0) + (setup.count ?? 0);
  for (let i = 0; i < total; i++) {
    const back = new Promise<void>((r) => { resolve = r; });
    const t0 = performance.now();
    chat.sendMessage(text);
    await back;
    if (i >= (setup.warmup ?? 0)) rtts.push(performance.now() - t0);
  }
  result({ bytes: 0, ms: 0, rtts, status: `${rtts.length} round trips` });
}
