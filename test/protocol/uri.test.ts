import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpUriError } from '../../src/errors.ts';
import { MsrpUri, type MsrpUriParts } from '../../src/protocol/uri.ts';

function parts(text: string): MsrpUriParts {
  return MsrpUri.parse(text).parts();
}

function p(scheme: 'msrp' | 'msrps', user: string | null, host: string, port: number | null,
  sessionId: string | null, transport: string, params: Array<[string, string | null]> = []): MsrpUriParts {
  return { scheme, user, host, port, sessionId, transport, params };
}

// URIs printed in the RFC examples (files in shared/vectors/rfc named after them)
const VECTOR_URIS: Array<[string, MsrpUriParts]> = [
  // RFC 4975 §6
  ['msrp://host.example.com:8493/asfd34;tcp', p('msrp', null, 'host.example.com', 8493, 'asfd34', 'tcp')],
  // RFC 4975 §4 Figure 2
  ['msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp', p('msrp', null, 'biloxi.example.com', 12763, 'kjhd37s2s20w2a', 'tcp')],
  ['msrp://atlanta.example.com:7654/jshA7weztas;tcp', p('msrp', null, 'atlanta.example.com', 7654, 'jshA7weztas', 'tcp')],
  // RFC 4976 §5.1: relay URIs with userinfo and no port or session-id
  ['msrps://alice@intra.example.com;tcp', p('msrps', 'alice', 'intra.example.com', null, null, 'tcp')],
  ['msrps://extra.example.com;tcp', p('msrps', null, 'extra.example.com', null, null, 'tcp')],
  ['msrps://extra.example.com:9000/mywdEe1233;tcp', p('msrps', null, 'extra.example.com', 9000, 'mywdEe1233', 'tcp')],
  // RFC 7977 §8: WebSocket transport, .invalid hosts, a URI without a port
  ['msrps://alice@a.example.com:443;ws', p('msrps', 'alice', 'a.example.com', 443, null, 'ws')],
  ['msrps://df7jal23ls0d.invalid:2855/98cjs;ws', p('msrps', null, 'df7jal23ls0d.invalid', 2855, '98cjs', 'ws')],
  ['msrps://df7jal23ls0d.invalid/98cjs;ws', p('msrps', null, 'df7jal23ls0d.invalid', null, '98cjs', 'ws')],
  ['msrps://jk9awp14vj8x.invalid:2855/76qwe;ws', p('msrps', null, 'jk9awp14vj8x.invalid', 2855, '76qwe', 'ws')],
  ['msrps://relay.example.net:2855/kwvin5f;tcp', p('msrps', null, 'relay.example.net', 2855, 'kwvin5f', 'tcp')],
];

const Parse = suite('MsrpUri.parse');

Parse('parses every URI printed in the RFC examples', () => {
  for (const [text, expected] of VECTOR_URIS) assert.equal(parts(text), expected, text);
});

Parse('addresses: IPv4, bracketed IPv6, IPv4-embedded IPv6, zone id', () => {
  assert.equal(parts('msrp://192.0.2.1:2855/s1x;tcp'), p('msrp', null, '192.0.2.1', 2855, 's1x', 'tcp'));
  assert.equal(parts('msrp://[2001:db8::1]:2855/s1x;tcp'), p('msrp', null, '2001:db8::1', 2855, 's1x', 'tcp'));
  assert.equal(parts('msrp://[::ffff:192.0.2.1]:1;tcp').host, '::ffff:192.0.2.1');
  assert.equal(parts('msrp://[::]:1;tcp').host, '::');
  assert.equal(parts('msrp://[fe80::1%25eth0]:1;tcp').host, 'fe80::1%25eth0');
});

Parse('scheme case, userinfo percent-decoding, session-id characters, parameters', () => {
  assert.equal(parts('MSRPS://Bob%20Smith:x@h.example:1/a/b+c=d-e.f_g~;TCP;foo=bar;baz'),
    p('msrps', 'Bob Smith:x', 'h.example', 1, 'a/b+c=d-e.f_g~', 'TCP', [['foo', 'bar'], ['baz', null]]));
  assert.equal(parts('msrp://%C3%A9l%C3%A8ve@h:1;tcp').user, 'élève');
  assert.equal(parts('msrp://@h:1;tcp').user, '');
  // reg-name keeps its percent-encodings as written; ports keep no leading zeros
  assert.equal(parts('msrp://ex%41mple.com:0080;tcp').host, 'ex%41mple.com');
  assert.equal(parts('msrp://h:0080;tcp').port, 80);
  assert.equal(parts('msrp://h:65535;tcp').port, 65535);
  assert.equal(parts('msrp://h:0;tcp').port, 0);
});

Parse('secure is true for msrps only', () => {
  assert.ok(MsrpUri.parse('msrps://h:1;tcp').secure);
  assert.not.ok(MsrpUri.parse('msrp://h:1;tcp').secure);
});

Parse.run();

const Format = suite('MsrpUri.toString');

Format('gives back every RFC example URI byte for byte', () => {
  for (const [text] of VECTOR_URIS) assert.is(MsrpUri.parse(text).toString(), text);
});

Format('canonical form: lower-case scheme, brackets for IPv6, userinfo re-encoded', () => {
  assert.is(MsrpUri.parse('MSRP://[::1]:80;tcp').toString(), 'msrp://[::1]:80;tcp');
  assert.is(MsrpUri.parse('msrp://a%62c@h:1;tcp').toString(), 'msrp://abc@h:1;tcp');
  assert.is(MsrpUri.parse('msrp://%c3%a9%2F%40@h:1;tcp').toString(), 'msrp://%C3%A9%2F%40@h:1;tcp');
  assert.is(MsrpUri.parse('msrp://h:007;tcp;a=b;c').toString(), 'msrp://h:7;tcp;a=b;c');
  assert.is(JSON.stringify({ u: MsrpUri.parse('msrp://h:1;tcp') }), '{"u":"msrp://h:1;tcp"}');
});

Format('parse(toString()) gives the same parts', () => {
  for (const text of ['MSRPS://Bob%20Smith:x@h.example:1/a/b+c=;TCP;foo=bar;baz', 'msrp://%C3%A9@[FE80::A%25en0]:9;ws']) {
    const uri = MsrpUri.parse(text);
    assert.equal(MsrpUri.parse(uri.toString()).parts(), uri.parts());
  }
});

Format.run();

const Equals = suite('MsrpUri.equals (RFC 4975 §6.1)');

// [a, b, equal, the §6.1 rule that decides]
const COMPARISONS: Array<[string, string, boolean, string]> = [
  ['msrp://h.example.com:1/s;tcp', 'msrp://h.example.com:1/s;tcp', true, 'identical'],
  ['msrp://h.example.com:1/s;tcp', 'MSRP://h.example.com:1/s;tcp', true, '1: scheme is case-insensitive'],
  ['msrp://h.example.com:1/s;tcp', 'msrps://h.example.com:1/s;tcp', false, '1: scheme must match'],
  ['msrp://H.Example.COM:1/s;tcp', 'msrp://h.example.com:1/s;tcp', true, '2: host name is case-insensitive'],
  ['msrp://ex%41mple.com:1/s;tcp', 'msrp://example.com:1/s;tcp', true, '2: percent-encoded unreserved decoded'],
  ['msrp://ex%2fmple.com:1/s;tcp', 'msrp://ex%2Fmple.com:1/s;tcp', true, '2: other percent-encodings compared case-insensitively'],
  ['msrp://alice@h.example.com:1/s;tcp', 'msrp://bob@h.example.com:1/s;tcp', true, '2: userinfo is not compared'],
  ['msrps://alice@intra.example.com;tcp', 'msrps://intra.example.com;tcp', true, '2: userinfo is not compared (RFC 4976 §5.1)'],
  ['msrp://[2001:db8::1]:1/s;tcp', 'msrp://[2001:0DB8:0:0:0:0:0:1]:1/s;tcp', true, '2: IPv6 compared as an address'],
  ['msrp://[::ffff:192.0.2.1]:1/s;tcp', 'msrp://[::ffff:c000:201]:1/s;tcp', true, '2: embedded IPv4 is the same address'],
  ['msrp://[2001:db8::1]:1/s;tcp', 'msrp://[2001:db8::2]:1/s;tcp', false, '2: different IPv6 addresses'],
  ['msrp://[fe80::1%25eth0]:1/s;tcp', 'msrp://[fe80::1]:1/s;tcp', false, '2: zone id is part of the address'],
  ['msrp://192.0.2.1:1/s;tcp', 'msrp://192.0.2.2:1/s;tcp', false, '2: different IPv4 addresses'],
  ['msrp://h.example.com:1/s;tcp', 'msrp://h.example.com:2/s;tcp', false, '3: ports must match'],
  ['msrps://df7jal23ls0d.invalid/98cjs;ws', 'msrps://df7jal23ls0d.invalid:2855/98cjs;ws', false,
    '3: an explicit port never equals no port (RFC 7977 §8.3.2)'],
  ['msrp://h.example.com:2855/s;tcp', 'msrp://h.example.com:02855/s;tcp', true, '3: the port is compared as a number'],
  ['msrp://h.example.com:1/abc;tcp', 'msrp://h.example.com:1/ABC;tcp', false, '4: session-id is case-sensitive'],
  ['msrp://h.example.com:1/s;tcp', 'msrp://h.example.com:1;tcp', false, '4: session-id versus none'],
  ['msrp://h.example.com:1/s;tcp', 'msrp://h.example.com:1/s;ws', false, '5: transports differ'],
  ['msrp://h.example.com:1/s;tcp', 'msrp://h.example.com:1/s;TCP', true, '5: transport is case-insensitive'],
  ['msrp://h.example.com:1/s;tcp;a=b', 'msrp://h.example.com:1/s;tcp;c', true, 'only the transport parameter is compared'],
];

Equals('each §6.1 rule, both ways round', () => {
  for (const [a, b, equal, rule] of COMPARISONS) {
    const x = MsrpUri.parse(a);
    const y = MsrpUri.parse(b);
    assert.is(x.equals(y), equal, `${a} vs ${b}: ${rule}`);
    assert.is(y.equals(x), equal, `${b} vs ${a}: ${rule}`);
  }
});

Equals('a URI equals itself and its re-parse', () => {
  for (const [text] of VECTOR_URIS) {
    const uri = MsrpUri.parse(text);
    assert.ok(uri.equals(uri));
    assert.ok(uri.equals(MsrpUri.parse(uri.toString())));
  }
});

Equals.run();

const Reject = suite('MsrpUri.parse rejections');

// [input, words of the message, index]
const REJECTIONS: Array<[string, string, number]> = [
  ['', 'scheme is not "msrp" or "msrps"', 0],
  ['sip://h:1;tcp', 'scheme is not "msrp" or "msrps"', 0],
  ['msrpx://h:1;tcp', 'expected "://" after the scheme', 4],
  ['msrp:/h:1;tcp', 'expected "://" after the scheme', 4],
  ['msrp://a/b@h:1;tcp', 'invalid character "/" in userinfo', 8],
  ['msrp://a%4@h:1;tcp', '"%" not followed by two hex digits in userinfo', 8],
  ['msrp://%FF@h:1;tcp', 'percent-encoded userinfo is not UTF-8', 7],
  ['msrp://;tcp', 'missing host, found character ";"', 7],
  ['msrp://', 'missing host, found end of URI', 7],
  ['msrp://h%zz:1;tcp', '"%" not followed by two hex digits in host', 8],
  ['msrp://h e:1;tcp', 'invalid character " " in host', 8],
  ['msrp://[::1:1;tcp', 'IPv6 literal has no closing "]"', 7],
  ['msrp://[v1.x]:1;tcp', 'IPvFuture literals are not supported', 8],
  ['msrp://[1:2:3:4:5:6:7:8:9]:1;tcp', 'malformed IPv6 address', 8],
  ['msrp://[1::2::3]:1;tcp', 'malformed IPv6 address', 8],
  ['msrp://[12345::]:1;tcp', 'malformed IPv6 address', 8],
  ['msrp://[::1.2.3.256]:1;tcp', 'malformed IPv6 address', 8],
  ['msrp://[1:2:3:4:5:6:7:]:1;tcp', 'malformed IPv6 address', 8],
  ['msrp://[fe80::1%25]:1;tcp', 'malformed IPv6 zone identifier', 15],
  ['msrp://[::1]x:1;tcp', 'invalid character "x" in host', 12],
  ['msrp://h:;tcp', 'port has no digits, found character ";"', 9],
  ['msrp://h:65536;tcp', 'port is above 65535', 9],
  ['msrp://h:12a;tcp', 'invalid character "a" in port', 11],
  ['msrp://h:1/;tcp', 'session-id is empty, found character ";"', 11],
  ['msrp://h:1/a%20b;tcp', 'invalid character "%" in session-id', 12],
  ['msrp://h:1/s', 'missing ";" transport parameter (such as ";tcp")', 12],
  ['msrp://h:1/s;', 'transport is empty or not alphanumeric, found end of URI', 13],
  ['msrp://h:1/s;t-cp', 'invalid character "-" in transport', 14],
  ['msrp://h:1/s;tcp;', 'URI parameter name is empty or not a token, found end of URI', 17],
  ['msrp://h:1/s;tcp;a=', 'URI parameter value is empty or not a token, found end of URI', 19],
  ['msrp://h:1/s;tcp;a=b/c', 'invalid character "/" in URI parameter', 20],
  ['msrp://h:1/s;tcp x', 'invalid character " " in transport', 16],
];

Reject('says what is wrong and where', () => {
  for (const [input, words, index] of REJECTIONS) {
    try {
      MsrpUri.parse(input);
      assert.unreachable(`${input} parsed`);
    } catch (err) {
      assert.instance(err, MsrpUriError, input);
      const e = err as MsrpUriError;
      assert.is(e.code, 'MSRP_ERR_URI');
      assert.is(e.index, index, `${input}: index (${e.message})`);
      assert.is(e.input, input);
      assert.is(e.message, `${words} at index ${index} in ${JSON.stringify(input)}`, input);
    }
  }
});

Reject.run();

const Build = suite('MsrpUri.from and with');

Build('with() replaces parts and keeps the rest', () => {
  const uri = MsrpUri.parse('msrp://alice@h.example.com:0/s1x;tcp;k=v');
  const real = uri.with({ port: 2855 });
  assert.is(real.toString(), 'msrp://alice@h.example.com:2855/s1x;tcp;k=v');
  assert.is(uri.port, 0, 'the original is unchanged');
  assert.is(uri.with({ sessionId: null, user: null, params: [] }).toString(), 'msrp://h.example.com:0;tcp');
  assert.is(uri.with({ host: '2001:db8::7', user: 'a b' }).toString(), 'msrp://a%20b@[2001:db8::7]:0/s1x;tcp;k=v');
});

Build('from() builds a URI from parts', () => {
  const uri = MsrpUri.from(p('msrps', null, 'relay.example.net', 2855, 'kwvin5f', 'tcp'));
  assert.is(uri.toString(), 'msrps://relay.example.net:2855/kwvin5f;tcp');
});

Build('from() and with() reject parts that are not a valid URI', () => {
  const uri = MsrpUri.parse('msrp://h:1/s;tcp');
  const bad: Array<Partial<MsrpUriParts>> = [
    { host: 'a/b' }, { host: '' }, { host: '1:2' }, { sessionId: 'a b' }, { sessionId: '' },
    { transport: 't-cp' }, { port: 70000 }, { port: -1 }, { port: 1.5 }, { params: [['a b', null]] },
    { params: [['a', '']] }, { user: '\ud800' }, { host: 'a;b' },
  ];
  for (const change of bad) {
    assert.throws(() => uri.with(change), (e: unknown) => e instanceof MsrpUriError, JSON.stringify(change));
  }
});

Build('from() errors say which part is wrong', () => {
  const base = p('msrp', null, 'h', 1, 's', 'tcp');
  const message = (change: Partial<MsrpUriParts>): string => {
    try {
      MsrpUri.from({ ...base, ...change });
    } catch (err) {
      assert.instance(err, MsrpUriError);
      return (err as MsrpUriError).message;
    }
    return 'no error';
  };
  assert.is(message({ host: 'a b' }),
    'parts do not form a valid MSRP URI: invalid character " " in host at index 8 in "msrp://a b:1/s;tcp"');
  assert.is(message({ scheme: 'MSRP' as 'msrp' }),
    'parts do not form a valid MSRP URI (check host, session-id, transport, params) at index 0 in "MSRP://h:1/s;tcp"');
  assert.is(message({ user: 'a\ud800b' }), 'userinfo is not well-formed Unicode at index 0 in "a\\ud800b"');
});

Build('the constructor is not for public use', () => {
  const Ctor = MsrpUri as unknown as new (parts: MsrpUriParts) => MsrpUri;
  assert.throws(() => new Ctor(p('msrp', null, 'h', 1, null, 'tcp')), (e: unknown) => e instanceof TypeError);
});

Build.run();
