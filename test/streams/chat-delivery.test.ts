/**
 * ChatStream delivery failures over real sockets: what the peer's media
 * forbids is refused before sending (`notDelivered`, source `local`), what
 * the peer refuses on the wire (415 from its session, 428 from a chat room
 * for a private message) or a peer that vanishes fails the message
 * (source `session`) and the stream.
 */
import net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AcceptorDirect } from '../../src/connect/index.ts';
import { ChatStream, type ChatNotDeliveredInfo, type IncomingChatMessage } from '../../src/streams/chat.ts';
import { unwrapCpim } from '../../src/streams/cpim.ts';
import { createMsrpMedia, formatMsrpMedia } from '../../src/streams/sdp.ts';
import { chatOptions, chatPair, collect, next, until } from './stream-helpers.ts';

const refused = suite('ChatStream: refused before sending (the peer\'s SDP)');

refused('a private message to a peer without a=chatroom:private-messages; delivered to one that has it', async () => {
  const [alice, bob] = await chatPair();
  try {
    const failed = next<ChatNotDeliveredInfo>(alice, 'notDelivered');
    const handle = alice.sendMessage('psst', { recipients: ['sip:carol@example.com'] });
    const info = await failed;
    assert.equal([info.messageId, info.source, info.code], [handle.messageId, 'local', 428]);
    assert.match(info.reason, /private-messages/);
    assert.is((await handle.done).delivered, false);
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
  const [carol, room] = await chatPair({}, { chatroom: ['private-messages'] });
  try {
    const got = next<IncomingChatMessage>(room, 'message');
    const handle = carol.sendMessage('only for dave', { recipients: ['sip:dave@example.com'] });
    assert.ok((await handle.done).delivered);
    const m = await got;
    assert.ok(m.private);
    assert.equal(m.recipients.map((r) => r.uri), ['sip:dave@example.com']);
  } finally {
    await Promise.all([carol.end(), room.end()]);
  }
});

refused('a type the peer takes neither plain nor wrapped, meta-data without CPIM, a body over a=max-size', async () => {
  const [alice, bob] = await chatPair({}, { acceptTypes: ['text/plain'], acceptWrappedTypes: [], maxSize: 100 });
  try {
    const failed = collect<ChatNotDeliveredInfo>(alice, 'notDelivered');
    const png = alice.sendMessage(Buffer.from([1, 2, 3]), { contentType: 'image/png' });
    const meta = alice.sendMessage('dated', { timestamp: new Date() });
    const big = alice.sendMessage('x'.repeat(101));
    const ok = alice.sendMessage('x'.repeat(100));
    assert.equal((await Promise.all([png.done, meta.done, big.done])).map((d) => [d.delivered, d.code]), [[false, 415], [false, 415], [false, 413]]);
    assert.ok((await ok.done).delivered);
    assert.ok(failed.every((f) => f.source === 'local'));
    assert.match(failed[1].reason, /meta-data/);
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

const wire = suite('ChatStream: refused or lost on the wire');

wire('the peer\'s session refuses a type with 415', async () => {
  const [alice, bob] = await chatPair();
  try {
    // the peer's SDP said text/*; its session now takes less (a peer that changed its mind)
    bob.session!.transport.acceptTypes = ['text/html'];
    const failed = next<ChatNotDeliveredInfo>(alice, 'notDelivered');
    const handle = alice.sendMessage('plain text');
    const info = await failed;
    assert.equal([info.messageId, info.source, info.code], [handle.messageId, 'session', 415]);
    assert.equal(await handle.done, { messageId: handle.messageId, delivered: false, code: 415, reason: info.reason });
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

wire('a peer that vanishes: the message in flight is not delivered, the stream fails and ends', async () => {
  const [alice, bob] = await chatPair();
  const socket = bob.session!.transport.connection.stream as net.Socket;
  socket.pause(); // Bob reads nothing more: no response, no REPORT
  const failed = next<ChatNotDeliveredInfo>(alice, 'notDelivered');
  const didFail = next<{ reason: string }>(alice, 'didFail');
  const didEnd = next<{ error: Error | null }>(alice, 'didEnd');
  const handle = alice.sendMessage('into the void');
  await new Promise((r) => setTimeout(r, 30));
  socket.destroy();
  const info = await failed;
  assert.equal([info.messageId, info.source], [handle.messageId, 'session']);
  assert.is((await handle.done).delivered, false);
  assert.ok((await didFail).reason.length > 0);
  assert.ok((await didEnd).error !== null);
  assert.is(alice.state, 'ended');
  await bob.end();
});

wire('a chat room answers a private message with 428 and a nickname in use with 425', async () => {
  const alice = new ChatStream(chatOptions('sip:alice@example.com', 'sip:room@example.com', { endTimeout: 100 }));
  const offer = await alice.initialize();
  const acceptor = new AcceptorDirect({ host: '127.0.0.1', bindTimeout: 5000, transport: { methods: ['SEND', 'REPORT', 'NICKNAME'] } });
  const path = await acceptor.prepare();
  const answer = createMsrpMedia({
    path, acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: 'passive', chatroom: ['nickname', 'private-messages'],
  });
  const [, room] = await Promise.all([alice.start(formatMsrpMedia(answer)), acceptor.complete(offer.path)]);
  // the room: NICKNAME "taken" is in use; a private message's recipient does not take private messages
  void (async () => {
    for await (const chunk of room) {
      if (chunk.method === 'NICKNAME') room.writeResponse(chunk, chunk.useNickname === 'taken' ? 425 : 200);
      else if (chunk.method === 'SEND' && chunk.body !== undefined) {
        const to = unwrapCpim(chunk.body).to.map((a) => a.uri);
        room.writeResponse(chunk, to.includes('sip:room@example.com') ? 200 : 428);
      } else if (chunk.method === 'SEND') room.writeResponse(chunk, 200);
    }
  })();
  try {
    const failed = next<ChatNotDeliveredInfo>(alice, 'notDelivered');
    const handle = alice.sendMessage('psst', { recipients: ['sip:bob@example.com'] });
    const info = await failed;
    assert.equal([info.messageId, info.source, info.code], [handle.messageId, 'session', 428]);
    await alice.setNickname('free');
    const e = await alice.setNickname('taken').catch((err: { statusCode: number }) => err);
    assert.is((e as { statusCode: number }).statusCode, 425);
    const regular = alice.sendMessage('hello room', { timestamp: new Date() });
    await until(() => regular.sent?.outgoing.settled === true);
  } finally {
    await alice.end();
    room.close();
  }
});

refused.run();
wire.run();
