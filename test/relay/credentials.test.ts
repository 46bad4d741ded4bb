import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpError } from '../../src/errors.ts';
import { authorize, chooseChallenge, createChallenge, digestHa1, verifyAuthorization } from '../../src/protocol/digest.ts';
import {
  credentialLine, FileCredentialStore, MemoryCredentialStore, parseCredentials, type CredentialStore,
} from '../../src/relay/credentials.ts';

/** Whether `store` lets `username`/`password` in with `algorithm`, end to end through digest.ts. */
async function admits(store: CredentialStore, username: string, password: string, realm = 'relay.example.com',
  algorithm: 'MD5' | 'SHA-256' = 'SHA-256'): Promise<boolean> {
  const requestUri = 'msrps://relay.example.com:2855;tcp';
  const auth = authorize(chooseChallenge([createChallenge({ realm, nonce: 'n', algorithm })]), { username, password }, { uri: requestUri });
  const verdict = await verifyAuthorization(auth.value, {
    realm, requestUri, lookup: (u, r) => store.lookup(u, r), nonces: { use: () => 'ok' },
  });
  return verdict.ok;
}

const memory = suite('MemoryCredentialStore');

memory('lookup by username and realm, case-sensitive; copies, so callers cannot change the store', async () => {
  const store = new MemoryCredentialStore([{ username: 'alice', realm: 'relay.example.com', password: 'pw' }]);
  assert.equal(await store.lookup('alice', 'relay.example.com'), { username: 'alice', realm: 'relay.example.com', password: 'pw' });
  assert.is(await store.lookup('Alice', 'relay.example.com'), null);
  assert.is(await store.lookup('alice', 'other.example.com'), null);
  const got = await store.lookup('alice', 'relay.example.com');
  if (got) got.password = 'changed';
  assert.ok(await admits(store, 'alice', 'pw'));
  assert.not.ok(await admits(store, 'alice', 'changed'));
});

memory('set replaces, delete removes; entries need a password or an HA1', async () => {
  const store = new MemoryCredentialStore();
  store.set({ username: 'bob', realm: 'r', password: 'one' }).set({ username: 'bob', realm: 'r', password: 'two' });
  assert.is(store.size, 1);
  assert.ok(await admits(store, 'bob', 'two', 'r'));
  assert.ok(store.delete('bob', 'r'));
  assert.not.ok(store.delete('bob', 'r'));
  assert.is(await store.lookup('bob', 'r'), null);
  assert.throws(() => store.set({ username: 'x', realm: 'r' }), /neither a password nor an HA1/);
  assert.throws(() => store.set({ username: 'x', realm: 'r', ha1: {} }), /neither a password nor an HA1/);
  assert.throws(() => store.set({ username: 'a:b', realm: 'r', password: 'p' }), RangeError);
  assert.throws(() => store.set({ username: 'a', realm: '', password: 'p' }), RangeError);
});

memory('an HA1-only user is admitted with the hashes stored and refused with the others', async () => {
  const store = new MemoryCredentialStore([{ username: 'carol', realm: 'r', ha1: { MD5: digestHa1('MD5', 'carol', 'r', 'pw') } }]);
  assert.ok(await admits(store, 'carol', 'pw', 'r', 'MD5'));
  assert.not.ok(await admits(store, 'carol', 'pw', 'r', 'SHA-256'));
  assert.not.ok(await admits(store, 'carol', 'wrong', 'r', 'MD5'));
});

memory.run();

const format = suite('credential file format');

format('plain and {ha1} lines, comments, blank lines, CRLF; the password is the rest of the line', () => {
  const text = [
    '# users of relay.example.com',
    '',
    'alice:relay.example.com:secret: with colons and  spaces ',
    `bob:relay.example.com:{ha1}:${'A'.repeat(32)}:${'b'.repeat(64)}`,
    `carol:relay.example.com:{ha1}:-:${'c'.repeat(64)}`,
    `dave:relay.example.com:{ha1}:${'d'.repeat(32)}`,
    '   # indented comment',
  ].join('\r\n');
  assert.equal(parseCredentials(text), [
    { username: 'alice', realm: 'relay.example.com', password: 'secret: with colons and  spaces ' },
    { username: 'bob', realm: 'relay.example.com', ha1: { MD5: 'a'.repeat(32), 'SHA-256': 'b'.repeat(64) } },
    { username: 'carol', realm: 'relay.example.com', ha1: { 'SHA-256': 'c'.repeat(64) } },
    { username: 'dave', realm: 'relay.example.com', ha1: { MD5: 'd'.repeat(32) } },
  ]);
});

format('errors name the source and line, never the line\'s content', () => {
  const cases: Array<[string, string]> = [
    ['no-colons-hunter2', 'users.txt line 2: expected username:realm:secret'],
    [':realm:hunter2', 'users.txt line 2: expected username:realm:secret'],
    ['user::hunter2', 'users.txt line 2: expected username:realm:secret'],
    ['user:realm:', 'users.txt line 2: empty password'],
    ['user:realm:{ha1}', 'users.txt line 2: {ha1} line without any hash'],
    ['user:realm:{ha1}:-:-', 'users.txt line 2: {ha1} line without any hash'],
    ['user:realm:{ha1}:hunter2', 'users.txt line 2: MD5 HA1 must be 32 hex digits or "-"'],
    [`user:realm:{ha1}:-:${'g'.repeat(64)}`, 'users.txt line 2: SHA-256 HA1 must be 64 hex digits or "-"'],
    [`user:realm:{ha1}:-:-:${'a'.repeat(64)}`, 'users.txt line 2: at most 2 hashes after {ha1}'],
    ['alice:r:hunter2', 'users.txt line 2: the same username and realm appear on an earlier line'],
  ];
  for (const [line, message] of cases) {
    assert.throws(() => parseCredentials(`alice:r:first\n${line}\n`, 'users.txt'),
      (e: unknown) => e instanceof MsrpError && e.code === 'MSRP_ERR_CREDENTIALS' && e.message === message, message);
  }
});

format('credentialLine writes what parseCredentials reads; hashed lines hold no password', async () => {
  const plain = credentialLine('alice', 'relay.example.com', 'pa:ss word');
  assert.is(plain, 'alice:relay.example.com:pa:ss word');
  const hashed = credentialLine('alice', 'relay.example.com', 'pa:ss word', true);
  assert.not.ok(hashed.includes('pa:ss'));
  assert.match(hashed, /^alice:relay\.example\.com:\{ha1\}:[0-9a-f]{32}:[0-9a-f]{64}$/);
  for (const line of [plain, hashed]) {
    const store = new MemoryCredentialStore(parseCredentials(line));
    for (const algorithm of ['MD5', 'SHA-256'] as const) {
      assert.ok(await admits(store, 'alice', 'pa:ss word', 'relay.example.com', algorithm), `${line} ${algorithm}`);
    }
  }
  assert.throws(() => credentialLine('alice', 'r', '{ha1}:x'), /must be stored hashed/);
  assert.is(credentialLine('alice', 'r', '{ha1}:x', true).split(':').length, 5);
  assert.throws(() => credentialLine('alice', 'r', 'two\nlines'), RangeError);
  assert.throws(() => credentialLine('alice', 'r', ''), RangeError);
  assert.throws(() => credentialLine('al:ice', 'r', 'p'), RangeError);
});

format.run();

const file = suite('FileCredentialStore');

file('reads a file, reloads it, keeps the old entries when the new file is bad', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'msrp-credentials-'));
  try {
    const path = join(dir, 'users');
    writeFileSync(path, `${credentialLine('alice', 'r', 'one', true)}\n`);
    const store = await FileCredentialStore.open(path);
    assert.is(store.size, 1);
    assert.ok(await admits(store, 'alice', 'one', 'r'));
    writeFileSync(path, `${credentialLine('alice', 'r', 'two')}\n${credentialLine('bob', 'r', 'three')}\n`);
    await store.reload();
    assert.is(store.size, 2);
    assert.ok(await admits(store, 'alice', 'two', 'r'));
    assert.not.ok(await admits(store, 'alice', 'one', 'r'));
    writeFileSync(path, 'alice:r:two\nbroken line with secret\n');
    try {
      await store.reload();
      assert.unreachable('reload of a bad file resolved');
    } catch (err) {
      assert.is((err as Error).message, `${path} line 2: expected username:realm:secret`);
    }
    assert.ok(await admits(store, 'bob', 'three', 'r'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

file('an unreadable file is MSRP_ERR_CREDENTIALS naming the path and the errno code', async () => {
  try {
    await FileCredentialStore.open('/nonexistent/msrp-users');
    assert.unreachable('opened a missing file');
  } catch (err) {
    assert.instance(err, MsrpError);
    assert.is((err as MsrpError).code, 'MSRP_ERR_CREDENTIALS');
    assert.is((err as Error).message, 'cannot read credential file /nonexistent/msrp-users: ENOENT');
  }
});

file.run();
