import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as C from '../../src/streams/cpim.ts';
import { rfc } from '../vectors/rfc-vectors.ts';
import { msrpBody, rejectsWith } from './helpers.ts';

const rejects = (fn: () => unknown, part: string) => rejectsWith(fn, 'MSRP_ERR_CPIM', part, 400);

const Vectors = suite('CPIM: RFC examples');

Vectors('RFC 3862 §5.1 body: every header, namespaces, Require, lang-tagged Subject', () => {
  const m = C.unwrapCpim(rfc('rfc3862-5.1-cpim-body.cpim'));
  assert.equal(m.from, { displayName: 'MR SANDERS', uri: 'im:piglet@100akerwood.com' });
  assert.equal(m.to, [{ displayName: 'Depressed Donkey', uri: 'im:eeyore@100akerwood.com' }]);
  assert.equal(m.cc, []);
  assert.is(m.dateTime?.date.toISOString(), '2000-12-13T21:40:00.000Z');
  assert.is(m.dateTime?.offsetMinutes, -480);
  assert.equal(m.subject, [
    { text: 'the weather will be fine today', lang: null },
    { text: "beau temps prevu pour aujourd'hui", lang: 'fr' },
  ]);
  assert.equal(m.namespaces, [{ prefix: 'MyFeatures', uri: 'mid:MessageFeatures@id.foo.com' }]);
  assert.equal(m.require, ['MyFeatures.VitalMessageOption']);
  assert.equal(C.cpimHeaders(m.headers, 'mid:MessageFeatures@id.foo.com', 'VitalMessageOption').map((h) => h.value), ['Confirmation-requested']);
  assert.equal(C.cpimHeaders(m.headers, 'mid:MessageFeatures@id.foo.com', 'WackyMessageOption').map((h) => h.value), ['Use-silly-font']);
  assert.is(m.headers.length, 9);
  assert.equal(m.headers[4], { name: 'Subject', params: [['lang', 'fr']], value: "beau temps prevu pour aujourd'hui" });
  assert.is(m.contentType, 'text/xml; charset=utf-8');
  assert.equal(m.contentHeaders, [
    { name: 'Content-type', value: 'text/xml; charset=utf-8' },
    { name: 'Content-ID', value: '<1234567890@foo.com>' },
  ]);
  assert.is(m.content.toString(), '<body>\r\nHere is the text of my message.\r\n</body>\r\n');
  assert.not.ok(m.blankLineMissing);
});

Vectors('RFC 3862 §5.1 body re-wraps octet for octet from its headers', () => {
  const bytes = rfc('rfc3862-5.1-cpim-body.cpim');
  const m = C.unwrapCpim(bytes);
  const again = C.wrapCpim(m.content, { headers: m.headers, contentHeaders: m.contentHeaders });
  assert.ok(again.equals(bytes), again.toString());
});

Vectors('RFC 3862 §5.1 whole object: the outer MIME header is read as content headers, the inner CPIM as content', () => {
  const outer = C.unwrapCpim(rfc('rfc3862-5.1-cpim.cpim'));
  assert.ok(outer.blankLineMissing);
  assert.is(outer.contentType, 'Message/CPIM');
  assert.equal(outer.headers, []);
  assert.ok(outer.content.equals(rfc('rfc3862-5.1-cpim-body.cpim')));
});

Vectors('RFC 4975 §11.4: two chunks joined, no blank line before Content-Type', () => {
  const body = Buffer.concat([msrpBody('rfc4975-11.4-fig14-cpim-chunk1-send.msrp'), msrpBody('rfc4975-11.4-fig15-cpim-chunk2-send.msrp')]);
  assert.is(body.length, 147);
  const m = C.unwrapCpim(body);
  assert.ok(m.blankLineMissing);
  assert.equal(m.to, [{ displayName: 'Bob', uri: 'sip:bob@example.com' }]);
  assert.equal(m.from, { displayName: 'Alice', uri: 'sip:alice@example.com' });
  assert.is(m.dateTime?.date.toISOString(), '2006-05-15T18:02:31.000Z');
  assert.is(m.dateTime?.offsetMinutes, -180);
  assert.is(m.contentType, 'text/plain');
  assert.is(m.content.toString(), 'ABCD1234567890');
});

Vectors('RFC 5547 §9.1 and §9.2: folded Content-Disposition in the content headers', () => {
  const m = C.unwrapCpim(msrpBody('rfc5547-9.1-fig10-send-chunk1.msrp'));
  assert.ok(m.blankLineMissing);
  assert.equal(m.contentHeaders, [
    { name: 'Content-Disposition', value: 'render; filename="My cool picture.jpg"; creation-date="Mon, 15 May 2006 15:01:31 +0300"; size=4092' },
    { name: 'Content-Type', value: 'image/jpeg' },
  ]);
  assert.is(m.contentType, 'image/jpeg');
  assert.is(m.content.toString(), '... first set of bytes of the JPEG image ...');
  const m2 = C.unwrapCpim(msrpBody('rfc5547-9.2-fig17-send.msrp'));
  assert.is(m2.contentHeaders[0].value, 'render; filename="My cool photo.jpg"; creation-date="Mon, 15 May 2006 15:01:31 +0300"; '
    + 'modification-date="Mon, 15 May 2006 16:04:53 +0300"; read-date="Mon, 16 May 2006 09:12:27 +0300"; size=1931');
  assert.is(m2.content.toString(), '...binary JPEG image...');
});

Vectors('RFC 5438 §7.1.1.3 IM (printed without blank lines): imdn namespace headers', () => {
  const text = 'From: Alice <im:alice@example.com>\r\nTo: Bob <im:bob@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\n'
    + 'imdn.Message-ID: 34jk324j\r\nDateTime: 2006-04-04T12:16:49-05:00\r\n'
    + 'imdn.Disposition-Notification: positive-delivery, negative-delivery\r\n'
    + 'Content-type: text/plain\r\nContent-length: 12\r\n\r\nHello World';
  const m = C.unwrapCpim(Buffer.from(text));
  assert.equal(C.cpimHeaders(m.headers, 'urn:ietf:params:imdn', 'Message-ID').map((h) => h.value), ['34jk324j']);
  assert.equal(C.cpimHeaders(m.headers, 'urn:ietf:params:imdn', 'Disposition-Notification').map((h) => h.value), ['positive-delivery, negative-delivery']);
  assert.is(m.content.toString(), 'Hello World');
});

const Wrap = suite('CPIM: wrapping');

Wrap('writes CRLF lines, case-sensitive names, blank lines after both header blocks', () => {
  const body = C.wrapCpim('hi', {
    contentType: 'text/plain;charset=utf-8',
    from: { displayName: 'Alice', uri: 'sip:alice@example.com' },
    to: ['sip:bob@example.com'],
    cc: [{ displayName: 'Carol "C" Smith', uri: 'sip:carol@example.com' }],
    dateTime: { date: new Date('2006-05-15T18:02:31Z'), offsetMinutes: -180 },
    subject: [{ text: 'hello', lang: null }, { text: 'bonjour', lang: 'fr' }],
    namespaces: [{ prefix: 'imdn', uri: 'urn:ietf:params:imdn' }],
    require: ['imdn.Disposition-Notification'],
    headers: [{ name: 'imdn.Message-ID', value: 'abc123' }],
    contentHeaders: [{ name: 'Content-ID', value: '<x@y>' }],
  });
  assert.is(body.toString(), 'From: Alice <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n'
    + 'cc: "Carol \\"C\\" Smith" <sip:carol@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\n'
    + 'DateTime: 2006-05-15T15:02:31-03:00\r\nSubject: hello\r\nSubject:;lang=fr bonjour\r\n'
    + 'Require: imdn.Disposition-Notification\r\nimdn.Message-ID: abc123\r\n\r\n'
    + 'Content-Type: text/plain;charset=utf-8\r\nContent-ID: <x@y>\r\n\r\nhi');
  const m = C.unwrapCpim(body);
  assert.equal(m.cc, [{ displayName: 'Carol "C" Smith', uri: 'sip:carol@example.com' }]);
  assert.is(m.require[0], 'imdn.Disposition-Notification');
});

Wrap('binary content passes untouched and comes back as a view', () => {
  const content = Buffer.from([0, 13, 10, 13, 10, 255, 0x2d, 0x2d, 0]);
  const body = C.wrapCpim(content, { contentType: 'application/octet-stream' });
  const m = C.unwrapCpim(body);
  assert.ok(m.content.equals(content));
  assert.is(m.content.buffer, body.buffer);
  assert.equal(m.headers, []);
});

Wrap('control characters in subjects are escaped and decoded back (RFC 3862 §2.3)', () => {
  const text = 'a\\b\tc\nd\re\u0001f\u007f"g\'';
  const body = C.wrapCpim('', { contentType: 'text/plain', subject: text });
  assert.is(body.toString().split('\r\n')[0], 'Subject: a\\\\b\\tc\\nd\\re\\u0001f\\u007f"g\'');
  assert.is(C.unwrapCpim(body).subject[0].text, text);
});

Wrap('a Date goes out in UTC with milliseconds only when present', () => {
  assert.is(C.formatCpimDateTime(new Date('2020-01-02T03:04:05Z')), '2020-01-02T03:04:05Z');
  assert.is(C.formatCpimDateTime(new Date('2020-01-02T03:04:05.120Z')), '2020-01-02T03:04:05.120Z');
  assert.is(C.formatCpimDateTime({ date: new Date('2020-01-01T00:30:00Z'), offsetMinutes: 330 }), '2020-01-01T06:00:00+05:30');
  assert.is(C.formatCpimDateTime({ date: new Date('2020-01-01T00:30:00Z'), offsetMinutes: -60 }), '2019-12-31T23:30:00-01:00');
});

Wrap('misuse throws RangeError', () => {
  assert.throws(() => C.wrapCpim('', { contentType: 'not a type' }), RangeError);
  assert.throws(() => C.wrapCpim('', {}), RangeError);
  assert.throws(() => C.wrapCpim('', { contentType: 'text/plain', to: ['sip:a b'] }), RangeError);
  assert.throws(() => C.wrapCpim('', { contentType: 'text/plain', headers: [{ name: 'Bad Name', value: 'x' }] }), RangeError);
  assert.throws(() => C.wrapCpim('', { contentType: 'text/plain', headers: [{ name: 'a.b.c', value: 'x' }] }), RangeError);
  assert.throws(() => C.wrapCpim('', { contentType: 'text/plain', headers: [{ name: 'X', value: 'a\r\nb' }] }), RangeError);
  assert.throws(() => C.wrapCpim('', { contentType: 'text/plain', require: ['a b'] }), RangeError);
  assert.throws(() => C.wrapCpim('', { contentType: 'text/plain', namespaces: [{ prefix: 'a.b', uri: 'urn:x' }] }), RangeError);
  assert.throws(() => C.wrapCpim('', { contentType: 'text/plain', dateTime: new Date(NaN) }), RangeError);
  assert.throws(() => C.wrapCpim('', { contentType: 'text/plain', dateTime: { date: new Date(0), offsetMinutes: 1440 } }), RangeError);
  assert.throws(() => C.wrapCpim('', { contentType: 'text/plain\r\nX: y' }), RangeError);
});

const Parse = suite('CPIM: parsing details');

Parse('header names are case-sensitive: "from" is not From (RFC 3862 §2.2)', () => {
  const m = C.unwrapCpim(Buffer.from('from: <sip:x@y>\r\nTO: <sip:z@y>\r\n\r\nContent-Type: text/plain\r\n\r\n'));
  assert.is(m.from, null);
  assert.equal(m.to, []);
  assert.is(m.headers.length, 2);
});

Parse('an NS without prefix moves the default namespace; prefixes resolve only after their declaration', () => {
  const text = 'x.A: early\r\nNS: x <urn:one>\r\nx.A: late\r\nNS: <urn:two>\r\nB: in-two\r\n\r\nContent-Type: text/plain\r\n\r\n';
  const m = C.unwrapCpim(Buffer.from(text));
  assert.equal(C.cpimHeaders(m.headers, 'urn:one', 'A').map((h) => h.value), ['late']);
  assert.equal(C.cpimHeaders(m.headers, 'urn:two', 'B').map((h) => h.value), ['in-two']);
  assert.equal(C.cpimHeaders(m.headers, C.CPIM_HEADERS_NS, 'B'), []);
  assert.equal(m.namespaces, [{ prefix: 'x', uri: 'urn:one' }, { prefix: null, uri: 'urn:two' }]);
});

Parse('addresses: quoted names with escapes, bare tokens, no name, bare URI tolerated', () => {
  assert.equal(C.parseCpimAddress('"A \\"q\\" \\\\ b" <im:a@b>'), { displayName: 'A "q" \\ b', uri: 'im:a@b' });
  assert.equal(C.parseCpimAddress('Winnie the Pooh <im:pooh@100akerwood.com>'), { displayName: 'Winnie the Pooh', uri: 'im:pooh@100akerwood.com' });
  assert.equal(C.parseCpimAddress('<im:tigger@100akerwood.com>'), { displayName: null, uri: 'im:tigger@100akerwood.com' });
  assert.equal(C.parseCpimAddress('sip:bare@example.com'), { displayName: null, uri: 'sip:bare@example.com' });
  assert.is(C.formatCpimAddress({ displayName: 'Winnie the Pooh', uri: 'im:p@x' }), 'Winnie the Pooh <im:p@x>');
  assert.is(C.formatCpimAddress({ displayName: 'Pooh, W.', uri: 'im:p@x' }), '"Pooh, W." <im:p@x>');
  assert.is(C.formatCpimAddress({ displayName: 'Zoë', uri: 'im:p@x' }), 'Zoë <im:p@x>');
});

Parse('DateTime: RFC 3339 variants, range checks, round trip of the instant', () => {
  const t = C.parseCpimDateTime('2001-02-01T12:16:49-05:00');
  assert.is(t.date.toISOString(), '2001-02-01T17:16:49.000Z');
  assert.is(C.formatCpimDateTime(t), '2001-02-01T12:16:49-05:00');
  assert.is(C.parseCpimDateTime('2003-01-27t10:43:00z').date.toISOString(), '2003-01-27T10:43:00.000Z');
  assert.is(C.parseCpimDateTime('2003-01-27 10:43:00.123456+0100').date.toISOString(), '2003-01-27T09:43:00.123Z');
  assert.is(C.parseCpimDateTime('2016-12-31T23:59:60Z').date.toISOString(), '2017-01-01T00:00:00.000Z');
  assert.is(C.parseCpimDateTime('0050-03-01T00:00:00Z').date.getUTCFullYear(), 50);
  assert.is(C.parseCpimDateTime('2004-02-29T00:00:00Z').date.getUTCDate(), 29);
  for (const bad of ['2003-02-29T00:00:00Z', '2003-13-01T00:00:00Z', '2003-01-01T24:00:00Z', '2003-01-01T00:60:00Z',
    '2003-01-01T00:00:00+24:00', '2003-01-01T00:00:00', '2003-1-01T00:00:00Z', 'yesterday']) {
    rejects(() => C.parseCpimDateTime(bad), 'DateTime');
  }
});

Parse('escape decoding: unknown escapes stand for the character, a trailing backslash is ignored', () => {
  assert.is(C.decodeCpimValue('a\\qb\\u00e9\\u00zz\\'), 'aqbéu00zz');
  assert.is(C.encodeCpimValue('é\u0000'), 'é\\u0000');
});

Parse('bare LF line ends and extra spaces after the colon are tolerated', () => {
  const m = C.unwrapCpim(Buffer.from('From:   <sip:a@b>\nTo:<sip:c@d>\n\nContent-Type: text/plain\n\nbody\n'));
  assert.is(m.from?.uri, 'sip:a@b');
  assert.is(m.to[0].uri, 'sip:c@d');
  assert.is(m.content.toString(), 'body\n');
});

Parse('no content headers, or content headers with no body', () => {
  assert.is(C.unwrapCpim(Buffer.from('From: <sip:a@b>\r\n\r\n\r\nxyz')).contentType, null);
  assert.is(C.unwrapCpim(Buffer.from('From: <sip:a@b>\r\n\r\n\r\nxyz')).content.toString(), 'xyz');
  const m = C.unwrapCpim(Buffer.from('From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n'));
  assert.is(m.contentType, 'text/plain');
  assert.is(m.content.length, 0);
});

Parse('malformed input: clear MSRP_ERR_CPIM errors', () => {
  rejects(() => C.unwrapCpim(Buffer.from('From: <sip:a@b>\r\n')), 'body ends inside the CPIM headers');
  rejects(() => C.unwrapCpim(Buffer.from('')), 'body ends inside the CPIM headers');
  rejects(() => C.unwrapCpim(Buffer.from('no colon here\r\n\r\n')), 'not a CPIM header line');
  rejects(() => C.unwrapCpim(Buffer.from('Bad Name: x\r\n\r\n')), 'not a CPIM header line');
  rejects(() => C.unwrapCpim(Buffer.from('From: Alice <sip:a@b\r\n\r\n')), 'expected ">"');
  rejects(() => C.unwrapCpim(Buffer.from('From: "Alice <sip:a@b>\r\n\r\n')), 'unterminated');
  rejects(() => C.unwrapCpim(Buffer.from('From: "Alice" x <sip:a@b>\r\n\r\n')), 'expected "<"');
  rejects(() => C.unwrapCpim(Buffer.from('To: <>\r\n\r\n')), 'invalid URI');
  rejects(() => C.unwrapCpim(Buffer.from('DateTime: now\r\n\r\n')), 'DateTime');
  rejects(() => C.unwrapCpim(Buffer.from('Subject:;lang fr x\r\n\r\n')), 'parameter name');
  rejects(() => C.unwrapCpim(Buffer.from('Subject:;lang= x\r\n\r\n')), 'has no value');
  rejects(() => C.unwrapCpim(Buffer.from('NS: a.b <urn:x>\r\n\r\n')), 'not a Name');
  rejects(() => C.unwrapCpim(Buffer.from('From: <sip:a@b>\r\n\r\nnot a header\r\n\r\n')), 'not a header line');
  rejects(() => C.unwrapCpim(Buffer.from('From: <sip:a@b>\r\n\r\n continued\r\n\r\n')), 'continuation line');
  rejects(() => C.unwrapCpim(Buffer.from(`X: ${'a'.repeat(100)}\r\n\r\n`), { maxHeaderBytes: 50 }), 'longer than 50');
});

const Head = suite('CPIM: the head of a body still arriving (readCpimHead)');

Head('RFC 4975 §11.4 first chunk: the header blocks without the blank line between them, before the rest', () => {
  const h = C.readCpimHead(msrpBody('rfc4975-11.4-fig14-cpim-chunk1-send.msrp'));
  assert.ok(h !== null);
  assert.equal(h.to, [{ displayName: 'Bob', uri: 'sip:bob@example.com' }]);
  assert.equal(h.from, { displayName: 'Alice', uri: 'sip:alice@example.com' });
  assert.is(h.contentType, 'text/plain');
  assert.ok(h.blankLineMissing);
  assert.not.ok('content' in h);
});

Head('null until the blank line after the MIME headers is in; a line cut by the chunk end is not read', () => {
  const head = Buffer.from('From: <sip:a@x>\r\nTo: <sip:b@x>\r\n\r\nContent-Type: image/png\r\n\r\n');
  const body = Buffer.concat([head, Buffer.from([0x89, 0x50, 0x4e, 0x47])]);
  const end = head.length;
  for (let cut = 0; cut < end; cut++) assert.is(C.readCpimHead(body.subarray(0, cut)), null, `cut at ${cut}`);
  for (let cut = end; cut <= body.length; cut++) assert.is(C.readCpimHead(body.subarray(0, cut))?.contentType, 'image/png');
  // "To: <sip:b@x" cut before its end would not parse as an address: it is left for a later look
  assert.is(C.readCpimHead(Buffer.from('From: <sip:a@x>\r\nTo: <sip:b@')), null);
  rejects(() => C.readCpimHead(Buffer.from('not a header\r\n\r\n')), 'not a CPIM header line');
});

Vectors.run();
Wrap.run();
Parse.run();
Head.run();
