/**
 * The session's screenRequest hook against a raw peer: what it is given (the
 * head and the start of a message's first chunk, bounded), the code it
 * answers instead of 200 under each Failure-Report (RFC 4975 §7.1.4), and the
 * refused message: never emitted, its state freed, its later chunks 413.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Chunk } from '../../src/protocol/chunk.ts';
import type { IncompleteMessage, ReceivedMessage, ScreenRequest } from '../../src/session.ts';
import { SCREEN_BYTES, ScreenBuffer } from '../../src/session/screen.ts';
import { collect, errorOf, next, pattern, rawPeer, type SessionRawPeer } from './helpers.ts';
import type { IncomingStream } from '../../src/session/incoming-stream.ts';

const isResponse = (tid: string) => (c: Chunk) => c.isResponse && c.transactionId === tid;

function send(messageId: string, range: string, extra: Array<[string, string]> = []): Array<[string, string]> {
  return [['Message-ID', messageId], ['Byte-Range', range], ...extra, ['Content-Type', 'text/plain']];
}

/** A hook refusing bodies that start with "spam" with 415, and recording what it was given. */
function spamFilter(): { hook: ScreenRequest; calls: Array<{ messageId: string | undefined; body: string }> } {
  const calls: Array<{ messageId: string | undefined; body: string }> = [];
  const hook: ScreenRequest = (chunk, body) => {
    calls.push({ messageId: chunk.messageId, body: body.toString('latin1') });
    return body.subarray(0, 4).toString() === 'spam' ? { code: 415, comment: 'no spam here' } : null;
  };
  return { hook, calls };
}

/** Messages the session emits, in order (each before its last chunk's response is written). */
function messages(peer: SessionRawPeer): ReceivedMessage[] {
  const out: ReceivedMessage[] = [];
  peer.session.on('message', (m) => out.push(m));
  return out;
}

const hook = suite('session: screenRequest answers a message\'s first chunk');

hook('a whole message refused: its code and comment instead of 200, no message, incomplete as refused', async () => {
  const { hook: screenRequest, calls } = spamFilter();
  const peer = await rawPeer({ session: { screenRequest } });
  try {
    const got = messages(peer);
    const incomplete = next<IncompleteMessage>(peer.session, 'incomplete');
    const t1 = peer.request({ headers: send('s1abcd', '1-9/9', [['Success-Report', 'yes']]), body: 'spam spam' });
    const r1 = await peer.next(isResponse(t1));
    assert.equal([r1.code, r1.comment], [415, 'no spam here']);
    assert.equal([(await incomplete).messageId, (await incomplete).reason], ['s1abcd', 'refused']);
    assert.is(peer.session.receivingMessages, 0);
    // the hook lets the next one in: it is answered 200 and delivered, after the refused one
    const t2 = peer.request({ headers: send('s2abcd', '1-5/5'), body: 'hello' });
    assert.is((await peer.next(isResponse(t2))).code, 200);
    assert.equal(got.map((m) => m.messageId), ['s2abcd']);
    assert.equal(calls, [{ messageId: 's1abcd', body: 'spam spam' }, { messageId: 's2abcd', body: 'hello' }]);
    assert.not.ok(peer.received.some((c) => c.method === 'REPORT'), 'no success REPORT for a refused message');
  } finally {
    peer.close();
  }
});

hook('a message in several chunks: screened on its first chunk only; refused, the rest gets 413 and holds nothing', async () => {
  const { hook: screenRequest, calls } = spamFilter();
  const peer = await rawPeer({ session: { screenRequest } });
  try {
    const got = messages(peer);
    const t1 = peer.request({ headers: send('m1abcd', '1-8/16'), body: 'spamspam', flag: '+' });
    assert.is((await peer.next(isResponse(t1))).code, 415);
    assert.is(peer.session.receivingMessages, 0);
    const t2 = peer.request({ headers: send('m1abcd', '9-16/16'), body: 'eggs+ham' });
    assert.is((await peer.next(isResponse(t2))).code, 413);
    assert.is(peer.session.receivingMessages, 0);
    // a message let in on its first chunk is not asked about again
    const t3 = peer.request({ headers: send('m2abcd', '1-4/8'), body: 'good', flag: '+' });
    const t4 = peer.request({ headers: send('m2abcd', '5-8/8'), body: 'spam' });
    assert.equal([(await peer.next(isResponse(t3))).code, (await peer.next(isResponse(t4))).code], [200, 200]);
    assert.is(got[0].body.toString(), 'goodspam');
    assert.equal(calls.map((c) => c.body), ['spamspam', 'good']);
  } finally {
    peer.close();
  }
});

hook('Failure-Report no: nothing is answered, the message is still refused; partial: the error is sent', async () => {
  const { hook: screenRequest } = spamFilter();
  const peer = await rawPeer({ session: { screenRequest } });
  try {
    const got = messages(peer);
    const silent = peer.request({ headers: send('f1abcd', '1-4/4', [['Failure-Report', 'no']]), body: 'spam' });
    const partial = peer.request({ headers: send('f2abcd', '1-4/4', [['Failure-Report', 'partial']]), body: 'spam' });
    assert.is((await peer.next(isResponse(partial))).code, 415);
    // responses go out in order: had the first chunk been answered, it would be here by now
    assert.not.ok(peer.received.some(isResponse(silent)));
    const t = peer.request({ headers: send('f3abcd', '1-2/2'), body: 'ok' });
    assert.is((await peer.next(isResponse(t))).code, 200);
    assert.equal(got.map((m) => m.messageId), ['f3abcd']);
  } finally {
    peer.close();
  }
});

hook('a large message refused on its first chunk: its incoming stream fails, nothing more is held', async () => {
  const { hook: screenRequest, calls } = spamFilter();
  const peer = await rawPeer({ session: { screenRequest, inlineLimit: 1000 } });
  try {
    const incoming = next<IncomingStream>(peer.session, 'incoming');
    const body = Buffer.concat([Buffer.from('spam'), pattern(0, SCREEN_BYTES + 1000)]);
    const t = peer.request({ headers: send('l1abcd', `1-*/${body.length * 2}`), body, flag: '+' });
    const failure = errorOf(collect(await incoming));
    assert.is((await peer.next(isResponse(t))).code, 415);
    assert.ok(await failure, 'the stream ends in an error');
    assert.is(peer.session.receivingMessages, 0);
    // the hook saw the start of the chunk, SCREEN_BYTES octets of it
    assert.is(calls[0].body.length, SCREEN_BYTES);
    assert.ok(Buffer.from(calls[0].body, 'latin1').equals(body.subarray(0, SCREEN_BYTES)));
  } finally {
    peer.close();
  }
});

const buffer = suite('ScreenBuffer');

buffer('keeps copies of the first SCREEN_BYTES octets, then is empty again', () => {
  const kept = new ScreenBuffer();
  const piece = Buffer.alloc(SCREEN_BYTES - 10, 0x61);
  kept.add(piece);
  kept.add(Buffer.from('0123456789abcdef'));
  piece.fill(0x62);
  const body = kept.take();
  assert.is(body.length, SCREEN_BYTES);
  assert.is(body.subarray(SCREEN_BYTES - 12).toString(), 'aa0123456789');
  assert.is(kept.take().length, 0);
});

hook.run();
buffer.run();
