/**
 * Session tests' plumbing: two MsrpSessions over a real TCP connection on a
 * loopback address, built from the transport layer directly (a listening
 * socket, a connecting socket, one MsrpConnection and one MsrpTransport each).
 */
import net from 'node:net';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { MsrpSession, type MsrpSessionOptions } from '../../src/session.ts';
import { MsrpConnection, MsrpTransport, type ConnectionOptions, type MsrpTransportOptions } from '../../src/transport.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { randomIdent } from '../../src/protocol/chunk.ts';

/** Two sessions, `a` on the connecting side and `b` on the accepting side. */
export interface SessionPair {
  a: MsrpSession;
  b: MsrpSession;
  sockets: { a: net.Socket; b: net.Socket };
  /** closes both sessions and the listener */
  close(): Promise<void>;
}

/** Options of sessionPair. */
export interface PairOptions {
  host?: string;
  a?: MsrpSessionOptions;
  b?: MsrpSessionOptions;
  connection?: ConnectionOptions;
  aConnection?: ConnectionOptions;
  bConnection?: ConnectionOptions;
  transport?: MsrpTransportOptions;
}

/** An msrp URI with a fresh session id. */
export function uriFor(host: string, port: number): MsrpUri {
  const h = host.includes(':') ? `[${host}]` : host;
  return MsrpUri.parse(`msrp://${h}:${port}/${randomIdent()};tcp`);
}

/** A socket pair over loopback: [connecting side, accepting side]. */
export async function socketPair(host = '127.0.0.1'): Promise<{ client: net.Socket; server: net.Socket; listener: net.Server }> {
  const listener = net.createServer();
  listener.listen(0, host);
  await once(listener, 'listening');
  const port = (listener.address() as net.AddressInfo).port;
  const accepted = once(listener, 'connection');
  const client = net.connect(port, host);
  await once(client, 'connect');
  const [server] = (await accepted) as [net.Socket];
  return { client, server, listener };
}

/** Two sessions over one fresh TCP connection. */
export async function sessionPair(options: PairOptions = {}): Promise<SessionPair> {
  const host = options.host ?? '127.0.0.1';
  const { client, server, listener } = await socketPair(host);
  const uriA = uriFor(host, client.localPort as number);
  const uriB = uriFor(host, server.localPort as number);
  const connA = new MsrpConnection(client, { ...options.connection, ...options.aConnection });
  const connB = new MsrpConnection(server, { ...options.connection, ...options.bConnection });
  const a = new MsrpSession(new MsrpTransport(connA, uriA, [uriB], options.transport), { keepalive: 0, ...options.a });
  const b = new MsrpSession(new MsrpTransport(connB, uriB, [uriA], options.transport), { keepalive: 0, ...options.b });
  return {
    a, b, sockets: { a: client, b: server },
    async close() {
      a.close();
      b.close();
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

/** The next `event` of `emitter` with its first argument. */
export async function next<T>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  const [value] = await once(emitter, event);
  return value as T;
}

/** Collects a Readable into one Buffer. */
export async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** A Readable of `size` octets (a repeating pattern), in pieces of `piece` octets, without holding them all. */
export function patternStream(size: number, piece = 65536): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(piece, size - sent);
      this.push(pattern(sent, n));
      sent += n;
    },
  });
}

/** `n` octets of the test pattern starting at message offset `offset` (octet i is i mod 251). */
export function pattern(offset: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (offset + i) % 251;
  return b;
}

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
