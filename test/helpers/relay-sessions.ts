/**
 * What the relay client tests check on two bound sessions: a chat message
 * each way, and a large message moved byte-exact (SHA-256 at both ends).
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as assert from 'uvu/assert';
import type { MsrpUri } from '../../src/protocol/uri.ts';
import { MsrpSession, type IncomingStream, type ReceivedMessage } from '../../src/session.ts';
import type { MsrpTransport } from '../../src/transport.ts';

/** Sends `text` from `from` and checks that `to` gets it whole. */
export async function chatTo(from: MsrpSession, to: MsrpSession, text: string): Promise<void> {
  const received = once(to, 'message');
  await from.sendMessage(text).done;
  assert.is(String(((await received)[0] as ReceivedMessage).body), text);
}

/** A chat message A -> B, then one B -> A. */
export async function chatBothWays(a: MsrpSession, b: MsrpSession): Promise<void> {
  await chatTo(a, b, 'hello B, through the relay');
  await chatTo(b, a, 'hello A, äöü ✓');
}

/** Sends `size` random octets from `from`; `to` reads them as a stream; counts and SHA-256 must match. */
export async function sendAndCompare(from: MsrpSession, to: MsrpSession, size = 5 * 1024 * 1024): Promise<void> {
  const data = randomBytes(size);
  const incoming = once(to, 'incoming');
  const sent = from.sendMessage(data, 'application/octet-stream');
  const hash = createHash('sha256');
  let octets = 0;
  for await (const piece of (await incoming)[0] as IncomingStream) {
    hash.update(piece as Buffer);
    octets += (piece as Buffer).length;
  }
  await sent.done;
  assert.is(octets, data.length);
  assert.is(hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
}

/** A chat message and a large message each way. */
export async function exchangeBothWays(a: MsrpSession, b: MsrpSession): Promise<void> {
  await chatBothWays(a, b);
  await sendAndCompare(a, b);
  await sendAndCompare(b, a);
}

/** What completes a connection setup: a connector or an acceptor after prepare(). */
interface Completer {
  complete(remotePath: MsrpUri[]): Promise<MsrpTransport>;
}

/**
 * Completes `a` toward `pathB` and `b` toward `pathA` (each end's prepared
 * path), runs `check` on sessions over the two transports, then closes them.
 */
export async function withBoundSessions(a: Completer, pathA: MsrpUri[], b: Completer, pathB: MsrpUri[],
  check: (a: MsrpSession, b: MsrpSession) => Promise<void>): Promise<void> {
  const [ta, tb] = await Promise.all([a.complete(pathB), b.complete(pathA)]);
  const sessions = [new MsrpSession(ta, { keepalive: 0 }), new MsrpSession(tb, { keepalive: 0 })];
  try {
    await check(sessions[0], sessions[1]);
  } finally {
    for (const s of sessions) s.close();
  }
}
