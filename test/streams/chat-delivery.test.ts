/**
 * ChatStream delivery over real sockets beyond the shared battery: what the
 * peer's media forbids is refused before sending (`notDelivered`, source
 * `local`: a type, meta-data without CPIM, a=max-size); a chat room that
 * takes private messages gets them marked private; a chat room refusing a
 * private message with 428 (source `session`) and a nickname with 425.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AcceptorDirect } from '../../src/connect/index.ts';
import { ChatStream, type ChatNotDeliveredInfo, type IncomingChatMessage } from '../../src/streams/chat.ts';
import { unwrapCpim } from '../../src/streams/cpim.ts';
import { createMsrpMedia, formatMsrpMedia } from '../../src/streams/sdp.ts';
import { chatOptions, chatPair, collect, next, until } from './stream-helpers.ts';

const refused = suite('ChatStream: refused before sending (the peer\'s SDP)');

refused('a private message to a peer whose a=chatroom has private-messages is delivered, marked private', async () => {
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
