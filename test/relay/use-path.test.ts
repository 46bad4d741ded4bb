import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatPath, parsePath } from '../../src/protocol/headers.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import {
  authToPath, forwardPaths, forwardPathValues, grantedUsePath, localPath, randomSessionId, RelayAddress, toPathToPeer,
  UsePathTable,
} from '../../src/relay/use-path.ts';
import { rfcChunk } from '../helpers/chunks.ts';
import { rfc } from '../vectors/rfc-vectors.ts';

const u = (text: string) => MsrpUri.parse(text);
const texts = (uris: readonly MsrpUri[]) => uris.map(String);

/** The To-Path and From-Path header values of an RFC vector, as written. */
function pathsOf(file: string): { to: string; from: string } {
  const c = rfcChunk(file);
  return { to: c.getHeader('To-Path') as string, from: c.getHeader('From-Path') as string };
}

/** Checks one relay hop from `before` to `after` both on parsed URIs and on the header text. */
function hop(before: { to: string; from: string }, after: { to: string; from: string }, label: string): void {
  const parsed = forwardPaths(parsePath(before.to), parsePath(before.from));
  assert.is(formatPath(parsed.toPath), after.to, `${label} To-Path`);
  assert.is(formatPath(parsed.fromPath), after.from, `${label} From-Path`);
  const text = forwardPathValues(before.to, before.from);
  assert.is(text.toPathValue, after.to, `${label} To-Path text`);
  assert.is(text.fromPathValue, after.from, `${label} From-Path text`);
  assert.is(text.hop, String(parsed.hop), `${label} hop`);
}

const client = suite('use-path: client side (RFC 4976 §5.1)');

client('the §5.1 figure: Use-Path "B C" gives a=path "C B A" and To-Path "B C D E F"', () => {
  const [A, B, C, D, E, F] = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => u(`msrps://${x}.example.com:9000/${x}${x}${x};tcp`));
  const usePath = [B, C];
  assert.equal(texts(localPath(usePath, A)), texts([C, B, A]));
  assert.equal(texts(toPathToPeer(usePath, [D, E, F])), texts([B, C, D, E, F]));
  assert.equal(texts(usePath), texts([B, C]), 'the Use-Path itself is not reversed in place');
  assert.throws(() => toPathToPeer(usePath, []), RangeError);
});

client('RFC 4976 §3: Alice\'s To-Path is her Use-Path then Bob\'s a=path (his relay, then him)', () => {
  const alice = u('msrps://alice.example.org:7965/bar;tcp');
  const bob = u('msrps://bob.example.net:8145/foo;tcp');
  const aliceUse = [u('msrps://a.example.org:9000/kjfjan;tcp')];
  const bobPath = localPath([u('msrps://b.example.net:9000/aeiug;tcp')], bob);
  assert.is(formatPath(toPathToPeer(aliceUse, bobPath)), pathsOf('rfc4976-3-send-6aef.msrp').to);
  // and Bob's REPORT goes back along Alice's a=path after his Use-Path: the To-Path of the yh67 REPORT
  const alicePath = localPath(aliceUse, alice);
  assert.is(formatPath(toPathToPeer([u('msrps://b.example.net:9000/aeiug;tcp')], alicePath)), pathsOf('rfc4976-3-report-yh67-bob-to-b.msrp').to);
});

client('RFC 4976 §11: Bob\'s answer a=path through his relay', () => {
  const sdp = rfc('rfc4976-11-answer.sdp-fragment').toString('latin1');
  const line = /^a=path:(.*)\r$/m.exec(sdp);
  assert.ok(line);
  const path = localPath([u('msrps://relay.example.com:9000/hjdhfha;tcp')], u('msrps://bob.example.com:1234/fuige;tcp'));
  assert.is(formatPath(path), (line as RegExpExecArray)[1]);
});

client('RFC 4976 §5.1: the AUTH to the outer relay goes through the inner one; its Use-Path gives the local path', () => {
  const intra = rfcChunk('rfc4976-5.1-200ok-49fi.msrp').usePath as MsrpUri[];
  const mnbvw = rfcChunk('rfc4976-5.1-auth-mnbvw.msrp');
  assert.is(formatPath(authToPath(intra, u('msrps://extra.example.com;tcp'))), mnbvw.getHeader('To-Path'));
  assert.is(formatPath(authToPath(intra, u('msrps://extra.example.com;tcp'))), rfcChunk('rfc4976-5.1-auth-m3nbvx.msrp').getHeader('To-Path'));
  // the outermost Use-Path (m4nbvx: the RFC's forwarded copy m3nbvx repeats one URI by mistake)
  const outer = rfcChunk('rfc4976-5.1-200ok-m4nbvx.msrp').usePath as MsrpUri[];
  const alice = u('msrps://alice.example.com:9892/98cjs;tcp');
  assert.equal(texts(localPath(outer, alice)),
    ['msrps://extra.example.com:9000/mywdEe1233;tcp', 'msrps://intra.example.com:9000/jui787s2f;tcp', String(alice)]);
  const peer = [u('msrps://bob.example.net:8145/foo;tcp')];
  assert.equal(texts(toPathToPeer(outer, peer)),
    ['msrps://intra.example.com:9000/jui787s2f;tcp', 'msrps://extra.example.com:9000/mywdEe1233;tcp', String(peer[0])]);
});

client.run();

const relay = suite('use-path: relay forwarding (RFC 4976 §6.4)');

relay('RFC 4976 §3 header fragment: as received by relay B, and as B forwards it', () => {
  const [to, from] = ['rfc4976-3-paths-received-at-relay-b.hdr', 'rfc4976-3-paths-forwarded-by-relay-b.hdr']
    .map((f) => rfc(f).toString('latin1').split('\r\n').filter(Boolean).map((l) => l.slice(l.indexOf(':') + 1)));
  // the received To-Path has three spaces after the colon; what B writes has one
  const before = { to: to[0], from: to[1] };
  const after = { to: from[0].trim(), from: from[1].trim() };
  hop(before, after, 'relay B');
});

relay('RFC 4976 §3 SEND: Alice -> a -> b -> Bob, each hop reproduces the next file\'s paths', () => {
  hop(pathsOf('rfc4976-3-send-6aef.msrp'), pathsOf('rfc4976-3-send-juh76.msrp'), 'relay a');
  hop(pathsOf('rfc4976-3-send-juh76.msrp'), pathsOf('rfc4976-3-send-xght6.msrp'), 'relay b');
});

relay('RFC 4976 §3 REPORT: Bob -> b -> a -> Alice, the same rule', () => {
  hop(pathsOf('rfc4976-3-report-yh67-bob-to-b.msrp'), pathsOf('rfc4976-3-report-yh67-b-to-a.msrp'), 'relay b');
  hop(pathsOf('rfc4976-3-report-yh67-b-to-a.msrp'), pathsOf('rfc4976-3-report-yh67-a-to-alice.msrp'), 'relay a');
});

relay('RFC 4976 §5.1 AUTH through the inner relay, and its responses back (§6.4.3)', () => {
  hop(pathsOf('rfc4976-5.1-auth-mnbvw.msrp'), pathsOf('rfc4976-5.1-auth-m2nbvw.msrp'), 'AUTH mnbvw');
  hop(pathsOf('rfc4976-5.1-auth-m3nbvx.msrp'), pathsOf('rfc4976-5.1-auth-m4nbvx.msrp'), 'AUTH m3nbvx');
  hop(pathsOf('rfc4976-5.1-401-m2nbvw.msrp'), pathsOf('rfc4976-5.1-401-mnbvw.msrp'), '401 m2nbvw');
  hop(pathsOf('rfc4976-5.1-200ok-m4nbvx.msrp'), pathsOf('rfc4976-5.1-200ok-m3nbvx.msrp'), '200 m4nbvx');
});

relay('the Use-Path the outer relay grants: relays between it and the client, then its new URI (m4nbvx)', () => {
  const auth = rfcChunk('rfc4976-5.1-auth-m4nbvx.msrp');
  const granted = grantedUsePath(auth.fromPath as MsrpUri[], u('msrps://extra.example.com:9000/mywdEe1233;tcp'));
  assert.is(formatPath(granted), rfcChunk('rfc4976-5.1-200ok-m4nbvx.msrp').getHeader('Use-Path'));
  // a client directly connected (49fi): just the new URI
  const direct = grantedUsePath(rfcChunk('rfc4976-5.1-auth-49fi.msrp').fromPath as MsrpUri[],
    u('msrps://intra.example.com:9000/jui787s2f;tcp'));
  assert.is(formatPath(direct), rfcChunk('rfc4976-5.1-200ok-49fi.msrp').getHeader('Use-Path'));
  assert.throws(() => grantedUsePath([], direct[0]), RangeError);
});

relay('the text rewrite keeps each URI byte for byte and tolerates runs of whitespace', () => {
  const r = forwardPathValues(' \tmsrp://R.example:1/S;tcp \t  MSRP://x:2/a;TCP  msrp://y:3/b;tcp ', '  msrp://z:4/c;tcp ');
  assert.equal(r.hop, 'msrp://R.example:1/S;tcp');
  assert.is(r.toPathValue, 'MSRP://x:2/a;TCP  msrp://y:3/b;tcp');
  assert.is(r.fromPathValue, 'msrp://R.example:1/S;tcp msrp://z:4/c;tcp');
  assert.equal(r.toPath, ['MSRP://x:2/a;TCP', 'msrp://y:3/b;tcp']);
  assert.equal(r.fromPath, ['msrp://R.example:1/S;tcp', 'msrp://z:4/c;tcp']);
});

relay('nothing to forward when we are the last To-Path URI', () => {
  assert.throws(() => forwardPaths([u('msrp://a:1/x;tcp')], [u('msrp://b:1/y;tcp')]), RangeError);
  assert.throws(() => forwardPathValues('msrp://a:1/x;tcp  ', 'msrp://b:1/y;tcp'), RangeError);
  assert.throws(() => forwardPathValues('   ', 'msrp://b:1/y;tcp'), RangeError);
});

relay.run();

const mine = suite('use-path: which URIs are the relay\'s (RFC 4975 §6.1)');

mine('session ids carry 120 random bits in session-id characters', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = randomSessionId();
    assert.match(id, /^[A-Za-z0-9_-]{20}$/);
    seen.add(id);
  }
  assert.is(seen.size, 1000);
});

mine('RelayAddress: Use-Path URIs need a host name and an explicit port (RFC 4976 §4.2)', () => {
  assert.throws(() => new RelayAddress({ uri: u('msrps://127.0.0.1:2855;tcp') }), /host name/);
  assert.throws(() => new RelayAddress({ uri: u('msrps://[::1]:2855;tcp') }), /host name/);
  assert.throws(() => new RelayAddress({ uri: u('msrps://relay.example.com;tcp') }), /explicit port/);
  assert.throws(() => new RelayAddress({ uri: u('msrps://relay.example.com:2855/s;tcp') }), /session id/);
  const loop = new RelayAddress({ uri: u('msrp://127.0.0.1:40000;tcp'), allowNumericHost: true });
  assert.match(String(loop.newSessionUri()), /^msrp:\/\/127\.0\.0\.1:40000\/[A-Za-z0-9_-]{20};tcp$/);
  const relay = new RelayAddress({ uri: u('msrps://alice@relay.example.com:9000;tcp;x=1') });
  assert.is(String(relay.uri), 'msrps://relay.example.com:9000;tcp');
});

mine('isRelayUri: AUTH targets by name, alias, case, userinfo; no port only at the default port (RFC 4976 §8)', () => {
  const relay = new RelayAddress({ uri: u('msrps://intra.example.com:2855;tcp'), aliases: ['10.0.0.1', 'relay.example.com'] });
  for (const yes of ['msrps://alice@intra.example.com;tcp', 'msrps://INTRA.example.com:2855;TCP', 'msrps://10.0.0.1;tcp',
    'msrps://relay.example.com:2855;tcp']) {
    assert.ok(relay.isRelayUri(u(yes)), yes);
  }
  for (const no of ['msrp://intra.example.com:2855;tcp', 'msrps://intra.example.com:9000;tcp', 'msrps://intra.example.com:2855/s;tcp',
    'msrps://extra.example.com;tcp', 'msrps://intra.example.com:2855;ws']) {
    assert.not.ok(relay.isRelayUri(u(no)), no);
  }
  const other = new RelayAddress({ uri: u('msrps://intra.example.com:9000;tcp') });
  assert.not.ok(other.isRelayUri(u('msrps://intra.example.com;tcp')));
  assert.ok(other.isRelayUri(u('msrps://intra.example.com:9000;tcp')));
});

mine('UsePathTable: a To-Path URI is ours only with our session id, host, port, scheme and transport', () => {
  const relay = new RelayAddress({ uri: u('msrps://relay.example.com:2855;tcp') });
  const table = new UsePathTable<string>();
  const issued = relay.newSessionUri();
  table.add(issued, 'alice');
  assert.is(table.size, 1);
  const id = issued.sessionId as string;
  assert.is(table.get(u(`msrps://RELAY.example.com:2855/${id};tcp`)), 'alice');
  assert.is(table.get(u(`msrps://bob@relay.example.com:2855/${id};TCP;foo=bar`)), 'alice');
  for (const no of [`msrps://relay.example.com:2856/${id};tcp`, `msrp://relay.example.com:2855/${id};tcp`,
    `msrps://other.example.com:2855/${id};tcp`, `msrps://relay.example.com/${id};tcp`, `msrps://relay.example.com:2855/${id.toLowerCase()}x;tcp`,
    'msrps://relay.example.com:2855;tcp']) {
    assert.is(table.get(u(no)), undefined, no);
  }
  assert.throws(() => table.add(issued, 'again'), /already in use/);
  assert.throws(() => table.add(relay.uri, 'none'), RangeError);
  assert.not.ok(table.delete(u(`msrps://other.example.com:2855/${id};tcp`)));
  assert.ok(table.delete(issued));
  assert.is(table.get(issued), undefined);
  assert.is(table.size, 0);
});

mine.run();
