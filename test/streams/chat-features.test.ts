/**
 * ChatStream features over real sockets: is-composing with its RFC 3994
 * timers on a hand-driven clock, IMDN round trips (delivery and display,
 * never an IMDN for an IMDN), and NICKNAME (RFC 7701 §7) answered by a
 * stream that advertises a=chatroom:nickname.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpChatError } from '../../src/errors.ts';
import type { ChatComposingInfo, ChatDeliveredInfo, IncomingChatMessage } from '../../src/streams/chat.ts';
import { chatPair, collect, FakeClock, next, rejects, until } from './stream-helpers.ts';

const composing = suite('ChatStream: is-composing (RFC 3994)');

composing('active on the first keystroke, refreshed every 60 s while typing, idle after 15 s without', async () => {
  const clock = new FakeClock();
  const [alice, bob] = await chatPair({ clock });
  try {
    const seen = collect<ChatComposingInfo>(bob, 'composing');
    assert.ok(alice.sendComposingIndication('active'));
    await until(() => seen.length === 1);
    assert.equal([seen[0].state, seen[0].refresh, seen[0].sender.uri], ['active', 60, 'sip:alice@example.com']);
    // typing every 10 s: no new indication until the 60 s refresh
    for (let t = 0; t < 5; t++) {
      clock.advance(10_000);
      assert.not.ok(alice.sendComposingIndication('active'));
    }
    clock.advance(10_000);
    await until(() => seen.length === 2);
    assert.is(seen[1].state, 'active');
    // the last keystroke was at 50 s: idle is due at 65 s
    clock.advance(4_000);
    await new Promise((r) => setTimeout(r, 20));
    assert.is(seen.length, 2, 'not idle before 15 s without typing');
    clock.advance(1_000);
    await until(() => seen.length === 3);
    assert.is(seen[2].state, 'idle');
    assert.is(clock.pending, 0, 'idle: no timer left on the composer side');
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

composing('the receiver expires an active state after its refresh (120 s without one) and a message makes it idle', async () => {
  const aliceClock = new FakeClock();
  const bobClock = new FakeClock();
  const [alice, bob] = await chatPair({ clock: aliceClock, composing: { refresh: null } }, { clock: bobClock });
  try {
    const seen = collect<ChatComposingInfo>(bob, 'composing');
    alice.sendComposingIndication('active');
    await until(() => seen.length === 1);
    assert.is(seen[0].refresh, null);
    bobClock.advance(119_000);
    assert.is(seen.length, 1);
    bobClock.advance(1_000);
    assert.is(seen[1].state, 'idle', 'RFC 3994 §3.3: 120 s without a refresh');
    assert.ok(alice.sendComposingIndication('idle'));
    assert.ok(alice.sendComposingIndication('active'));
    await until(() => seen.length === 4);
    assert.equal(seen.slice(2).map((c) => c.state), ['idle', 'active']);
    const order: string[] = [];
    bob.on('composing', (c) => order.push(`composing ${c.state}`));
    bob.on('message', () => order.push('message'));
    alice.sendMessage('done typing');
    await until(() => order.length === 2);
    assert.equal(order, ['composing idle', 'message']);
    assert.not.ok(alice.sendComposingIndication('idle'), 'sending the message made the composer idle (no indication)');
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

composing('explicit idle and lastActive; a refresh below 60 s is refused', async () => {
  const clock = new FakeClock();
  const [alice, bob] = await chatPair({ clock });
  try {
    const seen = collect<ChatComposingInfo>(bob, 'composing');
    const when = new Date('2024-01-01T00:00:00Z');
    assert.throws(() => alice.sendComposingIndication('active', { refresh: 30 }), (e: unknown) => e instanceof MsrpChatError);
    alice.sendComposingIndication('active', { refresh: 90, lastActive: when });
    await until(() => seen.length === 1);
    assert.is(seen[0].refresh, 90);
    assert.is(seen[0].lastActive?.getTime(), when.getTime());
    assert.ok(alice.sendComposingIndication('idle'));
    await until(() => seen.length === 2);
    assert.is(seen[1].state, 'idle');
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

const imdn = suite('ChatStream: IMDN (RFC 5438 over MSRP, RCS profile)');

imdn('a message that asks for nothing gets no IMDN', async () => {
  const [alice, bob] = await chatPair();
  try {
    const delivered = collect<ChatDeliveredInfo>(alice, 'delivered');
    const m = next<IncomingChatMessage>(bob, 'message');
    await alice.sendMessage('plain').done;
    assert.not.ok(bob.markDisplayed(await m));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(delivered.map((d) => d.source), ['report']);
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

const nickname = suite('ChatStream: NICKNAME (RFC 7701 §7)');

nickname('a nickname accepted, one in use refused with 425, a peer without a=chatroom:nickname', async () => {
  const [alice, bob] = await chatPair({}, { chatroom: ['nickname'], onNickname: (n) => (n === 'Alice the great' ? 425 : 200) });
  try {
    const answered = collect<{ nickname: string; code: number }>(bob, 'nickname');
    const refused = await rejects(alice.setNickname('Alice the great'), MsrpChatError, 'MSRP_ERR_CHAT_NICKNAME');
    assert.is(refused.statusCode, 425);
    await alice.setNickname('Alice in Wonderland');
    assert.equal(answered, [{ nickname: 'Alice the great', code: 425 }, { nickname: 'Alice in Wonderland', code: 200 }]);
    await rejects(alice.setNickname(''), MsrpChatError, 'MSRP_ERR_CHAT_ARGUMENT');
    const none = await rejects(bob.setNickname('Bob'), MsrpChatError, 'MSRP_ERR_CHAT_NICKNAME');
    assert.is(none.statusCode, 0);
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
});

nickname('a side that does not offer nicknames answers NICKNAME with 403, a malformed one with 424', async () => {
  const [alice, bob] = await chatPair({}, { chatroom: [] });
  try {
    const session = alice.session!;
    const ask = session.transport.makeRequest('NICKNAME', { headers: [['Use-Nickname', '"Al"']] });
    assert.is((await session.sendChunk(ask)).code, 403);
  } finally {
    await Promise.all([alice.end(), bob.end()]);
  }
  const [carol, dave] = await chatPair({}, { chatroom: ['nickname'] });
  try {
    const session = carol.session!;
    const bad = session.transport.makeRequest('NICKNAME', { headers: [['Use-Nickname', 'unquoted']] });
    assert.is((await session.sendChunk(bad)).code, 424);
    const none = session.transport.makeRequest('NICKNAME');
    assert.is((await session.sendChunk(none)).code, 424);
  } finally {
    await Promise.all([carol.end(), dave.end()]);
  }
});

composing.run();
imdn.run();
nickname.run();
