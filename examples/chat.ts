/**
 * Two ChatStreams (RFC 4975 chat, CPIM-wrapped, RFC 3862) on 127.0.0.1: the
 * offer/answer goes as SDP text in memory, as a SIP stack would carry it.
 * Run: node --import tsx examples/chat.ts
 */
import { ChatStream, type ChatStreamOptions, formatSdp, type IncomingChatMessage } from '../src/index.ts';

const options = (me: string, peer: string): ChatStreamOptions => ({
  host: '127.0.0.1', localIdentity: { uri: me, displayName: null }, remoteIdentity: peer, endTimeout: 2000,
  connect: { pool: null, bindTimeout: 5000, connectTimeout: 5000 }, session: { keepalive: 0 },
});
const alice = new ChatStream(options('sip:alice@example.com', 'sip:bob@example.com'));
const bob = new ChatStream(options('sip:bob@example.com', 'sip:alice@example.com'));

// initialize() -> SDP offer; the answerer's initialize(offer) -> answer; both start().
const offer = formatSdp([await alice.initialize()]);
const answer = formatSdp([await bob.initialize(offer)]);
await Promise.all([alice.start(answer), bob.start(offer)]);

const got = new Promise<IncomingChatMessage>((resolve) => bob.once('message', resolve));
const delivered = new Promise<string>((resolve) => alice.once('delivered', (d) => resolve(d.source)));
const handle = alice.sendMessage('Hello Bob!');
const message = await got;
console.log(`bob got "${String(message.content)}" from ${message.sender.uri}`);
console.log(`delivered (${await delivered}); done: ${(await handle.done).delivered}`);

await Promise.all([alice.end(), bob.end()]);
console.log('chat example: ok');
