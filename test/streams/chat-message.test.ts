/**
 * chat-message.ts without sockets: argument checks, plain and wrapped
 * bodies, and reading received bodies (the RFC 4975 §11.4 CPIM message
 * without its blank line, charsets, multipart, IMDN and is-composing told
 * apart, private messages as RFC 7701 §6.2 defines them).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpChatError } from '../../src/errors.ts';
import { Chunk } from '../../src/protocol/chunk.ts';
import { wrapCpim } from '../../src/streams/cpim.ts';
import {
  type ChatContext, decodeContent, messageBody, prepareMessage, readIncoming, readIncomingHead, toIdentity,
} from '../../src/streams/chat-message.ts';
import { buildImdnResponse, readImdnRequest } from '../../src/streams/imdn.ts';
import { buildIsComposing } from '../../src/streams/is-composing.ts';
import { unwrapCpim } from '../../src/streams/cpim.ts';
import { msrpBody } from './helpers.ts';

const context: ChatContext = {
  local: { uri: 'sip:bob@example.com', displayName: null }, remote: { uri: 'sip:alice@example.com', displayName: 'Alice' },
  remoteIsFocus: false, localIsFocus: false,
};
const head = new Chunk({ transactionId: 'abcd1234', method: 'SEND' });

const out = suite('chat messages: outgoing');

out('plain unless meta-data needs CPIM; the wrapped body is the CPIM head and the content', () => {
  const plain = prepareMessage('hi', {}, context, 'm1m1');
  assert.not.ok(plain.mustWrap);
  assert.equal(messageBody(plain, false), { body: Buffer.from('hi'), contentType: 'text/plain' });
  const wrapped = messageBody(plain, true);
  assert.is(wrapped.contentType, 'message/cpim');
  const cpim = unwrapCpim(wrapped.body);
  assert.equal([cpim.from?.uri, cpim.to.map((t) => t.uri), cpim.contentType, cpim.content.toString()],
    ['sip:bob@example.com', ['sip:alice@example.com'], 'text/plain', 'hi']);
  for (const options of [{ timestamp: new Date() }, { subject: 's' }, { recipients: ['sip:x@example.com'] }, { notifications: ['display' as const] },
    { cpimHeaders: [{ name: 'X.Y', value: '1' }] }]) {
    assert.ok(prepareMessage('hi', options, context, 'm2m2').mustWrap, JSON.stringify(options));
  }
});

out('private: one recipient other than the peer; IMDN requests carry Message-ID, dispositions and a DateTime', () => {
  assert.ok(prepareMessage('x', { recipients: ['sip:carol@example.com'] }, context, 'm3m3').private);
  assert.not.ok(prepareMessage('x', { recipients: ['sip:alice@example.com'] }, context, 'm3m4').private);
  const p = prepareMessage('x', { notifications: ['delivery', 'display'] }, context, 'imdn42x');
  const request = readImdnRequest(unwrapCpim(messageBody(p, true).body));
  assert.equal([request?.messageId, request?.dispositions], ['imdn42x', ['positive-delivery', 'negative-delivery', 'display']]);
  // a chat room's regular messages go To itself (RFC 7701 §6.1)
  const room = prepareMessage('x', {}, { ...context, localIsFocus: true }, 'm5m5');
  assert.equal(unwrapCpim(messageBody(room, true).body).to.map((t) => t.uri), ['sip:bob@example.com']);
});

out('bad arguments throw MsrpChatError MSRP_ERR_CHAT_ARGUMENT', () => {
  const bad: Array<[unknown, object, ChatContext?]> = [
    [null, {}], [{}, {}], ['x', { contentType: 'nope' }], ['x', { timestamp: 'today' }], ['x', { notifications: ['x'] }],
    ['x', { recipients: ['a', 'b'] }, { ...context, remoteIsFocus: true }], ['x', { contentType: 'application/im-iscomposing+xml', notifications: ['delivery'] }],
    ['x', { cpimHeaders: [{ name: 'Bad Name', value: 'v' }] }],
  ];
  for (const [content, options, ctx] of bad) {
    assert.throws(() => prepareMessage(content, options, ctx ?? context, 'm6m6'), (e: unknown) => e instanceof MsrpChatError && e.code === 'MSRP_ERR_CHAT_ARGUMENT', JSON.stringify(options));
  }
});

const incoming = suite('chat messages: incoming');

incoming('the RFC 4975 §11.4 CPIM message, its two chunks joined, without the blank line before Content-Type', () => {
  const body = Buffer.concat([msrpBody('rfc4975-11.4-fig14-cpim-chunk1-send.msrp'), msrpBody('rfc4975-11.4-fig15-cpim-chunk2-send.msrp')]);
  const r = readIncoming(body, 'message/cpim', head, '12339sdqwer', context);
  assert.is(r.kind, 'message');
  if (r.kind !== 'message') return;
  assert.is(r.message.content, 'ABCD1234567890'); // the CRLF before each end-line is not body
  assert.is(r.message.contentType, 'text/plain');
  assert.equal(r.message.sender, { uri: 'sip:alice@example.com', displayName: 'Alice' });
  assert.is(r.message.timestamp.toISOString(), '2006-05-15T18:02:31.000Z');
  assert.is(r.message.private, false);
  assert.is(r.imdnRequest, null);
});

incoming('charsets: UTF-8 by default, the charset parameter, unknown charsets as UTF-8; binary types stay Buffers', () => {
  assert.is(decodeContent(Buffer.from('ü€'), 'text/plain'), 'ü€');
  assert.is(decodeContent(Buffer.from([0xfc]), 'text/plain; charset="ISO-8859-1"'), 'ü');
  assert.is(decodeContent(Buffer.from('ok'), 'text/plain;charset=x-unknown'), 'ok');
  assert.is(decodeContent(Buffer.from('<a/>'), 'application/foo+xml'), '<a/>');
  assert.instance(decodeContent(Buffer.from([1, 2]), 'image/png'), Buffer);
  assert.instance(decodeContent(Buffer.from([1, 2]), 'not a type'), Buffer);
});

incoming('is-composing plain or wrapped, IMDNs, and private messages from a focus', () => {
  const ic = buildIsComposing({ state: 'active', refresh: 60 });
  const plain = readIncoming(Buffer.from(ic), 'application/im-iscomposing+xml', head, 'c1c1', context);
  assert.equal(plain.kind === 'composing' && [plain.composing.state, plain.composing.refresh], ['active', 60]);
  const wrapped = readIncoming(wrapCpim(ic, { from: 'sip:alice@example.com', contentType: 'application/im-iscomposing+xml' }), 'message/cpim', head, 'c2c2', context);
  assert.is(wrapped.kind, 'composing');
  const request = readImdnRequest(unwrapCpim(messageBody(prepareMessage('x', { notifications: ['delivery'] }, context, 'q1q1'), true).body));
  const answer = buildImdnResponse(request!, { notification: 'delivery', status: 'delivered', from: 'sip:alice@example.com' });
  const imdn = readIncoming(answer, 'message/cpim', head, 'i1i1', context);
  assert.equal(imdn.kind === 'imdn' && [imdn.imdn.messageId, imdn.imdn.status, imdn.sender.uri], ['q1q1', 'delivered', 'sip:alice@example.com']);
  const focus = { ...context, remoteIsFocus: true };
  const toMe = wrapCpim('secret', { from: 'sip:carol@example.com', to: ['sip:bob@example.com'], contentType: 'text/plain' });
  const toRoom = wrapCpim('hello all', { from: 'sip:carol@example.com', to: ['sip:alice@example.com'], contentType: 'text/plain' });
  const p = readIncoming(toMe, 'message/cpim', head, 'p1p1', focus);
  const r = readIncoming(toRoom, 'message/cpim', head, 'p2p2', focus);
  assert.equal([p.kind === 'message' && p.message.private, r.kind === 'message' && r.message.private], [true, false]);
  assert.throws(() => readIncoming(Buffer.from('no headers here'), 'message/cpim', head, 'b1b1', context));
  assert.equal(toIdentity({ uri: 'u', displayName: null }), { uri: 'u', displayName: null });
});

incoming('the head of a first chunk: wrapped type and privacy as readIncoming finds them; null for what it does not check', () => {
  const focus = { ...context, remoteIsFocus: true };
  const toMe = wrapCpim(Buffer.alloc(5000), { from: 'sip:carol@example.com', to: ['sip:bob@example.com'], contentType: 'image/png' });
  const first = toMe.subarray(0, 200);
  assert.equal(readIncomingHead(first, 'message/cpim', focus), { contentType: 'image/png', private: true });
  assert.equal(readIncomingHead(first, 'Message/CPIM', context), { contentType: 'image/png', private: false });
  const whole = readIncoming(toMe, 'message/cpim', head, 'h1h1', focus);
  assert.equal(whole.kind === 'message' && [whole.message.contentType, whole.message.private], ['image/png', true]);
  // no MIME Content-Type inside: text/plain, as readIncoming takes it
  assert.equal(readIncomingHead(Buffer.from('From: <sip:a@x>\r\n\r\nContent-Length: 2\r\n\r\nhi'), 'message/cpim', context),
    { contentType: 'text/plain', private: false });
  const ic = wrapCpim(buildIsComposing({ state: 'active' }), { from: 'sip:alice@example.com', contentType: 'application/im-iscomposing+xml' });
  const request = readImdnRequest(unwrapCpim(messageBody(prepareMessage('x', { notifications: ['delivery'] }, context, 'q2q2'), true).body));
  const imdn = buildImdnResponse(request!, { notification: 'delivery', status: 'delivered', from: 'sip:alice@example.com' });
  const nothing: Array<[Buffer, string]> = [
    [Buffer.from('hi'), 'text/plain'], [toMe.subarray(0, 60), 'message/cpim'], [ic, 'message/cpim'], [imdn, 'message/cpim'],
    [Buffer.from('\r\nContent-Type: image/png\r\n\r\n'), 'message/cpim'], [Buffer.from('bad line\r\n\r\n'), 'message/cpim'],
  ];
  for (const [body, type] of nothing) assert.is(readIncomingHead(body, type, context), null, body.toString('latin1'));
});

out.run();
incoming.run();
