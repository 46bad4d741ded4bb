import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { authorize, chooseChallenge, createChallenge, verifyAuthorization } from '../../src/protocol/digest.ts';
import { NonceStore } from '../../src/relay/nonces.ts';

/** A store on a clock the test moves. */
function store(options: { lifetime?: number; maxLive?: number } = {}) {
  const clock = { t: 1_000_000 };
  return { clock, nonces: new NonceStore({ ...options, now: () => clock.t }) };
}

const issue = suite('NonceStore: issuing');

issue('nonces are 144 random bits in base64url, all different', () => {
  const { nonces } = store();
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const n = nonces.issue();
    assert.match(n, /^[A-Za-z0-9_-]{24}$/);
    seen.add(n);
  }
  assert.is(seen.size, 1000);
  assert.is(nonces.size, 1000);
});

issue('at most maxLive are remembered; the oldest is forgotten first and is then stale', () => {
  const { nonces } = store({ maxLive: 3 });
  const [a, b, c, d] = [nonces.issue(), nonces.issue(), nonces.issue(), nonces.issue()];
  assert.is(nonces.size, 3);
  assert.is(nonces.use(a, 1), 'stale');
  for (const n of [b, c, d]) assert.is(nonces.use(n, 1), 'ok');
});

issue('expired nonces are swept when a nonce is issued, and by sweep()', () => {
  const { nonces, clock } = store({ lifetime: 10 });
  nonces.issue();
  nonces.issue();
  clock.t += 5_000;
  const young = nonces.issue();
  clock.t += 5_000; // the first two are now exactly 10 s old
  nonces.issue();
  assert.is(nonces.size, 2);
  clock.t += 5_000;
  nonces.sweep();
  assert.is(nonces.size, 1);
  assert.is(nonces.use(young, 1), 'stale');
});

issue('bad options are RangeErrors', () => {
  assert.throws(() => new NonceStore({ lifetime: 0 }), RangeError);
  assert.throws(() => new NonceStore({ maxLive: 0 }), RangeError);
  assert.throws(() => new NonceStore({ maxLive: 1.5 }), RangeError);
});

issue.run();

const counting = suite('NonceStore: counts and expiry');

counting('a count must be above every count seen with the nonce; gaps are allowed', () => {
  const { nonces } = store();
  const n = nonces.issue();
  assert.is(nonces.use(n, 1), 'ok');
  assert.is(nonces.use(n, 1), 'replay');
  assert.is(nonces.use(n, 3), 'ok');
  assert.is(nonces.use(n, 2), 'replay');
  assert.is(nonces.use(n, 3), 'replay');
  assert.is(nonces.use(n, 4), 'ok');
});

counting('a nonce past its lifetime, revoked, or never issued is stale', () => {
  const { nonces, clock } = store({ lifetime: 60 });
  const n = nonces.issue();
  clock.t += 59_999;
  assert.is(nonces.use(n, 1), 'ok');
  clock.t += 1;
  assert.is(nonces.use(n, 2), 'stale');
  assert.is(nonces.size, 0);
  const m = nonces.issue();
  nonces.revoke(m);
  assert.is(nonces.use(m, 1), 'stale');
  assert.is(nonces.use('never-issued', 1), 'stale');
});

counting('with verifyAuthorization: a captured AUTH replayed is refused, an old nonce gets stale=true', async () => {
  const { nonces, clock } = store({ lifetime: 300 });
  const requestUri = 'msrps://relay.example.com:2855;tcp';
  const nonce = nonces.issue();
  const auth = authorize(chooseChallenge([createChallenge({ realm: 'r', nonce, algorithm: 'SHA-256' })]),
    { username: 'alice', password: 'pw' }, { uri: requestUri });
  const options = { realm: 'r', requestUri, lookup: () => ({ password: 'pw' }), nonces };
  assert.ok((await verifyAuthorization(auth.value, options)).ok);
  const replay = await verifyAuthorization(auth.value, options);
  assert.is(!replay.ok && replay.reason, 'replay');
  const later = authorize(chooseChallenge([createChallenge({ realm: 'r', nonce, algorithm: 'SHA-256' })]),
    { username: 'alice', password: 'pw' }, { uri: requestUri, nc: 2 });
  clock.t += 300_000;
  const stale = await verifyAuthorization(later.value, options);
  assert.is(!stale.ok && stale.stale, true);
});

counting.run();
