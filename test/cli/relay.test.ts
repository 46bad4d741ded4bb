/**
 * `msrp relay` (src/cli/relay.ts): users from the environment or a file,
 * names printed and passwords never, a certificate from files, plain TCP
 * with --insecure-tcp, and a clean stop on SIGINT.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { usersFromEnvironment } from '../../src/cli/relay.ts';
import { credentialLine } from '../../src/index.ts';
import { testCertificates } from '../helpers/tls.ts';
import { Msrp, msrpRun, randomFile, tempDir } from './helpers.ts';

const env = suite('cli/relay MSRP_RELAY_USERS');

env('name:password pairs split by commas or spaces, in the relay\'s realm', () => {
  assert.equal(usersFromEnvironment('alice:a1, bob:b:2\ncarol:c3', 'localhost'), [
    { username: 'alice', realm: 'localhost', password: 'a1' },
    { username: 'bob', realm: 'localhost', password: 'b:2' },
    { username: 'carol', realm: 'localhost', password: 'c3' },
  ]);
  assert.equal(usersFromEnvironment('  ', 'localhost'), []);
  assert.throws(() => usersFromEnvironment('alice:a1,bobsecret', 'x'), (e: Error) => /entry 2 is not name:password/.test(e.message) && !e.message.includes('bobsecret'));
  assert.throws(() => usersFromEnvironment('alice:', 'x'), /entry 1 is not name:password/);
});

const run = suite('msrp relay as a process');

run('users from a file (one hashed), a certificate from files; prints names, never passwords; SIGINT stops it with 0', async () => {
  const dir = await tempDir();
  const certs = await testCertificates();
  try {
    const users = join(dir.path, 'users.txt');
    await writeFile(users, `# relay users\n${credentialLine('alice', 'localhost', 'first secret')}\n${credentialLine('bob', 'localhost', 'second secret', true)}\n`);
    await writeFile(join(dir.path, 'cert.pem'), certs.server.cert);
    await writeFile(join(dir.path, 'key.pem'), certs.server.key);
    const relay = new Msrp(['relay', '--port', '0', '--users', users, '--tls-cert', join(dir.path, 'cert.pem'), '--tls-key', join(dir.path, 'key.pem')]);
    try {
      await relay.line(/^Ctrl-C stops it$/);
      assert.match(relay.stdout, /^msrp relay msrps:\/\/localhost:\d+;tcp listening on 127\.0\.0\.1:\d+$/m);
      assert.match(relay.stdout, /^certificate: from .*cert\.pem$/m);
      assert.match(relay.stdout, /^users \(realm localhost\): alice, bob$/m);
      assert.match(relay.stdout, /^clients: msrp send FILE --relay msrps:\/\/localhost:\d+ --user NAME/m);
      assert.not.match(relay.stdout + relay.stderr, 'secret');
      relay.child.kill('SIGINT');
      assert.is(await relay.exit(), 0, relay.stderr);
      assert.match(relay.stdout, /^relay stopped \(SIGINT\)$/m);
    } finally {
      relay.kill();
    }
  } finally {
    await dir.remove();
  }
});

run('--insecure-tcp: plain msrp:// for clients that say msrp://', async () => {
  const dir = await tempDir();
  const relay = new Msrp(['relay', '--port', '0', '--insecure-tcp', '--json'], { env: { MSRP_RELAY_USERS: 'alice:pw' } });
  try {
    const listening = await relay.event('listening');
    assert.match(String(listening.uri), /^msrp:\/\/localhost:\d+;tcp$/);
    assert.is(listening.fingerprint, null);
    // a wrong password reaches the relay over plain TCP and is refused there: the scheme matched
    const file = await randomFile(dir.path, 'a.bin', 10);
    const r = await msrpRun(['send', file, '--relay', `msrp://localhost:${listening.port}`, '--user', 'alice'], { env: { MSRP_PASSWORD: 'wrong' } });
    assert.is(r.code, 6, r.err);
  } finally {
    relay.kill();
    await dir.remove();
  }
});

run('bad relay flags: a numeric --host (RFC 4976 §4.2), a certificate without its key', async () => {
  let r = await msrpRun(['relay', '--port', '0', '--host', '192.0.2.1']);
  assert.is(r.code, 2);
  assert.match(r.err, /Use-Path URIs need a host name, not a numeric address \(RFC 4976 §4\.2\)/);
  r = await msrpRun(['relay', '--tls-cert', 'cert.pem']);
  assert.is(r.code, 2);
  assert.match(r.err, /--tls-cert and --tls-key go together/);
});

env.run();
run.run();
