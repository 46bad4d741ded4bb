/**
 * ChatStream delivery over real sockets beyond the shared battery: what the
 * peer's media forbids is refused before sending (`notDelivered`, source
 * `local`: a type, meta-data without CPIM, a=max-size); a chat room that
 * takes private messages gets them marked private; a chat room refusing a
 * private message with 428 (source `session`) and a nickname with 425; what a
 * receiver refuses on the CPIM head of a message's first chunk (415 for a
 * wrapped type it does not take, 428 for a private message it does not take),
 * never emitted there.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AcceptorDirect } from '../../src/connect/index.ts';
import {
  type ChatDelivery, type ChatNotDeliveredInfo, type ChatSendOptions, ChatStream, type ChatStreamOptions, type IncomingChatMessage,
} from '../../src/streams/chat.ts';
import type { IncompleteMessage, MsrpSession } from '../../src/session.ts';
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

const screened = suite('ChatStream: refused by the receiver on the CPIM head (RFC 4975 §8.6, RFC 7701 §6.2)');

/** Rewrites one SDP attribute line of an answer. */
const claim = (attribute: string, value: string) => (answer: string) => answer.replace(new RegExp(`a=${attribute}(:[^\r]*)?\r\n`),
  `a=${attribute}:${value}\r\n`);

/** Bob takes text/plain, plain or wrapped, and nothing else; Alice is told he takes image/png wrapped too. */
function pngClaimed(alice: Partial<ChatStreamOptions> = {}): Promise<[ChatStream, ChatStream]> {
  return chatPair(alice, { acceptTypes: ['message/cpim', 'text/plain'], acceptWrappedTypes: ['text/plain'] },
    claim('accept-wrapped-types', 'text/plain image/png'));
}

/** Sends text after a refusal and checks that it is the only message the receiver emitted. */
async function onlyThisArrives(from: ChatStream, emitted: IncomingChatMessage[]): Promise<void> {
  const ok = from.sendMessage('still here');
  assert.ok((await ok.done).delivered);
  assert.equal(emitted.map((m) => m.content), ['still here']);
}

screened('a wrapped type the receiver does not take: 415 at the sender, nothing emitted; text still passes', async () => {
  const [alice, bob] = await pngClaimed();
  try {
    const emitted = collect<IncomingChatMessage>(bob, 'message');
    const failed = next<ChatNotDeliveredInfo>(alice, 'notDelivered');
    const png = alice.sendMessage(Buffer.from([0x89, 0x50, 0x4e, 0x47]), { contentType: 'image/png' });
    const done = await png.done;
    assert.equal([done.delivered, done.code], [false, 415]);
    assert.equal([(await failed).messageId, (await failed).source, (await failed).code], [png.messageId, 'session', 415]);
    // the receiver's screen, not its transport (which answers 415 to a plain image/png): the PNG went wrapped
    assert.match(done.reason ?? '', 'image/png is not in accept-types or accept-wrapped-types');
    await onlyThisArrives(alice, emitted);
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

screened('a wrapped message in several chunks of a refused type: 415 to its first chunk, the receiver holds nothing', async () => {
  const [alice, bob] = await pngClaimed({ connect: { connection: { maxChunkSize: 4096 } } });
  try {
    const emitted = collect<IncomingChatMessage>(bob, 'message');
    const incomplete = next<IncompleteMessage>(bob.session as MsrpSession, 'incomplete');
    const png = alice.sendMessage(Buffer.alloc(20_000, 0x50), { contentType: 'image/png' });
    const answers: Array<[number | '*', string, number]> = [];
    png.sent?.outgoing.on('response', (chunk, result) => answers.push([chunk.byteRange.start, chunk.continuationFlag, result.code]));
    const done = await png.done;
    assert.equal([done.delivered, done.code], [false, 415]);
    assert.equal(answers[0], [1, '+', 415], 'the first chunk, not the last, was refused');
    assert.equal([(await incomplete).messageId, (await incomplete).reason], [png.messageId, 'refused']);
    assert.is(bob.session?.receivingMessages, 0);
    await onlyThisArrives(alice, emitted);
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

/** A private message (To `recipient` alone) from `from`: how it ended; `to` emitted nothing of it, only the text sent after. */
async function privateMessage(from: ChatStream, to: ChatStream, recipient: string, options: ChatSendOptions = {}): Promise<ChatDelivery> {
  const emitted = collect<IncomingChatMessage>(to, 'message');
  const done = await from.sendMessage('psst', { recipients: [recipient], ...options }).done;
  await onlyThisArrives(from, emitted);
  return done;
}

screened('a private message to a chat room without private-messages: 428 from the room, not emitted there', async () => {
  // Alice is told the room takes private messages; the room's own media says it does not
  const [alice, room] = await chatPair({}, { chatroom: ['nickname'] }, claim('chatroom', 'nickname private-messages'));
  try {
    const done = await privateMessage(alice, room, 'sip:dave@example.com');
    assert.equal([done.delivered, done.code], [false, 428]);
  } finally {
    await Promise.all([alice.end(), room.end()]);
  }
});

screened('a private message from a chat room to a participant without private-messages: 428 from the participant', async () => {
  const [alice, room] = await chatPair({}, { chatroom: ['nickname', 'private-messages'] });
  try {
    // the room passes on a message To Alice alone: private for her (RFC 7701 §6.2)
    const done = await privateMessage(room, alice, 'sip:alice@example.com');
    assert.equal([done.delivered, done.code], [false, 428]);
  } finally {
    await Promise.all([alice.end(), room.end()]);
  }
});

screened('a wrapper longer than the first chunk cannot be screened: answered 200, then dropped on the whole message', async () => {
  const long = { connect: { connection: { maxChunkSize: 2048 } } };
  const [alice, room] = await chatPair(long, { chatroom: ['nickname'] }, claim('chatroom', 'nickname private-messages'));
  try {
    // a Subject of 3000 octets: the CPIM head ends in the second chunk
    const done = await privateMessage(alice, room, 'sip:dave@example.com', { subject: 's'.repeat(3000) });
    assert.ok(done.delivered, 'the session took it: success REPORTs came');
  } finally {
    await Promise.all([alice.end(), room.end()]);
  }
});

refused.run();
wire.run();
screened.run();
