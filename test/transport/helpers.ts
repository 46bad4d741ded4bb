/**
 * Transport tests' plumbing: real sockets on a loopback address, an
 * MsrpConnection on one end and either another connection or a raw peer that
 * speaks MSRP by hand (to see and write exact wire bytes) on the other.
 */
import net from 'node:net';
import { once } from 'node:events';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { ChunkParser } from '../../src/protocol/chunk-parser.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { MsrpConnection, MsrpTransport, type ConnectionOptions, type MsrpTransportOptions } from '../../src/transport.ts';

/** An msrp URI with a fresh session id. */
export function uri(host: string, port: number, scheme = 'msrp'): MsrpUri {
  return MsrpUri.parse(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}/${randomIdent()};tcp`);
}

/** A connected socket pair over loopback: [connecting side, accepting side]. */
export async function socketPair(host = '127.0.0.1'): Promise<{ client: net.Socket; server: net.Socket; close(): void }> {
  const listener = net.createServer();
  listener.listen(0, host);
  await once(listener, 'listening');
  const port = (listener.address() as net.AddressInfo).port;
  const accepted = once(listener, 'connection');
  const client = net.connect(port, host);
  await once(client, 'connect');
  const [server] = (await accepted) as [net.Socket];
  listener.close();
  for (const s of [client, server]) s.on('error', () => {});
  return { client, server, close: () => { client.destroy(); server.destroy(); } };
}

/** Two transports over one TCP connection. */
export interface TransportPair {
  a: MsrpTransport;
  b: MsrpTransport;
  close(): void;
}

/** `a` on the connecting side, `b` on the accepting side. */
export async function transportPair(options: { host?: string; a?: ConnectionOptions; b?: ConnectionOptions;
  ta?: MsrpTransportOptions; tb?: MsrpTransportOptions } = {}): Promise<TransportPair> {
  const host = options.host ?? '127.0.0.1';
  const pair = await socketPair(host);
  const ua = uri(host, pair.client.localPort as number);
  const ub = uri(host, pair.server.localPort as number);
  const a = new MsrpTransport(new MsrpConnection(pair.client, options.a), ua, [ub], options.ta);
  const b = new MsrpTransport(new MsrpConnection(pair.server, options.b), ub, [ua], options.tb);
  return { a, b, close: pair.close };
}

/** A request a raw peer writes. */
export interface RawRequest {
  method?: string;
  transactionId?: string;
  /** headers after To-Path and From-Path */
  headers?: Array<[string, string]>;
  body?: Buffer | string;
  flag?: '$' | '+' | '#';
  toPath?: string;
  fromPath?: string;
}

/** A transport facing a raw peer. */
export interface RawPeer {
  transport: MsrpTransport;
  connection: MsrpConnection;
  socket: net.Socket;
  /** the transport's URI (To-Path of the peer's requests) */
  local: MsrpUri;
  /** the peer's URI */
  peer: MsrpUri;
  /** every chunk the transport wrote, in order */
  received: Chunk[];
  /** every octet the transport wrote */
  bytes(): Buffer;
  /** the next chunk matching `match` after the ones already taken, or a rejection after `ms` */
  next(match?: (c: Chunk) => boolean, ms?: number): Promise<Chunk>;
  /** the next chunk head (seen before its body) matching `match` */
  nextHead(match?: (c: Chunk) => boolean, ms?: number): Promise<Chunk>;
  /** true when no chunk matching `match` came within `ms` */
  none(match: (c: Chunk) => boolean, ms: number): Promise<boolean>;
  /** writes a request; returns its transaction id */
  request(init?: RawRequest): string;
  /** writes a response to `request` */
  respond(request: Chunk, code: number): void;
  write(bytes: Buffer | string): void;
  close(): void;
}

/** A transport (connecting side unless `accepting`) and a raw peer on the other end. */
export async function rawPeer(options: { host?: string; connection?: ConnectionOptions; transport?: MsrpTransportOptions;
  accepting?: boolean } = {}): Promise<RawPeer> {
  const host = options.host ?? '127.0.0.1';
  const pair = await socketPair(host);
  const [mine, theirs] = options.accepting ? [pair.server, pair.client] : [pair.client, pair.server];
  const local = uri(host, mine.localPort as number);
  const peer = uri(host, theirs.localPort as number);
  const connection = new MsrpConnection(mine, options.connection);
  const transport = new MsrpTransport(connection, local, [peer], options.transport);
  const received = watchList();
  const heads = watchList();
  const raw: Buffer[] = [];
  const parser = new ChunkParser({
    wholeChunkLimit: Number.POSITIVE_INFINITY,
    onHead: (c) => heads.add(c),
    onChunk: (c) => received.add(c),
  });
  theirs.on('data', (d: Buffer) => {
    raw.push(d);
    parser.push(d);
  });
  theirs.once('close', () => {
    received.close();
    heads.close();
  });
  const next = received.next;
  const write = (bytes: Buffer | string): void => {
    theirs.write(bytes);
  };
  return {
    transport, connection, socket: theirs, local, peer, received: received.items, next, nextHead: heads.next,
    bytes: () => Buffer.concat(raw),
    async none(match, ms) {
      try {
        await next(match, ms);
        return false;
      } catch {
        return true;
      }
    },
    request(init = {}) {
      const transactionId = init.transactionId ?? randomIdent();
      const body = typeof init.body === 'string' ? Buffer.from(init.body) : init.body;
      const chunk = new Chunk({
        transactionId, method: init.method ?? 'SEND', body, continuationFlag: init.flag ?? '$',
        headers: [['To-Path', init.toPath ?? local.toString()], ['From-Path', init.fromPath ?? peer.toString()], ...(init.headers ?? [])],
      });
      write(chunk.encode());
      return transactionId;
    },
    respond(request, code) {
      const response = new Chunk({
        transactionId: request.transactionId, code, comment: null,
        headers: [['To-Path', peer.toString()], ['From-Path', local.toString()]],
      });
      write(response.encode());
    },
    write,
    close: pair.close,
  };
}

/** A growing list of chunks and a way to wait for the next one matching a test. */
function watchList(): {
  items: Chunk[]; add(c: Chunk): void; next(match?: (c: Chunk) => boolean, ms?: number): Promise<Chunk>; close(): void;
} {
  const items: Chunk[] = [];
  let waiters: Array<() => void> = [];
  let cursor = 0;
  /** waits in progress, ended by close() so their timers do not hold the test process open */
  const pending = new Set<() => void>();
  let closed = false;
  return {
    items,
    add(c) {
      items.push(c);
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    },
    next: (match = () => true, ms = 5000) => new Promise((resolve, reject) => {
      let dead = false;
      const fail = (why: string): void => {
        dead = true;
        clearTimeout(timer);
        pending.delete(closing);
        reject(new Error(why));
      };
      const closing = (): void => fail('the peer socket closed');
      const timer = setTimeout(() => fail(`no matching chunk within ${ms} ms`), ms);
      pending.add(closing);
      const look = (): void => {
        if (dead) return;
        while (cursor < items.length) {
          const c = items[cursor++];
          if (match(c)) {
            clearTimeout(timer);
            pending.delete(closing);
            resolve(c);
            return;
          }
        }
        if (closed) closing();
        else waiters.push(look);
      };
      look();
    }),
    close() {
      closed = true;
      for (const f of [...pending]) f();
    },
  };
}

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A SEND's usual headers for a raw request: Message-ID, Byte-Range and, with a body, Content-Type. */
export function sendHeaders(body?: string | Buffer, extra: Array<[string, string]> = []): Array<[string, string]> {
  const n = body === undefined ? 0 : Buffer.byteLength(body);
  const h: Array<[string, string]> = [['Message-ID', randomIdent()], ['Byte-Range', `1-${n}/${n}`], ...extra];
  if (body !== undefined) h.push(['Content-Type', 'text/plain']);
  return h;
}
