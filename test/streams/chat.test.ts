/**
 * ChatStream over real sockets on 127.0.0.1, directly: the SDP two streams
 * exchange as text, a message that never goes out, bad arguments
 * (MsrpChatError), many messages settled once; then the battery shared with
 * the relay variant (test/suites/chat-streams.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpChatError, MsrpStreamError } from '../../src/errors.ts';
import { ChatStream, type ChatDelivery } from '../../src/streams/chat.ts';
import { parseMsrpMedia } from '../../src/streams/sdp.ts';
import { chatStreamSuites } from '../suites/chat-streams.ts';
import { chatOptions, chatPair, collect, negotiate, next, rejects } from './stream-helpers.ts';

const basics = suite('ChatStream: SDP, arguments, settling');

basics('SDP offer/answer as text: accept-types with the mandatory multipart types, actpass/passive, sendrecv', async () => {
  const alice = new ChatStream(chatOptions('sip:alice@example.com', 'sip:bob@example.com'));
  const bob = new ChatStream(chatOptions('sip:bob@example.com', 'sip:alice@example.com'));
  const initialized = next<{ sdpMedia: string }>(alice, 'didInitialize');
  const started = [next(alice, 'didStart'), next(bob, 'didStart')];
  const { offer, answer } = await negotiate(alice, bob);
  await Promise.all(started);
  assert.ok((await initialized).sdpMedia.startsWith('m=message '));
  const o = parseMsrpMedia(offer);
  const a = parseMsrpMedia(answer);
  assert.equal(o.acceptTypes, ['message/cpim', 'text/*', 'image/*', 'application/im-iscomposing+xml', 'multipart/mixed', 'multipart/alternative']);
  assert.is(o.setup, 'actpass');
  assert.is(a.setup, 'passive');
  assert.is(a.direction, 'sendrecv');
  assert.not.ok(offer.includes('a=connection'));
  assert.is(alice.state, 'started');
  const ended = [next(alice, 'didEnd'), next(bob, 'didEnd')];
  await alice.end();
  await Promise.all(ended);
  assert.is(bob.state, 'ended', 'the peer closing ends the stream cleanly');
});

basics('a message for a stream that never starts is notDelivered when it ends', async () => {
  const lonely = new ChatStream(chatOptions('sip:alice@example.com', 'sip:bob@example.com'));
  const failed = collect<{ messageId: string; source: string }>(lonely, 'notDelivered');
  const handle = lonely.sendMessage('nobody hears this');
  await lonely.initialize();
  await lonely.end();
  const d = await handle.done;
  assert.is(d.delivered, false);
  assert.match(d.reason ?? '', /ended before/);
  assert.equal(failed.map((f) => [f.messageId, f.source]), [[handle.messageId, 'local']]);
});

basics('bad arguments throw MsrpChatError at the call; calls out of order throw MsrpStreamError', async () => {
  const alice = new ChatStream(chatOptions('sip:alice@example.com', 'sip:bob@example.com'));
  const bad: Array<[unknown, object]> = [
    [42, {}], ['x', { contentType: 'plain' }], ['x', { timestamp: new Date(NaN) }], ['x', { notifications: ['read'] }],
    ['x', { recipients: ['sip:a b@example.com'] }], ['x', { recipients: [''] }], ['x', { messageId: 'no spaces allowed' }],
  ];
  for (const [content, options] of bad) {
    assert.throws(() => alice.sendMessage(content as string, options), (e: unknown) => e instanceof MsrpChatError && e.code === 'MSRP_ERR_CHAT_ARGUMENT', JSON.stringify(options));
  }
  await rejects(alice.start('m=message 9 TCP/MSRP *\r\n'), MsrpStreamError, 'MSRP_ERR_STREAM_STATE');
  await alice.end();
  assert.throws(() => alice.sendMessage('late'), (e: unknown) => e instanceof MsrpChatError && e.code === 'MSRP_ERR_CHAT_ENDED');
  await rejects(alice.initialize(), MsrpStreamError, 'MSRP_ERR_STREAM_STATE');
});

basics('delivery outcomes settle every handle once', async () => {
  const [alice, bob] = await chatPair();
  try {
    const handles = Array.from({ length: 50 }, (_, i) => alice.sendMessage(`m${i}`));
    const done: ChatDelivery[] = await Promise.all(handles.map((h) => h.done));
    assert.ok(done.every((d, i) => d.delivered && d.messageId === handles[i].messageId));
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

basics('a handle gives the head of its first chunk as written, Content-Type included', async () => {
  const [alice, bob] = await chatPair();
  try {
    const handle = alice.sendMessage('hello', { contentType: 'text/plain' });
    assert.is(handle.chunk, null, 'nothing written yet');
    await handle.done;
    const chunk = handle.chunk;
    assert.ok(chunk !== null);
    assert.is(chunk.method, 'SEND');
    assert.is(chunk.messageId, handle.messageId);
    assert.is(chunk.getHeader('Content-Type'), 'text/plain');
    assert.is(chunk.getHeader('Byte-Range'), '1-5/5');
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

basics.run();

chatStreamSuites('directly', async () => ({ alice: {}, bob: {}, close: async () => {} }));
