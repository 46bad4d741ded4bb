/**
 * The relay client's AUTH exchange (RFC 4976 §5.1, §6.3, §9.1) against a
 * scripted relay: Digest answered (MD5, SHA-256) with qop=auth, nc, cnonce
 * and the rightmost To-Path URI; Authentication-Info checked; 401 with wrong
 * or missing credentials, 403, 423 and its bounds; Expires only when asked;
 * refresh before expiry, with a new Use-Path reported as 'path-changed', and
 * the timer gone once the session closes.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AcceptorRelay, ConnectorRelay, refreshDelay, type RelayOptions } from '../../src/connect/index.ts';
import { MsrpError } from '../../src/errors.ts';
import { formatPath } from '../../src/protocol/headers.ts';
import type { MsrpUri } from '../../src/protocol/uri.ts';
import { digestAuth, FakeRelay } from './fake-relay.ts';
import { rejectsWith } from './helpers.ts';

const LOGIN = { user: 'alice', password: 'secret', realm: 'relay.test' };

function settings(relay: FakeRelay, extra: Partial<RelayOptions> = {}): RelayOptions {
  return { host: '127.0.0.1', port: relay.port, insecure: true, username: LOGIN.user, password: LOGIN.password, ...extra };
}

/** Prepares a ConnectorRelay against `relay`; the caller cancels it. */
async function prepared(relay: FakeRelay, extra: Partial<RelayOptions> = {}): Promise<ConnectorRelay> {
  const connector = new ConnectorRelay({ relay: settings(relay, extra) });
  await connector.prepare();
  return connector;
}

const digest = suite('connect/relay-auth: Digest (RFC 4976 §9.1)');

for (const algorithm of ['MD5', 'SHA-256'] as const) {
  digest(`${algorithm}: the 401 is answered with qop=auth, nc, cnonce and the relay URI; rspauth is verified`, async () => {
    const relay = await FakeRelay.start({ onAuth: digestAuth({ ...LOGIN, algorithm }) });
    try {
      const connector = await prepared(relay);
      assert.is(relay.auths.length, 2);
      assert.is(relay.auths[0].chunk.getHeader('Authorization'), undefined);
      const answer = relay.auths[1].chunk.authorization;
      const p = answer?.params as Map<string, string>;
      assert.is(p.get('uri'), `msrp://127.0.0.1:${relay.port};tcp`);
      assert.is(p.get('qop'), 'auth');
      assert.is(p.get('nc'), '00000001');
      assert.ok((p.get('cnonce') ?? '').length >= 8);
      assert.is(p.get('algorithm'), algorithm);
      assert.is.not(relay.auths[1].chunk.transactionId, relay.auths[0].chunk.transactionId);
      assert.is(connector.grant?.verified, true);
      connector.cancel();
    } finally {
      await relay.close();
    }
  });
}

digest('a wrong password is MSRP_ERR_RELAY_CREDENTIALS (401) after one answer', async () => {
  const relay = await FakeRelay.start({ onAuth: digestAuth(LOGIN) });
  try {
    await rejectsWith(new ConnectorRelay({ relay: settings(relay, { password: 'wrong' }) }).prepare(), 'MSRP_ERR_RELAY_CREDENTIALS', 401);
    assert.is(relay.auths.length, 2);
    // the client released its connection: the relay sees it close
    await relay.until(() => relay.auths[0].connection.closed);
  } finally {
    await relay.close();
  }
});

digest('a 401 without credentials configured, or for another realm, is MSRP_ERR_RELAY_AUTH', async () => {
  const relay = await FakeRelay.start({ onAuth: digestAuth(LOGIN) });
  try {
    const none = new ConnectorRelay({ relay: { host: '127.0.0.1', port: relay.port, insecure: true } });
    const e = await rejectsWith(none.prepare(), 'MSRP_ERR_RELAY_AUTH', 401);
    assert.match(e.message, /none are configured/);
    await rejectsWith(new ConnectorRelay({ relay: settings(relay, { realm: 'elsewhere' }) }).prepare(), 'MSRP_ERR_RELAY_AUTH', 401);
  } finally {
    await relay.close();
  }
});

digest('the password may come from a function, asked only when the relay challenges', async () => {
  let asked = 0;
  const password = async () => { asked++; return LOGIN.password; };
  const open = await FakeRelay.start();
  const guarded = await FakeRelay.start({ onAuth: digestAuth(LOGIN) });
  try {
    (await prepared(open, { password })).cancel();
    assert.is(asked, 0);
    (await prepared(guarded, { password })).cancel();
    assert.is(asked, 1);
  } finally {
    await open.close();
    await guarded.close();
  }
});

digest('an Authentication-Info with a wrong rspauth fails with MSRP_ERR_DIGEST_RSPAUTH', async () => {
  const relay = await FakeRelay.start({ onAuth: digestAuth({ ...LOGIN, badRspauth: true }) });
  try {
    const err = await new ConnectorRelay({ relay: settings(relay) }).prepare().catch((e: unknown) => e);
    assert.instance(err, MsrpError);
    assert.is((err as MsrpError).code, 'MSRP_ERR_DIGEST_RSPAUTH');
  } finally {
    await relay.close();
  }
});

const verdicts = suite('connect/relay-auth: 403, 423, Expires, a 200 without Use-Path');

verdicts('403 is MSRP_ERR_RELAY_FORBIDDEN', async () => {
  const relay = await FakeRelay.start({ onAuth: (request, r) => r.respond(request, 403) });
  try {
    await rejectsWith(new ConnectorRelay({ relay: settings(relay) }).prepare(), 'MSRP_ERR_RELAY_FORBIDDEN', 403);
  } finally {
    await relay.close();
  }
});

verdicts('Expires is sent only when asked for; a 423 is retried once within Min-Expires or Max-Expires', async () => {
  const relay = await FakeRelay.start({
    onAuth: (request, r) => {
      const asked = request.expires;
      if (asked !== undefined && asked < 60) return r.respond(request, 423, [['Min-Expires', '60']]);
      if (asked !== undefined && asked > 600) return r.respond(request, 423, [['Max-Expires', '600']]);
      return r.grant(request, { expires: asked ?? 900 });
    },
  });
  try {
    const plain = await prepared(relay);
    assert.is(relay.auths[0].chunk.getHeader('Expires'), undefined);
    assert.is(plain.grant?.expires, 900);
    plain.cancel();
    for (const [asked, granted] of [[10, 60], [7200, 600], [300, 300]]) {
      const connector = await prepared(relay, { expires: asked });
      assert.is(connector.grant?.expires, granted);
      connector.cancel();
    }
    assert.equal(relay.auths.map((a) => a.chunk.getHeader('Expires') ?? '-'), ['-', '10', '60', '7200', '600', '300']);
  } finally {
    await relay.close();
  }
});

verdicts('a 423 that names no usable bound, or a second 423, is MSRP_ERR_RELAY_EXPIRES', async () => {
  const bare = await FakeRelay.start({ onAuth: (request, r) => r.respond(request, 423) });
  const stubborn = await FakeRelay.start({ onAuth: (request, r) => r.respond(request, 423, [['Min-Expires', '120']]) });
  try {
    await rejectsWith(new ConnectorRelay({ relay: settings(bare, { expires: 30 }) }).prepare(), 'MSRP_ERR_RELAY_EXPIRES', 423);
    await rejectsWith(new ConnectorRelay({ relay: settings(stubborn, { expires: 30 }) }).prepare(), 'MSRP_ERR_RELAY_EXPIRES', 423);
    assert.is(stubborn.auths.length, 2);
  } finally {
    await bare.close();
    await stubborn.close();
  }
});

verdicts('a 200 without Use-Path, or another status, is MSRP_ERR_RELAY_AUTH', async () => {
  const relay = await FakeRelay.start({
    onAuth: (request, r) => (request.expires === undefined ? r.respond(request, 200) : r.respond(request, 500)),
  });
  try {
    await rejectsWith(new ConnectorRelay({ relay: settings(relay) }).prepare(), 'MSRP_ERR_RELAY_AUTH', 200);
    await rejectsWith(new ConnectorRelay({ relay: settings(relay, { expires: 60 }) }).prepare(), 'MSRP_ERR_RELAY_AUTH', 500);
  } finally {
    await relay.close();
  }
});

const refresh = suite('connect/relay-auth: refresh before expiry');

refresh('refreshDelay: a minute early, at most halfway', () => {
  assert.is(refreshDelay(3600), 3_540_000);
  assert.is(refreshDelay(90), 45_000);
  assert.is(refreshDelay(1), 500);
});

refresh('a refresh carries credentials at once (nc 2); a new Use-Path is a \'path-changed\' with the new a=path', async () => {
  const relay = await FakeRelay.start({ onAuth: digestAuth({ ...LOGIN, expires: 1 }) });
  try {
    const acceptor = new AcceptorRelay({ relay: settings(relay) });
    const first = await acceptor.prepare();
    const [path, usePath] = await new Promise<[MsrpUri[], MsrpUri[]]>((resolve) => acceptor.on('path-changed', (p, u) => resolve([p, u])));
    assert.is(relay.auths.length, 3, 'challenge, answer, then the refresh without a new challenge');
    const refreshAuth = relay.auths[2].chunk;
    assert.is(refreshAuth.authorization?.params.get('nc'), '00000002');
    assert.is(refreshAuth.getHeader('From-Path'), String(acceptor.localUri));
    assert.is(relay.auths[2].connection, relay.auths[0].connection, 'on the same connection (RFC 4976 §6.3)');
    assert.is.not(formatPath(path), formatPath(first));
    assert.is(formatPath(path), formatPath([...usePath].reverse().concat(acceptor.localUri as MsrpUri)));
    assert.is(formatPath(acceptor.localPath ?? []), formatPath(path));
    acceptor.cancel();
  } finally {
    await relay.close();
  }
});

refresh('refreshing stops when the session\'s transport closes; a failed refresh is \'refresh-failed\'', async () => {
  let refused = false;
  const relay = await FakeRelay.start({
    onAuth: (request, r) => (refused ? r.respond(request, 403) : r.grant(request, { expires: 1 })),
  });
  try {
    const connector = new ConnectorRelay({ relay: settings(relay), bindTimeout: 5000 });
    const path = await connector.prepare();
    const transport = await connector.complete(path.slice(-1));
    await relay.until(() => relay.auths.length >= 2);
    transport.close();
    const count = relay.auths.length;
    // two refresh periods: a live timer would have sent another AUTH by now
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.is(relay.auths.length, count);

    const failing = new ConnectorRelay({ relay: settings(relay) });
    await failing.prepare();
    refused = true;
    const error = await new Promise<Error>((resolve) => failing.on('refresh-failed', resolve));
    assert.is((error as MsrpError).code, 'MSRP_ERR_RELAY_FORBIDDEN');
    failing.cancel();
  } finally {
    await relay.close();
  }
});

digest.run();
verdicts.run();
refresh.run();
