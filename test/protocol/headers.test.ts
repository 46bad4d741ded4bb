import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HeaderId } from '../../src/core/constants.ts';
import { MsrpParseError } from '../../src/errors.ts';
import * as H from '../../src/protocol/headers.ts';

/** Asserts that `fn` throws MsrpParseError MSRP_ERR_HEADER with `status` and exactly `message`. */
function rejects(fn: () => unknown, message: string, status = 400): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, MsrpParseError, message);
    const e = err as MsrpParseError;
    assert.is(e.code, 'MSRP_ERR_HEADER');
    assert.is(e.statusCode, status, message);
    assert.not.ok(e.fatal);
    assert.is(e.message, message);
    return;
  }
  assert.unreachable(`did not throw: ${message}`);
}

const Path = suite('To-Path / From-Path / Use-Path');

Path('parses the RFC examples, liberal about spaces', () => {
  // RFC 4976 §3, as received at relay b (three spaces after the colon)
  const path = H.parsePath('   msrps://a.example.org:9000/kjfjan;tcp msrps://bob.example.net:8145/foo;tcp');
  assert.equal(path.map(String), ['msrps://a.example.org:9000/kjfjan;tcp', 'msrps://bob.example.net:8145/foo;tcp']);
  // RFC 4976 §5.1 m3nbvx: Use-Path repeats one URI
  const use = H.parsePath('msrps://extra.example.com:9000/mywdEe1233;tcp msrps://extra.example.com:9000/mywdEe1233;tcp');
  assert.is(use.length, 2);
  assert.ok(use[0].equals(use[1]));
  assert.equal(H.parsePath(' msrp://a:1;tcp \t  msrp://b:2;ws  ').map(String), ['msrp://a:1;tcp', 'msrp://b:2;ws']);
});

Path('userinfo is found in whichever URIs carry it', () => {
  const path = H.parsePath('msrp://u1@a:1;tcp msrp://b:2;tcp msrp://c:3;tcp msrp://u4@d:4;tcp msrps://e;tcp');
  assert.equal(path.map((u) => [u.user, u.host]), [['u1', 'a'], [null, 'b'], [null, 'c'], ['u4', 'd'], [null, 'e']]);
});

Path('formats with one SP and round-trips', () => {
  const text = 'msrps://alice@intra.example.com;tcp msrps://df7jal23ls0d.invalid:2855/98cjs;ws msrp://[::1]:1/x;tcp';
  assert.is(H.formatPath(H.parsePath(text)), text);
  assert.throws(() => H.formatPath([]), (e: unknown) => e instanceof RangeError);
});

Path('rejections', () => {
  rejects(() => H.parsePath(''), 'path is empty: at least one MSRP URI is required');
  rejects(() => H.parsePath('  \t '), 'path is empty: at least one MSRP URI is required');
  rejects(() => H.parsePath('msrp://a:1;tcp msrp://b:x;tcp'),
    'invalid URI in path: port has no digits, found character "x" at index 24 in "msrp://a:1;tcp msrp://b:x;tcp"');
  rejects(() => H.parsePath('msrp://a:1;tcp,msrp://b:1;tcp'),
    'invalid URI in path: invalid character "," in transport at index 14 in "msrp://a:1;tcp,msrp://b:1;tcp"');
});

Path.run();

const Range = suite('Byte-Range');

Range('parses numbers and "*", round-trips', () => {
  const cases: Array<[string, H.ByteRange]> = [
    ['1-25/25', { start: 1, end: 25, total: 25 }],
    ['1-*/8', { start: 1, end: '*', total: 8 }],
    ['1-*/*', { start: 1, end: '*', total: '*' }],
    ['138-148/148', { start: 138, end: 148, total: 148 }],
    ['1-0/0', { start: 1, end: 0, total: 0 }],
    ['5-*/*', { start: 5, end: '*', total: '*' }],
    ['9007199254740991-9007199254740991/9007199254740991',
      { start: 2 ** 53 - 1, end: 2 ** 53 - 1, total: 2 ** 53 - 1 }],
  ];
  for (const [text, range] of cases) {
    assert.equal(H.parseByteRange(text), range, text);
    assert.is(H.formatByteRange(range), text);
  }
  assert.equal(H.parseByteRange(' 01-02/03 '), { start: 1, end: 2, total: 3 });
});

Range('rejections', () => {
  rejects(() => H.parseByteRange(''), 'Byte-Range "": range-start is not digits at index 0');
  rejects(() => H.parseByteRange('*-1/1'), 'Byte-Range "*-1/1": range-start is not digits at index 0');
  rejects(() => H.parseByteRange('1/1'), 'Byte-Range "1/1": expected "-" after range-start at index 1');
  rejects(() => H.parseByteRange('1-x/1'), 'Byte-Range "1-x/1": range-end is not digits or "*" at index 2');
  rejects(() => H.parseByteRange('1-1'), 'Byte-Range "1-1": expected "/" after range-end at index 3');
  rejects(() => H.parseByteRange('1-1/'), 'Byte-Range "1-1/": total is not digits or "*" at index 4');
  rejects(() => H.parseByteRange('1-1/1 x'), 'Byte-Range "1-1/1 x": unexpected characters after total at index 5');
  rejects(() => H.parseByteRange('1 - 1/1'), 'Byte-Range "1 - 1/1": expected "-" after range-start at index 1');
  rejects(() => H.parseByteRange('9007199254740992-*/*'), 'Byte-Range "9007199254740992-*/*": range-start is above 2^53-1');
  rejects(() => H.parseByteRange('1-9007199254740992/*'), 'Byte-Range "1-9007199254740992/*": range-end is above 2^53-1');
  rejects(() => H.parseByteRange('1-1/99999999999999999999'), 'Byte-Range "1-1/99999999999999999999": total is above 2^53-1');
  rejects(() => H.parseByteRange('0-1/1'), 'Byte-Range "0-1/1": range-start must be at least 1 (RFC 4975 §7.1.1)');
  rejects(() => H.parseByteRange('5-3/9'), 'Byte-Range "5-3/9": range-end is before range-start');
  rejects(() => H.parseByteRange('1-10/9'), 'Byte-Range "1-10/9": range-end is past total');
  rejects(() => H.parseByteRange('11-*/9'), 'Byte-Range "11-*/9": range-start is past total');
});

Range('format refuses what parse would reject', () => {
  const bad: H.ByteRange[] = [
    { start: 0, end: 1, total: 1 }, { start: 1.5, end: 2, total: 2 }, { start: 2 ** 53, end: '*', total: '*' },
    { start: 1, end: -1, total: '*' }, { start: 3, end: 1, total: 3 }, { start: 1, end: 5, total: 4 },
  ];
  for (const r of bad) assert.throws(() => H.formatByteRange(r), (e: unknown) => e instanceof RangeError, JSON.stringify(r));
});

Range.run();

const Status = suite('Status, Success-Report, Failure-Report');

Status('parses namespace, code and comment; round-trips', () => {
  const cases: Array<[string, H.MsrpStatus]> = [
    ['000 200 OK', { namespace: 0, code: 200, comment: 'OK' }],
    ['000 413', { namespace: 0, code: 413, comment: null }],
    ['123 456 some extension comment', { namespace: 123, code: 456, comment: 'some extension comment' }],
    ['000 481 Session Does Not Exist', { namespace: 0, code: 481, comment: 'Session Does Not Exist' }],
    ['999 099 ünïcödé', { namespace: 999, code: 99, comment: 'ünïcödé' }],
  ];
  for (const [text, status] of cases) {
    assert.equal(H.parseStatus(text), status, text);
    assert.is(H.formatStatus(status), text);
  }
  assert.equal(H.parseStatus('  000  200   OK  '), { namespace: 0, code: 200, comment: 'OK' });
});

Status('namespace 000 is interpreted as a response code, others are not', () => {
  assert.is(H.statusResponseCode(H.parseStatus('000 200 OK')), 200);
  assert.is(H.statusResponseCode(H.parseStatus('001 200 OK')), null);
});

Status('rejections', () => {
  rejects(() => H.parseStatus('200 OK'), 'Status "200 OK": status-code is not three digits at index 4');
  rejects(() => H.parseStatus('00 200'), 'Status "00 200": namespace is not three digits at index 0');
  rejects(() => H.parseStatus('0000 200'), 'Status "0000 200": expected SP after the namespace at index 3');
  rejects(() => H.parseStatus('000 2000'), 'Status "000 2000": expected SP after the status-code at index 7');
  rejects(() => H.parseStatus('000'), 'Status "000": expected SP after the namespace at index 3');
  rejects(() => H.parseStatus('000 20x'), 'Status "000 20x": status-code is not three digits at index 4');
  rejects(() => H.parseStatus('000 200 O\x00K'), 'Status comment contains control character "\\u0000" at index 1');
  assert.throws(() => H.formatStatus({ namespace: 1000, code: 200, comment: null }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => H.formatStatus({ namespace: 0, code: 200, comment: 'a\r\nb' }), (e: unknown) => e instanceof RangeError);
});

Status('report values are case-insensitive; Success-Report has no "partial"', () => {
  assert.is(H.parseReport('yes'), 'yes');
  assert.is(H.parseReport(' No '), 'no');
  assert.is(H.parseFailureReport('PARTIAL'), 'partial');
  assert.is(H.parseSuccessReport('yes'), 'yes');
  rejects(() => H.parseSuccessReport('partial'), 'Success-Report value "partial" is not allowed (only "yes" or "no")');
  rejects(() => H.parseReport('maybe'), 'report value "maybe" is not "yes", "no" or "partial"');
  rejects(() => H.parseFailureReport(''), 'report value "" is not "yes", "no" or "partial"');
});

Status.run();

const Ids = suite('Message-ID, Content-ID, Content-Description');

Ids('Message-ID is an ident', () => {
  for (const id of ['87652', '12339sdqwer', '4564dpWd', 'a.-+', 'A%=b', 'x'.repeat(32)]) assert.is(H.parseMessageId(` ${id} `), id);
  const message = (v: string) => `Message-ID ${JSON.stringify(v)} is not an ident (4 to 32 characters: a letter or digit, then letters, digits, ".", "-", "+", "%", "=")`;
  for (const bad of ['abc', 'x'.repeat(33), '.abc', 'ab cd', 'abc/', 'abcé', '']) rejects(() => H.parseMessageId(bad), message(bad));
  assert.ok(H.isIdent('49fh'));
  assert.not.ok(H.isIdent('-49fh'));
  // characters beyond ASCII whose low seven bits are ident characters ('A', '.', 'A')
  for (const bad of ['\u00c1bcd', 'ab\u00aecd', 'abc\u0141']) assert.not.ok(H.isIdent(bad), JSON.stringify(bad));
});

Ids('Content-ID is <id>', () => {
  assert.is(H.parseContentId(' <abc@example.com> '), 'abc@example.com');
  assert.is(H.formatContentId('abc@example.com'), '<abc@example.com>');
  rejects(() => H.parseContentId('abc@example.com'), 'Content-ID "abc@example.com" is not of the form "<id>"');
  rejects(() => H.parseContentId('<>'), 'Content-ID "<>" is not of the form "<id>"');
  rejects(() => H.parseContentId('<a b>'), 'Content-ID "<a b>": invalid character " " at index 2');
  rejects(() => H.parseContentId('<a<b>'), 'Content-ID "<a<b>": invalid character "<" at index 2');
  assert.throws(() => H.formatContentId(''), (e: unknown) => e instanceof RangeError);
  assert.throws(() => H.formatContentId('a>b'), (e: unknown) => e instanceof RangeError);
});

Ids('Content-Description is text', () => {
  assert.is(H.parseContentDescription('  a photo of the sunset  '), 'a photo of the sunset');
  rejects(() => H.parseContentDescription('a\nb'), 'Content-Description contains control character "\\n" at index 1');
});

Ids.run();

const Media = suite('Content-Type, Content-Disposition, accept-types matching');

Media('parses type, subtype and parameters; round-trips', () => {
  assert.equal(H.parseContentType('text/plain'), { type: 'text', subtype: 'plain', params: [] });
  assert.equal(H.parseContentType('Text/HTML; Charset=UTF-8; format="flowed"; x="a \\"q\\" \\\\"; bare'), {
    type: 'text', subtype: 'html', params: [['charset', 'UTF-8'], ['format', 'flowed'], ['x', 'a "q" \\'], ['bare', '']],
  });
  for (const text of ['message/cpim', 'application/xhtml+xml', 'text/plain;charset=utf-8', 'a/b;x="a b";y;z="\\"\\\\"']) {
    assert.is(H.formatContentType(H.parseContentType(text)), text);
  }
  assert.is(H.formatContentType({ type: 'text', subtype: 'plain', params: [['name', 'a;b'], ['e', '']] }), 'text/plain;name="a;b";e');
});

Media('Content-Type rejections', () => {
  rejects(() => H.parseContentType(''), 'Content-Type "": type is not a token at index 0');
  rejects(() => H.parseContentType('text'), 'Content-Type "text": expected "/" after the type at index 4');
  rejects(() => H.parseContentType('text/'), 'Content-Type "text/": subtype is not a token at index 5');
  rejects(() => H.parseContentType('text/plain charset=x'), 'Content-Type "text/plain charset=x": expected ";" at index 11');
  rejects(() => H.parseContentType('text/plain;=x'), 'Content-Type "text/plain;=x": parameter name is not a token at index 11');
  rejects(() => H.parseContentType('text/plain;a='), 'Content-Type "text/plain;a=": parameter value is not a token or quoted-string at index 13');
  rejects(() => H.parseContentType('text/plain;a="x'), 'Content-Type: unterminated quoted-string starting at index 13 in "text/plain;a=\\"x"');
  rejects(() => H.parseContentType('text/plain;a=1; A=2'), 'Content-Type "text/plain;a=1; A=2": parameter a appears twice');
  rejects(() => H.parseContentType('text/plain;a="\x01"'), 'Content-Type: control character in quoted-string at index 14 in "text/plain;a=\\"\\u0001\\""');
  assert.throws(() => H.formatContentType({ type: 'te xt', subtype: 'plain', params: [] }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => H.formatContentType({ type: 'text', subtype: 'plain', params: [['a b', '1']] }), (e: unknown) => e instanceof RangeError);
});

Media('Content-Disposition (RFC 5547 bodies, trailing ";" tolerated)', () => {
  assert.equal(H.parseContentDisposition('render; filename="My cool photo.jpg";'),
    { type: 'render', params: [['filename', 'My cool photo.jpg']] });
  const d: H.ContentDisposition = { type: 'attachment', params: [['filename', 'Sunset.jpg'], ['size', '4092']] };
  assert.equal(H.parseContentDisposition(H.formatContentDisposition(d)), d);
  rejects(() => H.parseContentDisposition('; x'), 'Content-Disposition "; x": disposition type is not a token at index 0');
  assert.throws(() => H.formatContentDisposition({ type: '', params: [] }), (e: unknown) => e instanceof RangeError);
});

Media('mediaTypeMatches follows RFC 4975 §8.6', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', 'image/jpeg', true],
    ['text/*', 'text/plain', true],
    ['text/*', 'image/png', false],
    ['text/plain', 'TEXT/Plain', true],
    ['text/plain', 'text/html', false],
    ['message/cpim', 'message/cpim', true],
    ['text/plain;charset=utf-8', 'text/plain', true],
    ['text/plain', 'text/plain; charset=utf-8', true],
    ['text/plain;charset=UTF-8', 'text/plain;charset=utf-8', true],
    ['text/plain;charset=utf-8', 'text/plain;charset=iso-8859-1', false],
    ['*/*', 'application/octet-stream', true],
  ];
  for (const [pattern, type, expected] of cases) {
    assert.is(H.mediaTypeMatches(pattern, type), expected, `${pattern} vs ${type}`);
    assert.is(H.mediaTypeMatches(pattern, H.parseContentType(type)), expected, `${pattern} vs parsed ${type}`);
  }
  rejects(() => H.mediaTypeMatches('text', 'text/plain'), 'Content-Type "text": expected "/" after the type at index 4');
});

Media.run();

const Expiry = suite('Expires, Min-Expires, Max-Expires, Use-Nickname');

Expiry('expiries are whole seconds', () => {
  assert.is(H.parseExpires('900'), 900);
  assert.is(H.parseExpires(' 0 '), 0);
  assert.is(H.parseExpires(H.formatExpires(1800)), 1800);
  assert.is(H.parseExpires('9007199254740991'), 2 ** 53 - 1);
  rejects(() => H.parseExpires(''), 'expiry "" is not a whole number of seconds');
  rejects(() => H.parseExpires('-1'), 'expiry "-1" is not a whole number of seconds');
  rejects(() => H.parseExpires('1.5'), 'expiry "1.5" is not a whole number of seconds');
  rejects(() => H.parseExpires('9007199254740992'), 'expiry "9007199254740992" is above 2^53-1');
  assert.throws(() => H.formatExpires(-1), (e: unknown) => e instanceof RangeError);
  assert.throws(() => H.formatExpires(0.5), (e: unknown) => e instanceof RangeError);
});

Expiry('Use-Nickname is a quoted-string of 1 to 1023 characters; malformed is 424 (RFC 7701 §7.1)', () => {
  assert.is(H.parseUseNickname('"Alice the great"'), 'Alice the great');
  assert.is(H.parseUseNickname(' "say \\"hi\\" \\\\o/" '), 'say "hi" \\o/');
  assert.is(H.formatUseNickname('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');
  assert.is(H.parseUseNickname(H.formatUseNickname('ä'.repeat(1023))), 'ä'.repeat(1023));
  assert.is(H.parseUseNickname(`"${'😀'.repeat(1023)}"`).length, 2046);
  rejects(() => H.parseUseNickname('Alice'), 'Use-Nickname "Alice" is not a quoted-string', 424);
  rejects(() => H.parseUseNickname('""'), 'Use-Nickname is empty', 424);
  rejects(() => H.parseUseNickname(`"${'a'.repeat(1024)}"`), 'Use-Nickname is longer than 1023 characters', 424);
  rejects(() => H.parseUseNickname('"Alice" x'), 'Use-Nickname "\\"Alice\\" x": unexpected characters after the closing quote', 424);
  rejects(() => H.parseUseNickname('"Al\x00ice"'), 'Use-Nickname: control character in quoted-string at index 3 in "\\"Al\\u0000ice\\""', 424);
  rejects(() => H.parseUseNickname('"Alice'), 'Use-Nickname: unterminated quoted-string starting at index 0 in "\\"Alice"', 424);
  assert.throws(() => H.formatUseNickname(''), (e: unknown) => e instanceof RangeError);
  assert.throws(() => H.formatUseNickname('a'.repeat(1024)), (e: unknown) => e instanceof RangeError);
  assert.throws(() => H.formatUseNickname('a\nb'), (e: unknown) => e instanceof RangeError);
});

Expiry.run();

const Digest = suite('WWW-Authenticate, Authorization, Authentication-Info');

// the digest header values of RFC 4976 §5.1 and RFC 7977 §8.1.2, as on the wire
const DIGEST_VALUES = [
  'Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"',
  'Digest username="Alice", realm="intra.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1"',
  'nextnonce="40f2e879449675f288476d772627370a", rspauth="7327570c586207eca2afae94fc20903d", cnonce="0a4f113b", nc=00000001, qop=auth',
  'Digest realm="example.com", nonce="UvtfpVL7XnnJ63EE244fXDthfLihlMHOY4+dd4A=", qop="auth"',
  'Digest username="alice", realm="example.com", nonce="UvtfpVL7XnnJ63EE244fXDthfLihlMHOY4+dd4A=", uri="msrps://alice@a.example.com:443;ws", response="5011d0d58fe975e0d0cdc007ae26f4b7", qop=auth, cnonce="zic5ml401prb", nc=00000001',
];

Digest('parses the RFC examples and formats them back byte for byte', () => {
  for (const text of DIGEST_VALUES) {
    const d = H.parseDigest(text);
    assert.is(H.formatDigest(d.scheme, d.params), text);
  }
  const challenge = H.parseDigest(DIGEST_VALUES[0]);
  assert.is(challenge.scheme, 'Digest');
  assert.equal([...challenge.params], [['realm', 'intra.example.com'], ['qop', 'auth'], ['nonce', 'dcd98b7102dd2f0e8b11d0f600bfb0c093']]);
  const info = H.parseDigest(DIGEST_VALUES[2]);
  assert.is(info.scheme, '');
  assert.is(info.params.get('nc'), '00000001');
});

Digest('liberal: case of names, whitespace, empty list elements, escapes', () => {
  const d = H.parseDigest('  Digest  Realm = "a\\"b\\\\c" ,, stale=TRUE,algorithm=MD5 ');
  assert.is(d.scheme, 'Digest');
  assert.equal([...d.params], [['realm', 'a"b\\c'], ['stale', 'TRUE'], ['algorithm', 'MD5']]);
  assert.is(H.formatDigest(d.scheme, d.params), 'Digest realm="a\\"b\\\\c", stale=TRUE, algorithm=MD5');
  assert.equal(H.parseDigest('Digest').params.size, 0);
  assert.is(H.formatDigest('Digest', new Map()), 'Digest');
});

Digest('qop is quoted in a challenge and bare elsewhere; explicit override', () => {
  const params = new Map([['realm', 'r'], ['qop', 'auth']]);
  assert.is(H.formatDigest('Digest', params), 'Digest realm="r", qop="auth"');
  assert.is(H.formatDigest('Digest', params, false), 'Digest realm="r", qop=auth');
  assert.is(H.formatDigest('', new Map([['qop', 'auth']])), 'qop=auth');
  assert.is(H.formatDigest('', new Map([['nc', 'not a token']])), 'nc="not a token"');
  assert.throws(() => H.formatDigest('Di gest', params), (e: unknown) => e instanceof RangeError);
  assert.throws(() => H.formatDigest('Digest', new Map([['a b', 'x']])), (e: unknown) => e instanceof RangeError);
});

Digest('rejections', () => {
  rejects(() => H.parseDigest(''), 'digest value "": expected an auth scheme or parameter at index 0');
  rejects(() => H.parseDigest('Digest,realm="x"'), 'digest value "Digest,realm=\\"x\\"": expected SP after the auth scheme at index 6');
  rejects(() => H.parseDigest('Digest realm'), 'digest value "Digest realm": expected "=" after realm at index 12');
  rejects(() => H.parseDigest('Digest realm='), 'digest value "Digest realm=": value of realm is not a token or quoted-string at index 13');
  rejects(() => H.parseDigest('Digest realm="x" nonce="y"'), 'digest value "Digest realm=\\"x\\" nonce=\\"y\\"": expected "," at index 17');
  rejects(() => H.parseDigest('Digest realm="x", Realm="y"'), 'digest value "Digest realm=\\"x\\", Realm=\\"y\\"": parameter realm appears twice');
  rejects(() => H.parseDigest('Digest realm="x'), 'digest value: unterminated quoted-string starting at index 13 in "Digest realm=\\"x"');
  rejects(() => H.parseDigest('Digest realm="a\\\x7f"'), 'digest value: control character after "\\" at index 16 in "Digest realm=\\"a\\\\\x7f\\""');
  rejects(() => H.parseDigest('Digest ="x"'), 'digest value "Digest =\\"x\\"": parameter name is not a token at index 7');
});

Digest.run();

const Names = suite('header names');

Names('canonical names, case-insensitive ids, unknown names as given', () => {
  assert.is(H.HEADER_NAMES[HeaderId.MESSAGE_ID], 'Message-ID');
  assert.is(H.HEADER_NAMES[HeaderId.WWW_AUTHENTICATE], 'WWW-Authenticate');
  for (const [id, name] of Object.entries(H.HEADER_NAMES)) {
    if (name === '') continue;
    assert.is(H.headerId(name), Number(id));
    assert.is(H.headerId(name.toUpperCase()), Number(id));
    assert.is(H.headerId(name.toLowerCase()), Number(id));
    assert.is(H.canonicalHeaderName(name.toLowerCase()), name);
  }
  assert.is(Object.keys(H.HEADER_NAMES).length, 20);
  assert.is(H.headerId('X-Custom'), HeaderId.UNKNOWN);
  assert.is(H.headerId(''), HeaderId.UNKNOWN);
  assert.is(H.canonicalHeaderName('x-cUstom'), 'x-cUstom');
  assert.is(H.canonicalHeaderName('message-id'), 'Message-ID');
});

Names.run();
