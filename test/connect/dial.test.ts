/**
 * Dialed plain TCP connections read into the one buffer the process shares
 * (ConnectOptions.sharedReadBuffer): two sessions whose dialed connections
 * read there at the same time each receive a large message byte-exact, one
 * through a slow Readable consumer, one borrowing views, so each pauses its
 * connection while the other's reads overwrite the buffer. The same with
 * fresh Buffers per read (sharedReadBuffer: false).
 */
import { createHash, randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpSession } from '../../src/session.ts';
import type { IncomingStream } from '../../src/session/incoming-stream.ts';
import { next } from '../session/helpers.ts';
import { bindPair, type BoundPair } from './helpers.ts';

/** How the receiving side takes a message: a Readable read a piece per turn, or borrowed views with a pause every fourth. */
type Consumer = 'slow readable' | 'borrow';

/** Sends `body` from the passive end to the dialing end and resolves with the SHA-256 and size of what arrived. */
async function carry(pair: BoundPair, body: Buffer, consumer: Consumer): Promise<{ hash: string; octets: number }> {
  const from = new MsrpSession(pair.passive, { keepalive: 0 });
  // a small high-water mark: the slow consumer pauses the connection often
  const to = new MsrpSession(pair.active, { keepalive: 0, streamHighWaterMark: 16384 });
  const hash = createHash('sha256');
  let octets = 0;
  const take = (piece: Buffer): void => {
    hash.update(piece);
    octets += piece.length;
  };
  const incoming = next<IncomingStream>(to, 'incoming', 10_000);
  const sent = from.sendMessage(body, 'application/octet-stream');
  const stream = await incoming;
  const ended = next(stream, 'end', 60_000);
  if (consumer === 'borrow') {
    let views = 0;
    stream.borrow((view) => {
      take(view);
      if (++views % 4 !== 0) return true;
      setImmediate(() => stream.proceed());
      return false;
    });
  } else {
    stream.on('data', (piece: Buffer) => {
      take(piece);
      stream.pause();
      setImmediate(() => stream.resume());
    });
  }
  await ended;
  assert.is((await sent.done).status, 'delivered');
  return { hash: hash.digest('hex'), octets };
}

const shared = suite('dial: connections reading into the shared buffer');

for (const sharedReadBuffer of [true, false]) {
  shared(`two dialed sessions receive large messages at once, slow Readable and borrowed, byte-exact (sharedReadBuffer ${sharedReadBuffer})`, async () => {
    // chunks of 10000 octets: a read holds several, so a pause on a body segment leaves the rest of the read
    // (end-lines, heads, bodies) to be kept while the other connection reads into the same memory
    const pairs = await Promise.all([0, 1].map(() => bindPair('127.0.0.1', {
      connector: { sharedReadBuffer }, acceptor: { connection: { maxChunkSize: 10_000 } },
    })));
    try {
      // segments stop being retainable once a connection reads through push() (the shared buffer)
      const bodies = [randomBytes(6 << 20), randomBytes(5 << 20)];
      const [slow, borrowed] = await Promise.all([carry(pairs[0], bodies[0], 'slow readable'), carry(pairs[1], bodies[1], 'borrow')]);
      for (const pair of pairs) assert.is(pair.active.connection.segmentsRetainable, !sharedReadBuffer, 'read as configured');
      for (const [i, got] of [slow, borrowed].entries()) {
        assert.is(got.octets, bodies[i].length);
        assert.is(got.hash, createHash('sha256').update(bodies[i]).digest('hex'), `message ${i} byte-exact`);
      }
    } finally {
      for (const pair of pairs) pair.close();
    }
  });
}

shared.run();
