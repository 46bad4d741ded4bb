// MsrpRelay AUTH (RFC 4976 §5.1, §6.1, §6.3, §9.1) over real TLS sockets,
// with AUTHs made by hand: challenges, digest verification, nonce expiry and
// replay, 403/423, Use-Path and Authentication-Info, expiry, probation.
import { once } from 'node:events';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DigestClient, digestUri } from '../../src/protocol/digest.ts';
import type { MsrpUri } from '../../src/protocol/uri.ts';
import { connectTo, delay, formatAuthorization, RelayClient, relayedEndpoint, startRelay, transportTo, until } from './server-helpers.ts';

const auth = suite('relay server: AUTH and digest (RFC 4976 §5.1, §9.1)');

auth('an AUTH without credentials gets 401 with a challenge per algorithm, SHA-256 first', async () => {
  const relay = await startRelay();
  const c = await RelayClient.open(relay.uri);
  try {
    const r = await c.request(c.newUri());
    assert.is(r.code, 401);
    const challenges = r.getHeaders('WWW-Authenticate');
    assert.is(challenges.length, 2);
    assert.match(challenges[0], /^Digest realm="relay\.test", qop="auth", nonce="[^"]+", algorithm=SHA-256$/);
    assert.match(challenges[1], /algorithm=MD5$/);
    assert.not.match(challenges.join(), /MD5-sess|auth-int/);
  } finally {
    c.close();
    await relay.close();
  }
});

auth('200 with a Use-Path (host name, explicit port, 120 random bits), Expires, and Authentication-Info whose rspauth checks out', async () => {
  const relay = await startRelay();
  const c = await RelayClient.open(relay.uri);
  try {
    const client = new DigestClient({ username: 'alice', password: 'alice secret' });
    const { response, auth: sent, from } = await c.auth('alice', undefined, { client });
    assert.is(response.code, 200);
    assert.is(response.getHeader('To-Path'), String(from));
    assert.is(response.getHeader('From-Path'), String(relay.uri));
    const usePath = response.usePath as MsrpUri[];
    assert.is(usePath.length, 1);
    assert.is(usePath[0].scheme, 'msrps');
    assert.is(usePath[0].host, 'localhost');
    assert.is(usePath[0].port, relay.uri.port);
    assert.ok((usePath[0].sessionId as string).length >= 16, 'at least 96 bits of base64url');
    assert.is(response.expires, 1800);
    const info = response.authenticationInfo;
    assert.ok(info, 'Authentication-Info');
    for (const p of ['rspauth', 'cnonce', 'nc', 'qop']) assert.ok(info?.params.has(p), `Authentication-Info ${p}`);
    assert.is(client.confirm(info, sent!).verified, true, 'rspauth proves the relay knows the password');
    assert.is(relay.stats().sessions, 1);
  } finally {
    c.close();
    await relay.close();
  }
});

auth('a wrong password or an unknown user gets 401 again; MD5 is accepted too', async () => {
  const relay = await startRelay({ algorithms: ['MD5'] });
  const c = await RelayClient.open(relay.uri);
  try {
    assert.is((await c.auth('alice', 'wrong')).response.code, 401);
    assert.is((await c.auth('mallory', 'whatever')).response.code, 401);
    const ok = await c.auth('alice');
    assert.is(ok.response.code, 200);
    assert.is(ok.auth?.algorithm, 'MD5');
  } finally {
    c.close();
    await relay.close();
  }
});

auth('a captured Authorization replayed gets 401 (nonce count seen); an expired nonce gets 401 stale=true', async () => {
  const relay = await startRelay({ nonceLifetime: 0.3 });
  const c = await RelayClient.open(relay.uri);
  try {
    const { response, auth: sent, from } = await c.auth('alice');
    assert.is(response.code, 200);
    const replay = await c.request(from, [['Authorization', formatAuthorization(sent!)]]);
    assert.is(replay.code, 401);
    assert.not.match(replay.getHeaders('WWW-Authenticate').join(), /stale/);
    // a fresh count with the same nonce is fine while it lives
    const client = new DigestClient({ username: 'alice', password: 'alice secret' });
    const first = await c.auth('alice', undefined, { client });
    assert.is(first.response.code, 200);
    await delay(400);
    const late = client.authorize(digestUri(String(relay.uri)));
    const stale = await c.request(first.from, [['Authorization', formatAuthorization(late!)]]);
    assert.is(stale.code, 401);
    assert.match(stale.getHeaders('WWW-Authenticate')[0], /stale=true/);
    const again = await c.auth('alice', undefined, { client: new DigestClient({ username: 'alice', password: 'alice secret' }) });
    assert.is(again.response.code, 200);
  } finally {
    c.close();
    await relay.close();
  }
});

auth.run();

const policy = suite('relay server: 403, 423, refresh, expiry (RFC 4976 §6.3)');

policy('403 when the user is not authorized or has too many sessions; a refresh keeps its Use-Path', async () => {
  const relay = await startRelay({ authorize: (user) => user !== 'bob', maxSessionsPerUser: 1 });
  const c = await RelayClient.open(relay.uri);
  try {
    assert.is((await c.auth('bob')).response.code, 403);
    const first = await c.auth('alice');
    assert.is(first.response.code, 200);
    assert.is((await c.auth('alice')).response.code, 403, 'a second session is over the limit');
    const refresh = await c.auth('alice', undefined, { from: first.from });
    assert.is(refresh.response.code, 200);
    assert.is(String(refresh.response.usePath), String(first.response.usePath));
    assert.is(relay.stats().sessions, 1);
  } finally {
    c.close();
    await relay.close();
  }
});

policy('Expires outside the bounds gets 423 with Min-Expires or Max-Expires; inside, it is granted', async () => {
  const relay = await startRelay({ expires: { min: 10, default: 20, max: 30 } });
  const c = await RelayClient.open(relay.uri);
  try {
    const low = await c.auth('alice', undefined, { expires: 5 });
    assert.is(low.response.code, 423);
    assert.is(low.response.minExpires, 10);
    const high = await c.auth('alice', undefined, { expires: 50 });
    assert.is(high.response.code, 423);
    assert.is(high.response.maxExpires, 30);
    const ok = await c.auth('alice', undefined, { expires: 15 });
    assert.is(ok.response.code, 200);
    assert.is(ok.response.expires, 15);
    assert.is((await c.auth('bob')).response.expires, 20);
  } finally {
    c.close();
    await relay.close();
  }
});

policy('an expired Use-Path no longer forwards (403) and is forgotten', async () => {
  const relay = await startRelay({ expires: { min: 1, default: 1, max: 1 } });
  try {
    const a = await relayedEndpoint(relay, 'alice');
    const b = await relayedEndpoint(relay, 'bob');
    const ta = transportTo(a, b.path);
    transportTo(b, a.path);
    const ok = await ta.sendMessage({ body: 'in time' }).outcome;
    assert.is(ok.code, 200);
    await until(() => relay.stats().sessions === 0, 3000, 'expiry');
    const late = await ta.sendMessage({ body: 'too late' }).outcome;
    assert.is(late.code, 403);
    a.client.close();
    b.client.close();
  } finally {
    await relay.close();
  }
});

policy.run();

const probation = suite('relay server: probation and failed AUTHs (RFC 4976 §6.1, §6.3)');

probation('a connection with no successful request within the probation period is closed', async () => {
  const relay = await startRelay({ probationTimeout: 200 });
  try {
    const idle = await connectTo(relay.uri);
    const failing = await RelayClient.open(relay.uri);
    const good = await RelayClient.open(relay.uri);
    assert.is((await good.auth('alice')).response.code, 200);
    assert.is((await failing.request(failing.newUri())).code, 401, 'a challenge is not a success');
    await Promise.all([once(idle, 'close'), once(failing.connection, 'close')]);
    await delay(300);
    assert.is(good.connection.closed, false, 'a connection that authenticated stays');
    good.close();
  } finally {
    await relay.close();
  }
});

probation('several failed AUTHs in a row close a client connection', async () => {
  const relay = await startRelay({ maxAuthFailures: 2 });
  const c = await RelayClient.open(relay.uri);
  try {
    assert.is((await c.auth('alice', 'wrong')).response.code, 401);
    const closed = once(c.connection, 'close');
    assert.is((await c.auth('alice', 'wrong again')).response.code, 401, 'the last answer still goes out');
    await closed;
  } finally {
    c.close();
    await relay.close();
  }
});

probation('a TCP listener only when asked for; a numeric host only when allowed (RFC 4976 §4.2)', async () => {
  const relay = await startRelay();
  try {
    assert.is(relay.tcpUri, null);
  } finally {
    await relay.close();
  }
  try {
    await startRelay({ host: '127.0.0.1' });
    assert.unreachable('a numeric host was taken');
  } catch (err) {
    assert.instance(err, RangeError);
  }
  const tcp = await startRelay({ tcpPort: 0 });
  try {
    assert.is(tcp.tcpUri?.scheme, 'msrp');
    const c = await RelayClient.open(tcp.tcpUri as MsrpUri);
    const { response } = await c.auth('alice');
    assert.is((response.usePath as MsrpUri[])[0].scheme, 'msrp', 'URIs handed out on TCP are msrp');
    c.close();
  } finally {
    await tcp.close();
  }
});

probation.run();
