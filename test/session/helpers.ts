/**
 * Session tests' plumbing: two MsrpSessions over a real TCP connection on a
 * loopback address, built from the transport layer directly (one
 * MsrpConnection and one MsrpTransport each), or a session facing the
 * transport tests' raw peer.
 */
import type net from 'node:net';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { MsrpSession, type MsrpSessionOptions } from '../../src/session.ts';
import { MsrpConnection, MsrpTransport, type ConnectionOptions, type MsrpTransportOptions } from '../../src/transport.ts';
import { rawPeer as transportRawPeer, socketPair, uri, type RawPeer } from '../transport/helpers.ts';

export { delay } from '../transport/helpers.ts';

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

/** Two sessions over one fresh TCP connection. */
export async function sessionPair(options: PairOptions = {}): Promise<SessionPair> {
  const host = options.host ?? '127.0.0.1';
  const { client, server, close } = await socketPair(host);
  const uriA = uri(host, client.localPort as number);
  const uriB = uri(host, server.localPort as number);
  const connA = new MsrpConnection(client, { ...options.connection, ...options.aConnection });
  const connB = new MsrpConnection(server, { ...options.connection, ...options.bConnection });
  const a = new MsrpSession(new MsrpTransport(connA, uriA, [uriB], options.transport), { keepalive: 0, ...options.a });
  const b = new MsrpSession(new MsrpTransport(connB, uriB, [uriA], options.transport), { keepalive: 0, ...options.b });
  return {
    a, b, sockets: { a: client, b: server },
    async close() {
      a.close();
      b.close();
      close();
    },
  };
}

/**
 * The next `event` of `emitter` with its first argument; with `ms`, a
 * rejection when none came by then (an event that never comes fails the test
 * instead of hanging it).
 */
export async function next<T>(emitter: NodeJS.EventEmitter, event: string, ms?: number): Promise<T> {
  const [value] = await once(emitter, event, ms === undefined ? {} : { signal: AbortSignal.timeout(ms) });
  return value as T;
}

/** The error `promise` rejects with (null when it resolves), with its handler attached at once. */
export function errorOf(promise: Promise<unknown>): Promise<(Error & { code?: string }) | null> {
  return promise.then(() => null, (e: Error & { code?: string }) => e);
}

/** Collects a Readable into one Buffer. */
export async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * A Readable of `size` octets of the test pattern in pieces of `piece` octets
 * (at most 1 MiB: views of one shared buffer, so nothing is allocated per piece).
 */
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

/** `n` octets of the test pattern from message offset `offset` (octet i is i mod 251); read-only. */
export function pattern(offset: number, n: number): Buffer {
  const start = offset % 251;
  // a view of the shared pattern, not a copy: nothing writes into it
  if (start + n <= PATTERN_BASE.length) return PATTERN_BASE.subarray(start, start + n);
  const b = Buffer.allocUnsafe(n);
  for (let at = 0; at < n;) {
    const s = (offset + at) % 251;
    at += PATTERN_BASE.copy(b, at, s, Math.min(PATTERN_BASE.length, s + n - at));
  }
  return b;
}

/** 251 + 1 MiB octets of the pattern, copied from to make pieces fast. */
const PATTERN_BASE = (() => {
  const b = Buffer.allocUnsafe(251 + (1 << 20));
  for (let i = 0; i < b.length; i++) b[i] = i % 251;
  return b;
})();

/** A session facing a raw peer that speaks MSRP by hand (test/transport/helpers.ts), to check exact wire behaviour. */
export interface SessionRawPeer extends RawPeer {
  session: MsrpSession;
}

/** A session (on the accepting side unless `connecting`) and a raw peer on a loopback connection. */
export async function rawPeer(options: { host?: string; session?: MsrpSessionOptions; connection?: ConnectionOptions;
  connecting?: boolean; transport?: MsrpTransportOptions } = {}): Promise<SessionRawPeer> {
  const peer = await transportRawPeer({
    host: options.host, connection: options.connection, transport: options.transport, accepting: !options.connecting,
  });
  const session = new MsrpSession(peer.transport, { keepalive: 0, ...options.session });
  return {
    ...peer, session,
    close() {
      session.close();
      peer.close();
    },
  };
}
