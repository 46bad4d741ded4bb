/**
 * ChatStream over real sockets on 127.0.0.1: two streams negotiate with SDP
 * text, then carry plain and CPIM messages, queued messages, a 1 MB text cut
 * into several chunks, binary and multipart content; bad arguments throw
 * MsrpChatError.
 */
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpChatError, MsrpStreamError } from '../../src/errors.ts';
import type { TrafficRecord } from '../../src/log.ts';
import { ChatStream, type ChatDelivery, type IncomingChatMessage } from '../../src/streams/chat.ts';
import { buildMultipart } from '../../src/streams/multipart.ts';
import { parseMsrpMedia } from '../../src/streams/sdp.ts';
import { chatOptions, chatPair, collect, negotiate, next, rejects, until } from './stream-helpers.ts';

const basics = suite('ChatStream: messages between two streams');

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

basics('plain text both ways: message event, delivered from the success REPORT, handle with the first chunk', async () => {
  const [alice, bob] = await chatPair();
  try {
    const got = next<IncomingChatMessage>(bob, 'message');
    const delivered = next<{ messageId: string; source: string }>(alice, 'delivered');
    const handle = alice.sendMessage('hello, Bob — ü');
    const m = await got;
    assert.is(m.content, 'hello, Bob — ü');
    assert.is(m.contentType, 'text/plain');
    assert.equal(m.cpimHeaders, []);
    assert.is(m.sender.uri, 'sip:alice@example.com');
    assert.equal(m.recipients.map((r) => r.uri), ['sip:bob@example.com']);
    assert.is(m.private, false);
    assert.is(m.messageId, handle.messageId);
    assert.is(m.message.messageId, handle.messageId);
    const done = await handle.done;
    assert.equal(done, { messageId: handle.messageId, delivered: true, code: 200, reason: null });
    assert.equal(await delivered, { messageId: handle.messageId, source: 'report', imdn: null });
    const chunk = handle.chunk;
    assert.ok(chunk !== null);
    assert.is(chunk.messageId, handle.messageId);
    assert.is(chunk.successReport, 'yes');
    const back = next<IncomingChatMessage>(alice, 'message');
    bob.sendMessage('hi Alice');
    assert.is((await back).content, 'hi Alice');
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

basics('CPIM when meta-data needs it or when preferred: timestamp, subject, display names, other recipients', async () => {
  const [alice, bob] = await chatPair({ localIdentity: { uri: 'sip:alice@example.com', displayName: 'Alice Ü' } });
  try {
    const got = next<IncomingChatMessage>(bob, 'message');
    const when = new Date('2024-03-01T10:00:00Z');
    alice.sendMessage('with meta', { timestamp: when, subject: 'Greetings' });
    const m = await got;
    assert.is(m.content, 'with meta');
    assert.is(m.timestamp.getTime(), when.getTime());
    assert.is(m.subject, 'Greetings');
    assert.equal(m.sender, { uri: 'sip:alice@example.com', displayName: 'Alice Ü' });
    assert.ok(m.cpimHeaders.some((h) => h.name === 'DateTime'));
    assert.ok(m.message.getHeader('Content-Type') === 'message/cpim');
    const two = next<IncomingChatMessage>(bob, 'message');
    alice.sendMessage('to two', { recipients: ['sip:bob@example.com', 'sip:carol@example.com'] });
    assert.equal((await two).recipients.map((r) => r.uri), ['sip:bob@example.com', 'sip:carol@example.com']);
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
  const [carol, dave] = await chatPair({ preferCpim: true });
  try {
    const got = next<IncomingChatMessage>(dave, 'message');
    carol.sendMessage('wrapped because preferred');
    const m = await got;
    assert.is(m.message.getHeader('Content-Type'), 'message/cpim');
    assert.is(m.content, 'wrapped because preferred');
  } finally {
    await Promise.all([carol.end(), dave.end()]);
  }
});

basics('queued before start: sent in order once started; never started: notDelivered', async () => {
  const alice = new ChatStream(chatOptions('sip:alice@example.com', 'sip:bob@example.com'));
  const bob = new ChatStream(chatOptions('sip:bob@example.com', 'sip:alice@example.com'));
  const early = [alice.sendMessage('one'), alice.sendMessage('two'), alice.sendMessage('three')];
  const got = collect<IncomingChatMessage>(bob, 'message');
  await negotiate(alice, bob);
  const done = await Promise.all(early.map((h) => h.done));
  assert.ok(done.every((d) => d.delivered));
  assert.equal(got.map((m) => m.content), ['one', 'two', 'three']);
  await Promise.all([alice.end(), bob.end()]);

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

basics('a 1 MB text in several chunks decodes whole across chunk borders (multi-octet characters)', async () => {
  const records: TrafficRecord[] = [];
  const [alice, bob] = await chatPair({ connect: { connection: { maxChunkSize: 100_003 }, trafficLog: (r) => records.push(r) } });
  try {
    const text = 'αβγ — 漢字 😀 '.repeat(44_000); // 23 octets each, 4-octet characters included
    const bytes = Buffer.byteLength(text);
    assert.ok(bytes > 1_000_000, `${bytes} octets`);
    const got = next<IncomingChatMessage>(bob, 'message', 20_000);
    const handle = alice.sendMessage(text, { contentType: 'text/plain;charset=utf-8' });
    const m = await got;
    assert.ok(m.content === text, 'the text arrived decoded and whole');
    assert.ok((await handle.done).delivered);
    const chunks = records.filter((r) => r.direction === 'out' && r.head.includes(`Message-ID: ${handle.messageId}`));
    assert.ok(chunks.length >= 10, `${chunks.length} chunks`);
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

basics('other charsets are decoded; binary images stay Buffers; multipart/mixed comes split into parts', async () => {
  const [alice, bob] = await chatPair();
  try {
    const got = collect<IncomingChatMessage>(bob, 'message');
    alice.sendMessage(Buffer.from([0x63, 0x61, 0x66, 0xe9]), { contentType: 'text/plain; charset=iso-8859-1' });
    const image = randomBytes(70_000);
    const h = alice.sendMessage(image, { contentType: 'image/png' });
    const multi = buildMultipart([
      { contentType: 'text/plain;charset=utf-8', body: Buffer.from('see the picture') },
      { contentType: 'image/gif', body: image.subarray(0, 300) },
    ]);
    const h2 = alice.sendMessage(multi.body, { contentType: multi.contentType });
    await Promise.all([h.done, h2.done]);
    await until(() => got.length === 3);
    // small messages may overtake a large one (the writer interleaves them, RFC 4975 §7.1.1)
    const byType = (t: string) => got.find((m) => m.contentType.startsWith(t)) as IncomingChatMessage;
    assert.is(byType('text/plain').content, 'café');
    assert.instance(byType('image/png').content, Buffer);
    assert.ok((byType('image/png').content as Buffer).equals(image));
    const parts = byType('multipart/mixed').parts ?? [];
    assert.is(parts.length, 2);
    assert.is(parts[0].content, 'see the picture');
    assert.ok((parts[1].content as Buffer).equals(image.subarray(0, 300)));
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
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

basics.run();
