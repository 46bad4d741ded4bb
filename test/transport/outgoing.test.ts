import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import { OutgoingMessage, type MessageOutcome } from '../../src/transport/outgoing.ts';
import { BufferSource } from '../../src/transport/sources.ts';

/** A message with nothing in flight: finish() settles it. */
function message(): OutgoingMessage {
  return new OutgoingMessage({
    headers: [['To-Path', 'msrp://b.example.com:2/t;tcp'], ['From-Path', 'msrp://a.example.com:1/s;tcp'],
      ['Message-ID', 'm123'], ['Content-Type', 'text/plain']],
    messageId: 'm123', source: new BufferSource(Buffer.from('hi')), offset: 0, total: 2, failureReport: 'yes', group: {},
  });
}

const outcome = suite('OutgoingMessage: outcome, made on first use');

outcome('taken before it settles, it resolves as it settles, the same promise each time', async () => {
  const m = message();
  const promise = m.outcome;
  assert.is(m.outcome, promise);
  let seen: MessageOutcome | null = null;
  m.onSettled = (o) => { seen = o; };
  m.finish();
  const o = await promise;
  assert.is(o, seen);
  assert.is(o.code, 200);
  assert.is(o.messageId, 'm123');
});

outcome('once finished it no longer holds its header block (it waits only for responses)', () => {
  const m = message();
  assert.ok(m.template[0].includes('Message-ID: m123'), 'the block before Byte-Range');
  assert.is(m.template[1], 'Content-Type: text/plain\r\n');
  m.outstanding = 1; // a chunk still awaits its response: finished, not settled
  m.finish();
  assert.ok(m.finished && !m.settled);
  assert.equal(m.template, ['', '']);
});

outcome('taken after it settled, it resolves with the outcome onSettled was given', async () => {
  const m = message();
  let seen: MessageOutcome | null = null;
  m.onSettled = (o) => { seen = o; };
  m.finish();
  assert.ok(seen !== null);
  assert.is(await m.outcome, seen);
});

outcome('a failed message rejects whenever outcome is taken, and unheard it is no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
  process.on('unhandledRejection', onUnhandled);
  try {
    const early = message();
    const promise = early.outcome;
    early.fail(new Error('gone early'));
    await promise.then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'gone early'));
    const late = message();
    late.fail(new Error('gone late'));
    await late.outcome.then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'gone late'));
    message().fail(new Error('nobody asks'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

const events = suite('OutgoingMessage: an EventEmitter whose listener table comes with its first listener');

events('on, once, off, emit, listenerCount and eventNames behave as on any EventEmitter', () => {
  const m = message();
  assert.instance(m, EventEmitter);
  assert.is(m.listenerCount('chunk'), 0);
  assert.is(m.emit('written'), false);
  const seen: string[] = [];
  const onChunk = (c: { transactionId: string }): void => { seen.push(c.transactionId); };
  m.on('chunk', onChunk);
  m.once('written', () => seen.push('written'));
  assert.equal(m.eventNames(), ['chunk', 'written']);
  assert.is(m.emit('chunk', { transactionId: 'abcd', byteRange: { start: 1, end: 2, total: 2 }, continuationFlag: '$' }), true);
  m.emit('written');
  m.emit('written');
  assert.equal(seen, ['abcd', 'written']);
  m.off('chunk', onChunk);
  assert.is(m.listenerCount('chunk'), 0);
  assert.equal(m.eventNames(), []);
  assert.is(m.getMaxListeners(), EventEmitter.defaultMaxListeners);
});

events('an error event with no listener throws, as EventEmitter does', () => {
  assert.throws(() => message().emit('error' as 'written'), /Unhandled error/);
});

outcome.run();
events.run();
