/**
 * The ChatStream battery over real sockets, run by thin entry files for each
 * way two streams can meet: test/streams/chat.test.ts (directly) and
 * test/streams/chat-relay.test.ts (through our MsrpRelay). Each test gets a
 * fresh pair from the environment, negotiated with SDP text.
 */
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TrafficRecord } from '../../src/log.ts';
import { ChatStream, type ChatComposingInfo, type ChatDeliveredInfo, type ChatNotDeliveredInfo, type ChatStreamOptions, type IncomingChatMessage } from '../../src/streams/chat.ts';
import { buildMultipart } from '../../src/streams/multipart.ts';
import { chatOptions, collect, negotiate, next, until } from '../streams/stream-helpers.ts';

/** How two chat streams meet: options for each side (relay settings, ...), and cleanup. */
export interface ChatEnvironment {
  alice: Partial<ChatStreamOptions>;
  bob: Partial<ChatStreamOptions>;
  close(): Promise<void>;
}

/** Registers and runs the chat suites for one environment. */
export function chatStreamSuites(label: string, environment: () => Promise<ChatEnvironment>): void {
  const s = suite(`ChatStream ${label}`);
  let env: ChatEnvironment;
  s.before.each(async () => { env = await environment(); });
  s.after.each(async () => { await env.close(); });

  const streams = (alice: Partial<ChatStreamOptions> = {}, bob: Partial<ChatStreamOptions> = {}): [ChatStream, ChatStream] => {
    const merge = (base: Partial<ChatStreamOptions>, more: Partial<ChatStreamOptions>) => ({ ...base, ...more, connect: { ...base.connect, ...more.connect } });
    return [
      new ChatStream(chatOptions('sip:alice@example.com', 'sip:bob@example.com', merge(env.alice, alice))),
      new ChatStream(chatOptions('sip:bob@example.com', 'sip:alice@example.com', merge(env.bob, bob))),
    ];
  };
  const pair = async (alice?: Partial<ChatStreamOptions>, bob?: Partial<ChatStreamOptions>): Promise<[ChatStream, ChatStream]> => {
    const both = streams(alice, bob);
    await negotiate(both[0], both[1]);
    return both;
  };
  const end = (...all: ChatStream[]) => Promise.all(all.map((x) => x.end()));

  s('plain text both ways: message event, delivered by the success REPORT, the handle\'s first chunk', async () => {
    const [alice, bob] = await pair();
    try {
      const got = next<IncomingChatMessage>(bob, 'message');
      const delivered = next<ChatDeliveredInfo>(alice, 'delivered');
      const handle = alice.sendMessage('hello, Bob — ü');
      const m = await got;
      assert.equal([m.content, m.contentType, m.cpimHeaders, m.sender.uri, m.private], ['hello, Bob — ü', 'text/plain', [], 'sip:alice@example.com', false]);
      assert.equal(m.recipients.map((r) => r.uri), ['sip:bob@example.com']);
      assert.is(m.messageId, handle.messageId);
      assert.equal(await handle.done, { messageId: handle.messageId, delivered: true, code: 200, reason: null });
      assert.equal(await delivered, { messageId: handle.messageId, source: 'report', imdn: null });
      assert.is(handle.chunk?.messageId, handle.messageId);
      const back = next<IncomingChatMessage>(alice, 'message');
      bob.sendMessage('hi Alice');
      assert.is((await back).content, 'hi Alice');
    } finally {
      await end(alice, bob);
    }
  });

  s('CPIM when meta-data needs it (timestamp, subject, display name, other recipients) or when preferred', async () => {
    const [alice, bob] = await pair({ localIdentity: { uri: 'sip:alice@example.com', displayName: 'Alice Ü' } }, { preferCpim: true });
    try {
      const got = next<IncomingChatMessage>(bob, 'message');
      const when = new Date('2024-03-01T10:00:00Z');
      alice.sendMessage('with meta', { timestamp: when, subject: 'Greetings', recipients: ['sip:bob@example.com', 'sip:carol@example.com'] });
      const m = await got;
      assert.equal([m.content, m.timestamp.getTime(), m.subject, m.message.getHeader('Content-Type')], ['with meta', when.getTime(), 'Greetings', 'message/cpim']);
      assert.equal(m.sender, { uri: 'sip:alice@example.com', displayName: 'Alice Ü' });
      assert.equal(m.recipients.map((r) => r.uri), ['sip:bob@example.com', 'sip:carol@example.com']);
      const back = next<IncomingChatMessage>(alice, 'message');
      bob.sendMessage('wrapped because preferred');
      const b = await back;
      assert.equal([b.content, b.message.getHeader('Content-Type')], ['wrapped because preferred', 'message/cpim']);
    } finally {
      await end(alice, bob);
    }
  });

  s('queued before start, sent in order once started', async () => {
    const [alice, bob] = streams();
    const early = ['one', 'two', 'three'].map((t) => alice.sendMessage(t));
    const got = collect<IncomingChatMessage>(bob, 'message');
    try {
      await negotiate(alice, bob);
      assert.ok((await Promise.all(early.map((h) => h.done))).every((d) => d.delivered));
      assert.equal(got.map((m) => m.content), ['one', 'two', 'three']);
    } finally {
      await end(alice, bob);
    }
  });

  s('a 1 MB text in several chunks decodes whole across chunk borders', async () => {
    const records: TrafficRecord[] = [];
    const [alice, bob] = await pair({ connect: { connection: { maxChunkSize: 100_003 }, trafficLog: (r) => records.push(r) } });
    try {
      const text = 'αβγ — 漢字 😀 '.repeat(44_000); // 23 octets each, 4-octet characters included
      assert.ok(Buffer.byteLength(text) > 1_000_000);
      const got = next<IncomingChatMessage>(bob, 'message', 20_000);
      const handle = alice.sendMessage(text, { contentType: 'text/plain;charset=utf-8' });
      assert.ok((await got).content === text, 'the text arrived decoded and whole');
      assert.ok((await handle.done).delivered);
      const chunks = records.filter((r) => r.direction === 'out' && r.head.includes(`Message-ID: ${handle.messageId}`));
      assert.ok(chunks.length >= 10, `${chunks.length} chunks`);
    } finally {
      await end(alice, bob);
    }
  });

  s('a binary image stays a Buffer; multipart/mixed comes split into parts; other charsets decode', async () => {
    const [alice, bob] = await pair();
    try {
      const got = collect<IncomingChatMessage>(bob, 'message');
      const image = randomBytes(70_000);
      const multi = buildMultipart([
        { contentType: 'text/plain;charset=utf-8', body: Buffer.from('see the picture') },
        { contentType: 'image/gif', body: image.subarray(0, 300) },
      ]);
      const handles = [
        alice.sendMessage(Buffer.from([0x63, 0x61, 0x66, 0xe9]), { contentType: 'text/plain; charset=iso-8859-1' }),
        alice.sendMessage(image, { contentType: 'image/png' }),
        alice.sendMessage(multi.body, { contentType: multi.contentType }),
      ];
      await Promise.all(handles.map((h) => h.done));
      await until(() => got.length === 3);
      // small messages may overtake a large one (the writer interleaves them, RFC 4975 §7.1.1)
      const byType = (t: string) => got.find((m) => m.contentType.startsWith(t)) as IncomingChatMessage;
      assert.is(byType('text/plain').content, 'café');
      assert.ok((byType('image/png').content as Buffer).equals(image));
      const parts = byType('multipart/mixed').parts ?? [];
      assert.equal([parts.length, parts[0]?.content], [2, 'see the picture']);
      assert.ok((parts[1].content as Buffer).equals(image.subarray(0, 300)));
    } finally {
      await end(alice, bob);
    }
  });

  s('is-composing: active reaches the peer, a message makes it idle there', async () => {
    const [alice, bob] = await pair();
    try {
      const seen = collect<ChatComposingInfo>(bob, 'composing');
      assert.ok(alice.sendComposingIndication('active'));
      await until(() => seen.length === 1);
      assert.equal([seen[0].state, seen[0].refresh], ['active', 60]);
      alice.sendMessage('typed');
      await until(() => seen.length === 2);
      assert.is(seen[1].state, 'idle');
    } finally {
      await end(alice, bob);
    }
  });

  s('IMDN round trip: delivery and display notifications, none for the IMDNs', async () => {
    const [alice, bob] = await pair();
    try {
      const bobGot = collect<IncomingChatMessage>(bob, 'message');
      const delivered = collect<ChatDeliveredInfo>(alice, 'delivered');
      const displayed = next<{ messageId: string }>(alice, 'displayed');
      const handle = alice.sendMessage('did you read this?', { notifications: ['delivery', 'display'] });
      await until(() => delivered.length === 2);
      assert.equal(delivered.map((d) => d.source).sort(), ['imdn', 'report']);
      assert.ok(bob.markDisplayed(bobGot[0]));
      assert.is((await displayed).messageId, handle.messageId);
      await new Promise((r) => setTimeout(r, 50));
      assert.is(bobGot.length, 1, 'no IMDN came back for the IMDNs');
    } finally {
      await end(alice, bob);
    }
  });

  s('a private message to a peer without a=chatroom:private-messages is not delivered (428)', async () => {
    const [alice, bob] = await pair();
    try {
      const failed = next<ChatNotDeliveredInfo>(alice, 'notDelivered');
      const handle = alice.sendMessage('psst', { recipients: ['sip:carol@example.com'] });
      const info = await failed;
      assert.equal([info.messageId, info.source, info.code], [handle.messageId, 'local', 428]);
    } finally {
      await end(alice, bob);
    }
  });

  s('the peer refusing a type with 415: notDelivered', async () => {
    const [alice, bob] = await pair();
    try {
      // the peer's SDP said text/*; its session now takes less (a peer that changed its mind)
      bob.session!.transport.acceptTypes = ['text/html'];
      const failed = next<ChatNotDeliveredInfo>(alice, 'notDelivered');
      const handle = alice.sendMessage('plain text');
      const info = await failed;
      assert.equal([info.messageId, info.source, info.code], [handle.messageId, 'session', 415]);
      assert.is((await handle.done).delivered, false);
    } finally {
      await end(alice, bob);
    }
  });

  s('a peer that vanishes: the message in flight is not delivered', async () => {
    const [alice, bob] = await pair({ endTimeout: 300 });
    const socket = bob.session!.transport.connection.stream as net.Socket;
    socket.pause(); // Bob reads nothing more: no response, no REPORT
    const failed = next<ChatNotDeliveredInfo>(alice, 'notDelivered', 10_000);
    const handle = alice.sendMessage('into the void');
    await new Promise((r) => setTimeout(r, 30));
    socket.destroy();
    try {
      const info = await failed;
      assert.equal([info.messageId, info.source], [handle.messageId, 'session']);
      assert.is((await handle.done).delivered, false);
    } finally {
      await end(alice, bob);
    }
  });

  s.run();
}
