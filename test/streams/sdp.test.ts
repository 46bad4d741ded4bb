import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpParseError } from '../../src/errors.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import * as S from '../../src/streams/sdp.ts';
import { emptyFileAttributes } from '../../src/streams/sdp-file.ts';
import { rfcFiles } from '../vectors/rfc-vectors.ts';
import { rejectsWith, rfcText } from './helpers.ts';

/** A media description as plain JSON (paths as strings), for deep comparison. */
function plain(m: S.MsrpMedia): Record<string, unknown> {
  return JSON.parse(JSON.stringify(m));
}

/** The fields of `m` named in `want`, as plain JSON. */
function pick(m: S.MsrpMedia, want: Record<string, unknown>): Record<string, unknown> {
  const p = plain(m);
  return Object.fromEntries(Object.keys(want).map((k) => [k, p[k]]));
}

const rejects = (fn: () => unknown, part: string) => rejectsWith(fn, 'MSRP_ERR_SDP', part, 0);

const uri = (s: string) => MsrpUri.parse(s);
const SHA1 = '72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E';
const NO_FILE = { setup: null, fingerprints: [], chatroom: null, file: null, rfbSetup: null, otherAttributes: [], maxSize: null };

/** What each RFC SDP vector must parse to (fields not named are checked by the defaults in NO_FILE where given). */
const EXPECTED: Record<string, Record<string, unknown>> = {
  'rfc4975-8.7-fig9-offer.sdp': {
    ...NO_FILE, media: 'message', port: 7394, secure: false, connection: { ipVersion: 4, address: 'alice.example.com' },
    path: ['msrp://alice.example.com:7394/2s93i93idj;tcp'], acceptTypes: ['message/cpim', 'text/plain', 'text/html'],
    acceptWrappedTypes: [], direction: 'sendrecv', description: null, index: 0,
  },
  'rfc4975-8.7-fig10-answer.sdp': {
    ...NO_FILE, port: 8493, path: ['msrp://bob.example.com:8493/si438dsaodes;tcp'], acceptTypes: ['message/cpim', 'text/plain'],
    connection: { ipVersion: 4, address: 'bob.example.com' },
  },
  'rfc4975-11.1-offer.sdp': {
    ...NO_FILE, port: 7777, path: ['msrp://alicepc.example.com:7777/iau39soe2843z;tcp'], acceptTypes: ['text/plain'],
    connection: { ipVersion: 4, address: 'alicepc.example.com' },
  },
  'rfc4975-11.1-answer.sdp': {
    ...NO_FILE, port: 8888, path: ['msrp://bob.example.com:8888/9di4eae923wzd;tcp'], acceptTypes: ['text/plain'],
  },
  'rfc4976-11-offer.sdp-fragment': {
    ...NO_FILE, port: 1234, secure: false, connection: { ipVersion: 4, address: 'a.example.com' },
    path: ['msrp://a.example.com:1234/agic456;tcp'], acceptTypes: ['message/cpim', 'text/plain', 'text/html'],
  },
  'rfc4976-11-answer.sdp-fragment': {
    ...NO_FILE, port: 1234, secure: true, connection: { ipVersion: 4, address: 'bob.example.com' },
    path: ['msrps://relay.example.com:9000/hjdhfha;tcp', 'msrps://bob.example.com:1234/fuige;tcp'], acceptTypes: ['message/cpim', 'text/plain'],
  },
  'rfc7977-8.2.1-offer.sdp-fragment': {
    ...NO_FILE, port: 1234, secure: true, path: ['msrps://a.example.com:2855/jui787s2f;tcp', 'msrps://df7jal23ls0d.invalid:2855/98cjs;ws'],
    acceptTypes: ['message/cpim', 'text/plain', 'text/html'],
  },
  'rfc7977-8.2.1-answer.sdp-fragment': {
    ...NO_FILE, port: 1234, secure: true, path: ['msrps://bob.example.com:49154/foo;tcp'], acceptTypes: ['message/cpim', 'text/plain'],
  },
  'rfc7977-8.3.1-offer.sdp-fragment': {
    ...NO_FILE, secure: true, path: ['msrps://a.example.com:2855/jui787s2f;tcp', 'msrps://df7jal23ls0d.invalid:2855/98cjs;ws'],
  },
  'rfc7977-8.3.1-answer.sdp-fragment': {
    ...NO_FILE, secure: true, connection: { ipVersion: 4, address: 'a.example.com' },
    path: ['msrps://a.example.com:2855/iwnslt;tcp', 'msrps://jk9awp14vj8x.invalid:2855/76qwe;ws'], acceptTypes: ['message/cpim', 'text/plain'],
  },
  'rfc7977-8.4.1-offer.sdp-fragment': {
    ...NO_FILE, secure: true, path: ['msrps://a.example.com:2855/jui787s2f;tcp', 'msrps://df7jal23ls0d.invalid:2855/98cjs;ws'],
  },
  'rfc7977-8.4.1-answer.sdp-fragment': {
    ...NO_FILE, secure: true, connection: { ipVersion: 4, address: 'bob.example.com' },
    path: ['msrps://relay.example.net:2855/kwvin5f;tcp', 'msrps://bob.example.com:49154/foo;tcp'],
  },
  'rfc5547-6-fig2.sdp': {
    media: 'message', port: 7654, direction: 'sendonly', description: 'This is my latest picture',
    connection: { ipVersion: 4, address: 'host.atlanta.example.com' },
    acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], path: ['msrp://atlanta.example.com:7654/jshA7we;tcp'],
    file: {
      selector: { name: 'My cool picture.jpg', type: 'image/jpeg', size: 32349, hashes: [{ algorithm: 'sha-1', value: SHA1 }] },
      transferId: 'vBnG916bdberum2fFEABR1FR3ExZMUrd', disposition: 'attachment',
      date: { creation: 'Mon, 15 May 2006 15:01:31 +0300' }, icon: 'cid:id2@alicepc.example.com', range: { start: 1, stop: 32349 },
    },
    otherAttributes: [],
  },
  'rfc5547-9.1-fig8-offer.sdp': {
    port: 7654, direction: 'sendonly', description: 'This is my latest picture', path: ['msrp://alicepc.example.com:7654/jshA7we;tcp'],
    file: {
      selector: { name: 'My cool picture.jpg', type: 'image/jpeg', size: 4092, hashes: [{ algorithm: 'sha-1', value: SHA1 }] },
      transferId: 'Q6LMoGymJdh0IKIgD6wD0jkcfgva4xvE', disposition: 'render',
      date: { creation: 'Mon, 15 May 2006 15:01:31 +0300' }, icon: 'cid:id2@alicepc.example.com', range: null,
    },
  },
  'rfc5547-9.1-fig9-answer.sdp': {
    port: 8888, direction: 'recvonly', description: null, path: ['msrp://bobpc.example.com:8888/9di4ea;tcp'],
    acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'],
    file: {
      selector: { name: 'My cool picture.jpg', type: 'image/jpeg', size: 4092, hashes: [{ algorithm: 'sha-1', value: SHA1 }] },
      transferId: 'Q6LMoGymJdh0IKIgD6wD0jkcfgva4xvE', disposition: null, date: {}, icon: null, range: null,
    },
  },
  'rfc5547-9.2-fig15-offer.sdp': {
    direction: 'recvonly', path: ['msrp://alicepc.example.com:7654/jshA7we;tcp'],
    file: {
      selector: { name: null, type: null, size: null, hashes: [{ algorithm: 'sha-1', value: SHA1 }] },
      transferId: 'aCQYuBRVoUPGVsFZkCK98vzcX2FXDIk2', disposition: null, date: {}, icon: null, range: null,
    },
  },
  'rfc5547-9.2-fig16-answer.sdp': {
    direction: 'sendonly', path: ['msrp://bobpc.example.com:8888/9di4ea;tcp'],
    file: {
      selector: { name: null, type: 'image/jpeg', size: null, hashes: [{ algorithm: 'sha-1', value: SHA1 }] },
      transferId: 'aCQYuBRVoUPGVsFZkCK98vzcX2FXDIk2', disposition: null, date: {}, icon: null, range: null,
    },
  },
  'rfc5547-9.2-fig19-reoffer.sdp': {
    direction: 'sendonly', path: ['msrp://alicepc.example.com:7654/iau39;tcp'],
    file: {
      selector: { name: 'sunset.jpg', type: 'image/jpeg', size: 4096,
        hashes: [{ algorithm: 'sha-1', value: '58:23:1F:E8:65:3B:BC:F3:71:36:2F:86:D4:71:91:3E:E4:B1:DF:2F' }] },
      transferId: 'ZVE8MfI9mhAdZ8GyiNMzNN5dpqgzQlCO', disposition: 'render',
      date: { creation: 'Sun, 21 May 2006 13:02:15 +0300' }, icon: 'cid:id3@alicepc.example.com', range: null,
    },
  },
  'rfc5547-9.2-fig20-answer.sdp': {
    direction: 'recvonly', path: ['msrp://bobpc.example.com:8888/eh10dsk;tcp'],
    file: {
      selector: { name: 'sunset.jpg', type: 'image/jpeg', size: 4096,
        hashes: [{ algorithm: 'sha-1', value: '58:23:1F:E8:65:3B:BC:F3:71:36:2F:86:D4:71:91:3E:E4:B1:DF:2F' }] },
      transferId: 'ZVE8MfI9mhAdZ8GyiNMzNN5dpqgzQlCO', disposition: 'render', date: {}, icon: null, range: null,
    },
  },
  'rfc5547-9.3-fig24-capability.sdp': {
    port: 0, path: [], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], maxSize: 20000, direction: 'sendrecv',
    file: {
      selector: { name: null, type: null, size: null, hashes: [] }, transferId: null, disposition: null, date: {}, icon: null, range: null,
    },
  },
};

const Vectors = suite('SDP: every RFC vector parses to its values');

Vectors('the table covers every .sdp and .sdp-fragment vector', () => {
  assert.equal([...rfcFiles('.sdp'), ...rfcFiles('.sdp-fragment')].sort(), Object.keys(EXPECTED).sort());
});

for (const [file, want] of Object.entries(EXPECTED)) {
  Vectors(file, () => {
    const all = S.parseSdp(rfcText(file));
    assert.is(all.length, 1);
    assert.equal(pick(all[0], want), want);
  });
}

Vectors('each vector formats back to its own media lines (RFC attribute order kept)', () => {
  for (const file of Object.keys(EXPECTED)) {
    const text = rfcText(file);
    const media = S.parseMsrpMedia(text);
    const written = S.formatMsrpMedia(media).split('\r\n').filter((l) => l.startsWith('a=') || l.startsWith('m=') || l.startsWith('i='));
    // the RFC 4976 §11 fragments put a space after "a=accept-types:"; the writer does not
    const original = text.split('\r\n').filter((l) => /^[mia]=/.test(l)).map((l) => l.replace('a=accept-types: ', 'a=accept-types:'));
    assert.equal(written, original, file);
  }
});

const Build = suite('SDP: building');

Build('createMsrpMedia: defaults from the own (last) path URI; port 9 when active', () => {
  const own = uri('msrps://[2001:db8::1]:2856/abcd;tcp');
  const m = S.createMsrpMedia({ path: [uri('msrps://relay.example.com:9000/x1;tcp'), own], acceptTypes: ['text/plain'] });
  assert.equal(pick(m, { media: 0, port: 0, secure: 0, connection: 0, direction: 0, setup: 0 }),
    { media: 'message', port: 2856, secure: true, connection: { ipVersion: 6, address: '2001:db8::1' }, direction: 'sendrecv', setup: null });
  const active = S.createMsrpMedia({ path: [uri('msrp://10.0.0.1/s1;tcp')], acceptTypes: ['*'], setup: 'active' });
  assert.is(active.port, 9);
  assert.is(S.createMsrpMedia({ path: [uri('msrp://10.0.0.1/s1;tcp')], acceptTypes: ['*'] }).port, 2855);
  assert.throws(() => S.createMsrpMedia({ path: [], acceptTypes: ['*'] }), RangeError);
  assert.throws(() => S.createMsrpMedia({ path: [own], acceptTypes: [] }), RangeError);
});

Build('file attributes with nothing set write no line and parse back as null (found by the long SDP fuzz run)', () => {
  const m = S.createMsrpMedia({ path: [uri('msrp://0;tcp')], acceptTypes: ['application/x-rfb'] });
  const text = S.formatMsrpMedia({ ...m, port: 0, file: emptyFileAttributes() });
  assert.not.ok(text.includes('a=file'));
  assert.is(S.parseMsrpMedia(text).file, null);
});

Build('a chat offer with every attribute: written lines and the parse back', () => {
  const m = S.createMsrpMedia({
    path: [uri('msrps://alice.example.com:2855/s3cr3t;tcp')],
    connection: { ipVersion: 4, address: '192.0.2.1' },
    acceptTypes: S.withMandatoryTypes(['message/cpim', 'text/*']),
    acceptWrappedTypes: ['text/plain', 'application/im-iscomposing+xml'],
    maxSize: 1048576,
    setup: 'actpass',
    fingerprints: [{ hash: 'sha-256', value: 'AB:CD:EF:01' }, { hash: 'sha-1', value: '00:11' }],
    chatroom: ['nickname', 'private-messages'],
    direction: 'sendrecv',
    otherAttributes: [{ name: 'msrp-cema', value: null }, { name: 'connection', value: 'new' }],
  });
  const text = S.formatMsrpMedia(m);
  assert.is(text, 'm=message 2855 TCP/TLS/MSRP *\r\nc=IN IP4 192.0.2.1\r\n'
    + 'a=accept-types:message/cpim text/* multipart/mixed multipart/alternative\r\n'
    + 'a=accept-wrapped-types:text/plain application/im-iscomposing+xml\r\na=max-size:1048576\r\n'
    + 'a=path:msrps://alice.example.com:2855/s3cr3t;tcp\r\na=setup:actpass\r\n'
    + 'a=fingerprint:sha-256 AB:CD:EF:01\r\na=fingerprint:sha-1 00:11\r\n'
    + 'a=chatroom:nickname private-messages\r\na=msrp-cema\r\n');
  assert.not.ok(text.includes('a=connection'));
  const back = S.parseMsrpMedia(text);
  assert.equal(plain({ ...back, index: undefined } as unknown as S.MsrpMedia), plain({ ...m, otherAttributes: [{ name: 'msrp-cema', value: null }] }));
});

Build('desktop sharing: m=application with a=rfbsetup, as sipsimple writes it', () => {
  const m = S.createMsrpMedia({
    media: 'application', path: [uri('msrp://10.0.0.2:2855/rfb1;tcp')], acceptTypes: ['application/x-rfb'], rfbSetup: S.rfbSetupFor('viewer'),
  });
  const text = S.formatMsrpMedia(m);
  assert.is(text.split('\r\n')[0], 'm=application 2855 TCP/MSRP *');
  assert.ok(text.includes('a=rfbsetup:active\r\n'));
  const back = S.parseMsrpMedia(text);
  assert.is(back.media, 'application');
  assert.is(S.rfbRoleFacing(back), 'server');
  assert.is(S.rfbRoleFacing({ rfbSetup: 'passive' }), 'viewer');
  assert.is(S.rfbRoleFacing({ rfbSetup: null }), 'server');
  assert.is(S.rfbSetupFor('server'), 'passive');
});

Build('file transfer attributes: names percent-encoded, type parameters quoted, several hashes', () => {
  const m = S.createMsrpMedia({
    path: [uri('msrp://10.0.0.3:2855/ft;tcp')], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], direction: 'sendonly',
    file: {
      selector: { name: 'a "b" 100%/c\\d ü.txt', type: 'text/plain;charset=utf-8', size: 12, hashes: [{ algorithm: 'sha-1', value: 'ab:cd' }, { algorithm: 'sha-256', value: 'EF:01' }] },
      transferId: 'tid42', disposition: 'attachment',
      date: { creation: S.formatFileDate(new Date('2006-05-15T12:01:31Z')), read: 'Mon, 15 May 2006 16:04:53 +0300' },
      icon: 'cid:icon@example.com', range: { start: 5, stop: '*' },
    },
  });
  const lines = S.formatMsrpMedia(m).split('\r\n');
  assert.ok(lines.includes('a=file-selector:name:"a %22b%22 100%25%2Fc%5Cd ü.txt" type:text/plain;charset="utf-8" size:12 hash:sha-1:AB:CD hash:sha-256:EF:01'), lines.join('\n'));
  assert.ok(lines.includes('a=file-date:creation:"Mon, 15 May 2006 12:01:31 +0000" read:"Mon, 15 May 2006 16:04:53 +0300"'));
  assert.ok(lines.includes('a=file-range:5-*'));
  const back = S.parseMsrpMedia(lines.join('\r\n'));
  assert.equal(back.file?.selector, { name: 'a "b" 100%/c\\d ü.txt', type: 'text/plain;charset=utf-8', size: 12, hashes: [{ algorithm: 'sha-1', value: 'AB:CD' }, { algorithm: 'sha-256', value: 'EF:01' }] });
  assert.equal(back.file?.range, { start: 5, stop: '*' });
  // a bare a=file-selector (RFC 5547 §8.5 capability query) is written bare
  assert.ok(S.formatMsrpMedia({ ...m, file: { ...m.file!, selector: { name: null, type: null, size: null, hashes: [] } } }).includes('a=file-selector\r\n'));
});

Build('formatSdp writes a whole description that parses back', () => {
  const m = S.createMsrpMedia({ path: [uri('msrp://192.0.2.7:7777/abc;tcp')], acceptTypes: ['text/plain'] });
  const text = S.formatSdp([m], { sessionId: 2890844526, username: 'alice' });
  assert.is(text, 'v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.7\r\ns=-\r\nt=0 0\r\nm=message 7777 TCP/MSRP *\r\n'
    + 'c=IN IP4 192.0.2.7\r\na=accept-types:text/plain\r\na=path:msrp://192.0.2.7:7777/abc;tcp\r\n');
  assert.equal(plain(S.parseMsrpMedia(text)), { ...plain(m), index: 0 });
});

Build('misuse while writing throws RangeError', () => {
  const m = S.createMsrpMedia({ path: [uri('msrp://h/x1;tcp')], acceptTypes: ['text/plain'] });
  const bad: Array<Partial<S.MsrpMedia>> = [
    { acceptTypes: [] }, { acceptTypes: ['plain'] }, { acceptWrappedTypes: ['a b'] }, { maxSize: -1 }, { port: 70000 },
    { fingerprints: [{ hash: 'sha-1', value: 'ab:cd' }] }, { chatroom: ['a b'] }, { description: 'x\r\ny' },
    { connection: { ipVersion: 4, address: '' } }, { otherAttributes: [{ name: 'x y', value: null }] },
    { otherAttributes: [{ name: 'x', value: 'a\nb' }] },
    { file: { selector: { name: '', type: null, size: null, hashes: [] }, transferId: null, disposition: null, date: {}, icon: null, range: null } },
    { file: { selector: null, transferId: 'a b', disposition: null, date: {}, icon: null, range: null } },
    { file: { selector: null, transferId: null, disposition: null, date: { creation: 'a"b' }, icon: null, range: null } },
    { file: { selector: null, transferId: null, disposition: null, date: {}, icon: 'http://x', range: null } },
    { file: { selector: null, transferId: null, disposition: null, date: {}, icon: null, range: { start: 0, stop: 5 } } },
    { file: { selector: { name: null, type: null, size: 1.5, hashes: [] }, transferId: null, disposition: null, date: {}, icon: null, range: null } },
    { file: { selector: { name: null, type: null, size: null, hashes: [{ algorithm: 'sha-1', value: 'xyz' }] }, transferId: null, disposition: null, date: {}, icon: null, range: null } },
  ];
  for (const change of bad) assert.throws(() => S.formatMsrpMedia({ ...m, ...change }), RangeError, JSON.stringify(change));
  assert.throws(() => S.formatFileDate(new Date(NaN)), RangeError);
});

const Parse = suite('SDP: parsing rules');

const FRAG = 'c=IN IP4 10.0.0.1\r\nm=message 7000 TCP/MSRP *\r\na=accept-types:text/plain\r\na=path:msrp://10.0.0.1:7000/s1;tcp\r\n';

Parse('a=setup: holdconn reads as absent; session level applies unless the media says otherwise', () => {
  assert.is(S.parseMsrpMedia(`${FRAG}a=setup:holdconn\r\n`).setup, null);
  assert.is(S.parseMsrpMedia(`${FRAG}a=setup:ACTPASS\r\n`).setup, 'actpass');
  assert.is(S.parseMsrpMedia(`a=setup:active\r\n${FRAG}`).setup, 'active');
  assert.is(S.parseMsrpMedia(`a=setup:active\r\n${FRAG}a=setup:holdconn\r\n`).setup, null);
  assert.is(S.parseMsrpMedia(`a=recvonly\r\n${FRAG}`).direction, 'recvonly');
  assert.is(S.parseMsrpMedia(`a=recvonly\r\n${FRAG}a=inactive\r\n`).direction, 'inactive');
  const fp = S.parseMsrpMedia(`a=fingerprint:SHA-256 ab:cd\r\n${FRAG}`).fingerprints;
  assert.equal(fp, [{ hash: 'sha-256', value: 'AB:CD' }]);
  assert.equal(S.parseMsrpMedia(`a=fingerprint:sha-1 00:11\r\n${FRAG}a=fingerprint:sha-256 22:33\r\n`).fingerprints, [{ hash: 'sha-256', value: '22:33' }]);
});

Parse('a=connection is ignored; a=chatroom bare or with tokens; IPv6 c=; other m= lines skipped but counted', () => {
  const m = S.parseMsrpMedia(`${FRAG}a=connection:new\r\na=chatroom\r\n`);
  assert.equal(m.otherAttributes, []);
  assert.equal(m.chatroom, []);
  assert.equal(S.parseMsrpMedia(`${FRAG}a=chatroom:nickname private-messages com.example.chat.foo\r\n`).chatroom, ['nickname', 'private-messages', 'com.example.chat.foo']);
  const v6 = S.parseMsrpMedia('m=message 7000 TCP/MSRP *\r\nc=IN IP6 2001:db8::2\r\na=accept-types:*\r\na=path:msrp://[2001:db8::2]:7000/s1;tcp\r\n');
  assert.equal(v6.connection, { ipVersion: 6, address: '2001:db8::2' });
  const all = S.parseSdp(`v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n${FRAG}m=message 7001 TCP/TLS/MSRP *\r\na=accept-types:text/plain\r\na=path:msrps://10.0.0.1:7001/s2;tcp\r\n`);
  assert.equal(all.map((x) => [x.index, x.port, x.secure, x.direction]), [[1, 7000, false, 'sendrecv'], [2, 7001, true, 'sendrecv']]);
  assert.equal(S.parseSdp('v=0\r\nm=audio 4000 RTP/AVP 0\r\n'), []);
});

Parse('LF-only lines, quoted parameters in accept-types, unknown attributes kept in order', () => {
  const m = S.parseMsrpMedia('m=message 7000 TCP/MSRP *\na=accept-types:text/plain;charset="a b" *\na=x-one:1\na=path:msrp://h:7000/s1;tcp\na=x-two\n');
  assert.equal(m.acceptTypes, ['text/plain;charset="a b"', '*']);
  assert.equal(m.otherAttributes, [{ name: 'x-one', value: '1' }, { name: 'x-two', value: null }]);
});

Parse('malformed MSRP sections: MSRP_ERR_SDP naming the problem', () => {
  rejects(() => S.parseMsrpMedia('v=0\r\n'), 'no m= line');
  rejects(() => S.parseMsrpMedia('m=message 7000 TCP/MSRP *\r\na=path:msrp://h:7000/s1;tcp\r\n'), 'no a=accept-types');
  rejects(() => S.parseMsrpMedia('m=message 7000 TCP/MSRP *\r\na=accept-types:text/plain\r\n'), 'no a=path');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=path:http://x\r\n`), 'a=path');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=accept-types:plain\r\n`), 'not "*" or a media type');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=max-size:lots\r\n`), 'a=max-size');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=setup:sometimes\r\n`), 'a=setup');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=fingerprint:sha-1\r\n`), 'a=fingerprint');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=fingerprint:sha-1 zz:00\r\n`), 'a=fingerprint');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=fingerprint:MD5 AB:CD\r\n`), 'not supported'); // RFC 8122 §5, the connect module's rule
  rejects(() => S.parseMsrpMedia(`${FRAG}a=rfbsetup:maybe\r\n`), 'a=rfbsetup');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-selector:name:unquoted\r\n`), 'must be quoted');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-selector:name:"open\r\n`), 'unterminated');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-selector:size:big\r\n`), 'size');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-selector:hash:sha-1\r\n`), 'hash');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-selector:type:image\r\n`), 'not a media type');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-selector:type:image/png;x\r\n`), 'has no value');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-selector:junk\r\n`), 'selector:value');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-range:0-5\r\n`), 'file-range');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-range:9-5\r\n`), 'file-range');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-range:a-b\r\n`), 'file-range');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-date:creation:"x" creation:"y"\r\n`), 'twice');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-date:birth:"x"\r\n`), 'unknown parameter');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-date:yesterday\r\n`), 'a=file-date');
  rejects(() => S.parseMsrpMedia(`${FRAG}a=file-transfer-id:a b\r\n`), 'not a token');
});

Parse('file-selector: unknown selectors skipped, percent escapes decoded as UTF-8, type params re-encoded', () => {
  const m = S.parseMsrpMedia(`${FRAG}a=file-selector:name:"%C3%A9t%C3%A9 100%.txt" future:xyz type:text/plain;charset="utf-8";name="a%20b" size:0\r\n`);
  assert.equal(m.file?.selector, { name: 'été 100%.txt', type: 'text/plain;charset=utf-8;name="a b"', size: 0, hashes: [] });
  assert.is(S.parseMsrpMedia(`${FRAG}a=file-transfer-id:abc\r\n`).file?.selector, null);
  assert.equal(S.parseMsrpMedia(`${FRAG}a=file-unknown:abc\r\n`).otherAttributes, [{ name: 'file-unknown', value: 'abc' }]);
});

Parse('any SDP text either parses or throws MsrpParseError', () => {
  const samples = ['', 'garbage', 'm=message x TCP/MSRP *', 'm=message 1 TCP/MSRP *\r\na=accept-types:\r\na=path:', '\u0000\r\nm=\r\na=', `${FRAG}a=file-selector:name:"%ZZ"\r\n`];
  for (const s of samples) {
    try {
      S.parseSdp(s);
    } catch (err) {
      assert.instance(err, MsrpParseError, JSON.stringify(s));
    }
  }
});

Vectors.run();
Build.run();
Parse.run();
