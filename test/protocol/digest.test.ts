import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpError } from '../../src/errors.ts';
import {
  authorize, checkAuthenticationInfo, chooseChallenge, createChallenge, digestAlgorithm, digestHa1, DigestClient,
  digestUri, formatNonceCount, readCredentials, verifyAuthorization, type DigestAuthorization, type DigestChallenge,
  type NonceChecker, type NonceState, type VerifyOptions,
} from '../../src/protocol/digest.ts';
import { formatDigest, parseDigest, type DigestValue } from '../../src/protocol/headers.ts';
import { parseChunks, rfcChunk } from '../helpers/chunks.ts';

/** A NonceChecker remembering counts of any nonce in `live`. */
function nonces(...live: string[]): NonceChecker & { counts: Map<string, number> } {
  const counts = new Map(live.map((n) => [n, 0]));
  return {
    counts,
    use(nonce: string, count: number): NonceState {
      const last = counts.get(nonce);
      if (last === undefined) return 'stale';
      if (count <= last) return 'replay';
      counts.set(nonce, count);
      return 'ok';
    },
  };
}

function expectError(fn: () => unknown, code: string, text: string): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, MsrpError);
    assert.is((err as MsrpError).code, code);
    assert.ok((err as Error).message.includes(text), (err as Error).message);
    return;
  }
  assert.unreachable(`did not throw ${code}`);
}

// RFC 7616 §3.9.1: user Mufasa, password "Circle of Life", GET /dir/index.html
const RFC7616_CHALLENGES = ['MD5', 'SHA-256'].map((alg) => `Digest realm="http-auth@example.org", qop="auth, auth-int", `
  + `algorithm=${alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`);
const MUFASA = { username: 'Mufasa', password: 'Circle of Life' };
const RFC7616_CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

const computation = suite('digest: the RFCs\' worked examples');

computation('RFC 2617 §3.5: MD5, qop=auth (no algorithm in the challenge, none in the answer)', () => {
  const challenge = chooseChallenge(['Digest realm="testrealm@host.com", qop="auth,auth-int", '
    + 'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"']);
  assert.is(challenge.algorithm, 'MD5');
  assert.not.ok(challenge.algorithmGiven);
  const auth = authorize(challenge, { username: 'Mufasa', password: 'Circle Of Life' },
    { uri: '/dir/index.html', method: 'GET', cnonce: '0a4f113b' });
  assert.is(formatDigest(auth.value.scheme, auth.value.params), 'Digest username="Mufasa", realm="testrealm@host.com", '
    + 'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", '
    + 'qop=auth, nc=00000001, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
});

computation('RFC 7616 §3.9.1: SHA-256 is chosen over MD5 in either order; both responses match', () => {
  for (const order of [RFC7616_CHALLENGES, [...RFC7616_CHALLENGES].reverse()]) {
    assert.is(chooseChallenge(order).algorithm, 'SHA-256');
  }
  const expected: Record<string, string> = {
    MD5: '8ca523f5e9506fed4657c9700eebdbec',
    'SHA-256': '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  };
  for (const text of RFC7616_CHALLENGES) {
    const challenge = chooseChallenge([text]);
    const auth = authorize(challenge, MUFASA, { uri: '/dir/index.html', method: 'GET', cnonce: RFC7616_CNONCE });
    const p = auth.value.params;
    assert.is(p.get('response'), expected[challenge.algorithm]);
    assert.is(p.get('algorithm'), challenge.algorithm); // echoed, as the challenge named it (§3.4)
    assert.is(p.get('opaque'), 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS');
    assert.is(p.get('nc'), '00000001');
  }
});

computation('RFC 7616 §3.9.1 checked by the server side, from the password and from a stored HA1', async () => {
  for (const text of RFC7616_CHALLENGES) {
    const challenge = chooseChallenge([text]);
    const auth = authorize(challenge, MUFASA, { uri: '/dir/index.html', method: 'GET', cnonce: RFC7616_CNONCE });
    const hash = challenge.algorithm === 'MD5' ? 'MD5' : 'SHA-256';
    for (const secret of [{ password: MUFASA.password }, { ha1: { [hash]: digestHa1(hash, 'Mufasa', 'http-auth@example.org', MUFASA.password) } }]) {
      const verdict = await verifyAuthorization(auth.value, {
        realm: 'http-auth@example.org', requestUri: '/dir/index.html', method: 'GET',
        lookup: (user, realm) => (user === 'Mufasa' && realm === 'http-auth@example.org' ? secret : null),
        nonces: nonces(challenge.nonce),
      });
      assert.ok(verdict.ok, JSON.stringify(verdict));
    }
  }
});

computation.run();

const rfc4976 = suite('digest: the RFC 4976 §5.1 and RFC 7977 §8.1.2 AUTH examples');

rfc4976('the 401 challenges are usable: MD5, qop auth, realm and nonce read', () => {
  const c = chooseChallenge(rfcChunk('rfc4976-5.1-401-49fh.msrp').getHeaders('WWW-Authenticate'));
  assert.equal(c, {
    realm: 'intra.example.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', algorithm: 'MD5', algorithmGiven: false,
    opaque: null, stale: false,
  } satisfies DigestChallenge);
  assert.is(chooseChallenge(rfcChunk('rfc4976-5.1-401-mnbvw.msrp').getHeaders('WWW-Authenticate')).realm, 'extra.example.com');
  assert.is(chooseChallenge(rfcChunk('rfc7977-8.1.2-f4-401.msrp').getHeaders('WWW-Authenticate')).nonce,
    'UvtfpVL7XnnJ63EE244fXDthfLihlMHOY4+dd4A=');
});

rfc4976('the digest-uri is the rightmost To-Path URI as written', () => {
  assert.is(digestUri(rfcChunk('rfc4976-5.1-auth-49fi.msrp').getHeader('To-Path') as string), 'msrps://alice@intra.example.com;tcp');
  assert.is(digestUri(rfcChunk('rfc4976-5.1-auth-m3nbvx.msrp').getHeader('To-Path') as string), 'msrps://extra.example.com;tcp');
  // the relay between sees the same rightmost URI: both hash the same uri
  assert.is(digestUri(rfcChunk('rfc4976-5.1-auth-m4nbvx.msrp').getHeader('To-Path') as string), 'msrps://extra.example.com;tcp');
  assert.is(digestUri('  msrp://a:1/x;tcp \t msrps://b.example;tcp  '), 'msrps://b.example;tcp');
});

/** The parameters of an Authorization other than those that depend on the password. */
function withoutResponse(v: DigestValue): Record<string, string> {
  const out = Object.fromEntries(v.params);
  delete out.response;
  return out;
}

rfc4976('our answers carry what the RFC answers carry (same cnonce given), plus uri', () => {
  // RFC 4976 §5.1: 49fh challenged, 49fi answers; the RFC omits the uri parameter, RFC 7977 sends it
  const auth = authorize(chooseChallenge(rfcChunk('rfc4976-5.1-401-49fh.msrp').getHeaders('WWW-Authenticate')),
    { username: 'Alice', password: 'not given by the RFC' }, { uri: 'msrps://alice@intra.example.com;tcp', cnonce: '0a4f113b' });
  const rfcAuth = rfcChunk('rfc4976-5.1-auth-49fi.msrp').authorization as DigestValue;
  assert.equal(withoutResponse(auth.value), { ...withoutResponse(rfcAuth), uri: 'msrps://alice@intra.example.com;tcp' });
  assert.match(rfcAuth.params.get('response') as string, /^[0-9a-f]{32}$/);
  // RFC 7977 §8.1.2: F4 challenged, F5 answers, uri included
  const f5 = rfcChunk('rfc7977-8.1.2-f5-auth.msrp');
  const ws = authorize(chooseChallenge(rfcChunk('rfc7977-8.1.2-f4-401.msrp').getHeaders('WWW-Authenticate')),
    { username: 'alice', password: 'not given by the RFC' }, { uri: digestUri(f5.getHeader('To-Path') as string), cnonce: 'zic5ml401prb' });
  assert.equal(withoutResponse(ws.value), withoutResponse(f5.authorization as DigestValue));
});

rfc4976('an AUTH carrying our Authorization encodes and parses back (Chunk accessors, RFC 4976 §9.1 quoting)', () => {
  const auth49fh = rfcChunk('rfc4976-5.1-auth-49fh.msrp');
  const auth = authorize(chooseChallenge(rfcChunk('rfc4976-5.1-401-49fh.msrp').getHeaders('WWW-Authenticate')),
    { username: 'Alice', password: 'pw' }, { uri: digestUri(auth49fh.getHeader('To-Path') as string), cnonce: '0a4f113b' });
  auth49fh.transactionId = '49fi';
  auth49fh.authorization = auth.value;
  const text = auth49fh.encode().toString();
  assert.match(text, /^Authorization: Digest username="Alice", realm="intra\.example\.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="msrps:\/\/alice@intra\.example\.com;tcp", response="[0-9a-f]{32}", qop=auth, nc=00000001, cnonce="0a4f113b"\r$/m);
  const [back] = parseChunks(Buffer.from(text));
  assert.equal(back.authorization, auth.value);
});

rfc4976('the 200s\' Authentication-Info: cnonce and nc match the AUTH; rspauth is checked', () => {
  const auth: DigestAuthorization = authorize(chooseChallenge(rfcChunk('rfc4976-5.1-401-49fh.msrp').getHeaders('WWW-Authenticate')),
    { username: 'Alice', password: 'not given by the RFC' }, { uri: 'msrps://alice@intra.example.com;tcp', cnonce: '0a4f113b' });
  const info = rfcChunk('rfc4976-5.1-200ok-49fi.msrp').authenticationInfo as DigestValue;
  assert.is(info.scheme, '');
  assert.equal([...info.params.keys()], ['nextnonce', 'rspauth', 'cnonce', 'nc', 'qop']);
  // the RFC's rspauth needs the RFC's unknown password: checking it must fail for ours
  expectError(() => checkAuthenticationInfo(info, auth), 'MSRP_ERR_DIGEST_RSPAUTH', 'rspauth is wrong');
  const noProof = new Map(info.params);
  noProof.delete('rspauth');
  assert.equal(checkAuthenticationInfo({ scheme: '', params: noProof }, auth),
    { verified: false, nextnonce: '40f2e879449675f288476d772627370a' });
  // m4nbvx answered an AUTH whose cnonce was 85a0dca8: not ours
  expectError(() => checkAuthenticationInfo(rfcChunk('rfc4976-5.1-200ok-m4nbvx.msrp').authenticationInfo as DigestValue, auth),
    'MSRP_ERR_DIGEST_RSPAUTH', 'cnonce differs');
});

rfc4976('a relay of ours verifies the RFC\'s own Authorization structure, answering stale/replay/bad-response correctly', async () => {
  // the RFC 4976 response value cannot match any password we know; everything before it is checked
  const verdict = await verifyAuthorization(rfcChunk('rfc4976-5.1-auth-49fi.msrp').authorization as DigestValue, {
    realm: 'intra.example.com', requestUri: 'msrps://alice@intra.example.com;tcp',
    lookup: () => ({ password: 'secret' }), nonces: nonces('dcd98b7102dd2f0e8b11d0f600bfb0c093'),
  });
  assert.equal(verdict, { ok: false, reason: 'bad-response', username: 'Alice', statusCode: 401, stale: false });
});

rfc4976.run();

const server = suite('digest: server verification');

const REQUEST_URI = 'msrps://relay.example.com:2855;tcp';

async function roundTrip(algorithm: DigestChallenge['algorithm'], change: Partial<VerifyOptions> = {},
  login = { username: 'alice', password: 's3cret:with colon' }, uri = REQUEST_URI) {
  const checker = nonces('n1');
  // a relay of ours never challenges with MD5-sess (RFC 4976 §9.1); a client still answers one
  const challenge = chooseChallenge([algorithm === 'MD5-sess' ? 'Digest realm="relay.example.com", qop="auth", nonce="n1", algorithm=MD5-sess'
    : createChallenge({ realm: 'relay.example.com', nonce: 'n1', algorithm })]);
  const auth = authorize(challenge, login, { uri });
  const options: VerifyOptions = {
    realm: 'relay.example.com', requestUri: REQUEST_URI, algorithms: ['SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess'],
    lookup: async (user, realm) => (user === 'alice' && realm === 'relay.example.com' ? { password: 's3cret:with colon' } : null),
    nonces: checker, ...change,
  };
  return { auth, verdict: await verifyAuthorization(auth.value, options), options, checker };
}

server('every algorithm round-trips: the client checks the server\'s rspauth', async () => {
  for (const algorithm of ['SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess'] as const) {
    const { auth, verdict } = await roundTrip(algorithm);
    assert.ok(verdict.ok, algorithm);
    if (!verdict.ok) continue;
    assert.is(verdict.algorithm, algorithm);
    assert.is(formatDigest('', verdict.authenticationInfo.params).replace(/rspauth="[0-9a-f]+"/, 'rspauth="x"'),
      `rspauth="x", cnonce="${auth.cnonce}", nc=00000001, qop=auth`);
    assert.equal(checkAuthenticationInfo(verdict.authenticationInfo, auth), { verified: true, nextnonce: null });
  }
});

server('nonce counts must increase; a captured Authorization is a replay; an expired nonce is stale', async () => {
  const { auth, verdict, options, checker } = await roundTrip('SHA-256');
  assert.ok(verdict.ok);
  assert.equal(await verifyAuthorization(auth.value, options),
    { ok: false, reason: 'replay', username: 'alice', statusCode: 401, stale: false });
  const client = new DigestClient({ username: 'alice', password: 's3cret:with colon' });
  client.answer([createChallenge({ realm: 'relay.example.com', nonce: 'n1', algorithm: 'SHA-256' })], REQUEST_URI);
  const second = client.authorize(REQUEST_URI) as DigestAuthorization;
  assert.is(second.nc, '00000002');
  assert.ok((await verifyAuthorization(second.value, options)).ok);
  checker.counts.delete('n1');
  const third = client.authorize(REQUEST_URI) as DigestAuthorization;
  assert.equal(await verifyAuthorization(third.value, options),
    { ok: false, reason: 'stale', username: 'alice', statusCode: 401, stale: true });
});

server('a wrong password is refused before its nonce count is recorded', async () => {
  const { verdict, checker } = await roundTrip('MD5', {}, { username: 'alice', password: 'guess' });
  assert.equal(verdict, { ok: false, reason: 'bad-response', username: 'alice', statusCode: 401, stale: false });
  assert.is(checker.counts.get('n1'), 0);
});

server('refusals: unknown user, no secret for the hash, realm, algorithm not offered, uri naming another URI', async () => {
  const refuse = async (reason: string, statusCode: number, change: Partial<VerifyOptions>, login?: { username: string; password: string }, uri?: string,
    algorithm: DigestChallenge['algorithm'] = 'SHA-256') => {
    const { verdict } = await roundTrip(algorithm, change, login, uri);
    assert.not.ok(verdict.ok, reason);
    if (!verdict.ok) {
      assert.is(verdict.reason, reason);
      assert.is(verdict.statusCode, statusCode, reason);
      assert.not.ok(verdict.stale, reason);
    }
  };
  await refuse('unknown-user', 401, {}, { username: 'mallory', password: 'x' });
  await refuse('no-secret', 401, { lookup: () => ({ ha1: { MD5: '0'.repeat(32) } }) });
  await refuse('realm', 401, { realm: 'other.example.com' });
  await refuse('algorithm', 401, { algorithms: ['SHA-256'] }, undefined, undefined, 'MD5');
  await refuse('uri', 400, {}, undefined, 'msrps://elsewhere.example.com:2855;tcp');
});

server('the uri parameter may spell the request URI differently (RFC 4975 §6.1); it is what was hashed', async () => {
  const { verdict } = await roundTrip('SHA-256', {}, undefined, 'MSRPS://alice@RELAY.example.com:2855;TCP');
  assert.ok(verdict.ok);
});

server('credentials without a uri parameter (RFC 4976 §7 lists none) are hashed over the rightmost To-Path URI', async () => {
  const challenge = chooseChallenge([createChallenge({ realm: 'r', nonce: 'n1' })]);
  const auth = authorize(challenge, { username: 'u', password: 'p' }, { uri: REQUEST_URI });
  auth.value.params.delete('uri');
  const ok = await verifyAuthorization(auth.value, { realm: 'r', requestUri: REQUEST_URI, lookup: () => ({ password: 'p' }), nonces: nonces('n1') });
  assert.ok(ok.ok);
  const other = await verifyAuthorization(auth.value, { realm: 'r', requestUri: 'msrps://x.example:1;tcp', lookup: () => ({ password: 'p' }), nonces: nonces('n1') });
  assert.is(!other.ok && other.reason, 'bad-response');
});

server('malformed credentials are 400 with the reason (RFC 7616 §3.4)', async () => {
  const good = 'Digest username="u", realm="r", nonce="n", uri="msrp://a:1;tcp", response="0123abcd", qop=auth, nc=00000001, cnonce="c"';
  const cases: Array<[string, string]> = [
    ['Basic realm="r"', 'Authorization: scheme "Basic" is not Digest'],
    [good.replace(', cnonce="c"', ''), 'Authorization: cnonce is missing'],
    [good.replace('nc=00000001', 'nc=1'), 'Authorization: nc is not 8 hex digits'],
    [good.replace('nc=00000001', 'nc=00000000'), 'Authorization: nc is 0'],
    [good.replace('qop=auth', 'qop=auth-int'), 'Authorization: qop "auth-int" is not auth (RFC 4976 §9.1)'],
    [`${good}, algorithm=SHA-512-256`, 'Authorization: algorithm "SHA-512-256" is not supported'],
    [good.replace('0123abcd', 'xyz'), 'Authorization: response is not hex'],
    [`${good}, userhash=true`, 'Authorization: userhash is not supported'],
    [good.replace('username="u"', 'username*=UTF-8\'\'u'), 'Authorization: username* is not supported'],
    [good.replace('username="u", ', ''), 'Authorization: username is missing'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => readCredentials(text), (e: unknown) => e instanceof MsrpError && e.message === message, message);
    const verdict = await verifyAuthorization(parseDigest(text), { realm: 'r', requestUri: 'msrp://a:1;tcp', lookup: () => null, nonces: nonces() });
    assert.equal(verdict, { ok: false, reason: 'malformed', username: null, statusCode: 400, stale: false, message });
  }
  const basic = await verifyAuthorization('Basic dXNlcjpwYXNz', { realm: 'r', requestUri: 'msrp://a:1;tcp', lookup: () => null, nonces: nonces() });
  assert.is(!basic.ok && basic.statusCode, 400);
  assert.is(readCredentials(good).count, 1);
  assert.is(readCredentials(good.replace('nc=00000001', 'nc=0000001F')).nc, '0000001f');
});

server('nextnonce is offered when asked for, and the client switches to it with a new count', async () => {
  const checker = nonces('n1', 'n2');
  const client = new DigestClient({ username: 'u', password: 'p' });
  const first = client.answer([createChallenge({ realm: 'r', nonce: 'n1', algorithm: 'SHA-256' })], REQUEST_URI);
  const options: VerifyOptions = { realm: 'r', requestUri: REQUEST_URI, lookup: () => ({ password: 'p' }), nonces: checker, nextnonce: () => 'n2' };
  const verdict = await verifyAuthorization(first.value, options);
  assert.ok(verdict.ok);
  if (!verdict.ok) return;
  assert.equal(client.confirm(verdict.authenticationInfo, first), { verified: true, nextnonce: 'n2' });
  const refresh = client.authorize(REQUEST_URI) as DigestAuthorization;
  assert.is(refresh.nonce, 'n2');
  assert.is(refresh.nc, '00000001');
  assert.ok((await verifyAuthorization(refresh.value, options)).ok);
  assert.equal(client.confirm(undefined, refresh), { verified: false, nextnonce: null });
});

server.run();

const challenges = suite('digest: challenges');

challenges('createChallenge writes qop quoted and algorithm as a token; stale and opaque on request', () => {
  const c = createChallenge({ realm: 'relay.example.com', nonce: 'abc' });
  assert.is(formatDigest(c.scheme, c.params), 'Digest realm="relay.example.com", qop="auth", nonce="abc", algorithm=MD5');
  const s = createChallenge({ realm: 'r', nonce: 'n', algorithm: 'SHA-256', stale: true, opaque: 'o' });
  assert.is(formatDigest(s.scheme, s.params), 'Digest realm="r", qop="auth", nonce="n", algorithm=SHA-256, stale=true, opaque="o"');
  assert.ok(chooseChallenge([s]).stale);
  assert.throws(() => createChallenge({ realm: 'r', nonce: 'n', algorithm: 'MD5-sess' }), /RFC 4976 §9\.1/);
});

challenges('unusable challenges are skipped; none usable is a clear error', () => {
  const usable = 'Digest realm="r", nonce="n", qop="auth"';
  assert.is(chooseChallenge(['Basic realm="r"', 'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-512-256', usable]).nonce, 'n');
  assert.is(chooseChallenge(['digest realm="r", nonce="n", qop="AUTH-INT, Auth"']).algorithm, 'MD5');
  expectError(() => chooseChallenge([]), 'MSRP_ERR_DIGEST_CHALLENGE', 'the 401 carries no WWW-Authenticate challenge');
  expectError(() => chooseChallenge(['Basic realm="r"', 'Digest nonce="n", qop="auth"', 'Digest realm="r", qop="auth"',
    'Digest realm="r", nonce="n"', 'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-512-256', 'Digest realm="unterminated']),
  'MSRP_ERR_DIGEST_CHALLENGE', 'no usable digest challenge: scheme "Basic" is not Digest (Basic is never used, RFC 4976 §9.1); '
    + 'no realm; no nonce; qop does not offer "auth" (RFC 4976 §9.1); algorithm "SHA-512-256" is not supported; digest value');
});

challenges('helpers: algorithm names, nonce counts, HA1', () => {
  assert.is(digestAlgorithm('sha-256-SESS'), 'SHA-256-sess');
  assert.is(digestAlgorithm('SHA-512-256'), null);
  assert.is(formatNonceCount(1), '00000001');
  assert.is(formatNonceCount(0xffffffff), 'ffffffff');
  for (const bad of [0, 0x100000000, 1.5]) assert.throws(() => formatNonceCount(bad), RangeError);
  // RFC 2617 §3.5 user: MD5("Mufasa:testrealm@host.com:Circle Of Life")
  assert.is(digestHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life'), '939e7578ed9e3c518a452acee763bce9');
  const client = new DigestClient({ username: 'u', password: 'p' });
  assert.is(client.authorize('msrp://a:1;tcp'), null);
});

challenges.run();
