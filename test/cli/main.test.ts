/**
 * The `msrp` command's failures as a user meets them: each prints one
 * sentence naming what is wrong and exits with the documented code.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closedPort } from '../connect/fake-relay.ts';
import { msrpRun, randomFile, tempDir } from './helpers.ts';

const usage = suite('msrp: bad usage exits 2');

usage('an unknown command, an unknown flag, a missing argument, a bad value', async () => {
  const cases = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['send', 'x', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['send'], /missing FILE/],
    [['send', 'a', 'b'], /unexpected FILE "b"/],
    [['relay', '--port', '70000'], /--port "70000" is not a whole number from 0 to 65535/],
    [['demo', '--size', 'lots'], /--size "lots" is not a size/],
    [['recv', '--user', 'bob'], /--user needs --relay/],
    [['chat', '--relay', 'http://example.com'], /--relay "http:\/\/example.com" is not msrps:\/\/host\[:port\]/],
    [['chat', '--me', 'not a uri'], /--me "not a uri" is not a URI/],
  ] as const;
  const results = await Promise.all(cases.map(([args]) => msrpRun([...args])));
  cases.forEach(([args, pattern], i) => {
    const r = results[i];
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, pattern);
    assert.match(r.err, /^msrp( \w+)?: /);
  });
});

usage('a password flag is refused with where passwords go', async () => {
  const r = await msrpRun(['send', 'x', '--relay', 'msrps://localhost', '--user', 'alice', '--password=secret']);
  assert.is(r.code, 2);
  assert.match(r.err, /--password is refused: a password on the command line shows in the process list.*MSRP_PASSWORD/);
  assert.not.match(r.err, 'secret');
});

usage('no password and no terminal to ask on', async () => {
  const dir = await tempDir();
  try {
    const file = await randomFile(dir.path, 'a.bin', 10);
    const r = await msrpRun(['send', file, '--relay', 'msrps://localhost:1', '--user', 'alice']);
    assert.is(r.code, 2);
    assert.match(r.err, /no password for alice: set MSRP_PASSWORD, or run msrp on a terminal to be asked/);
  } finally {
    await dir.remove();
  }
});

usage('help exits 0 and lists the commands and the exit codes', async () => {
  const r = await msrpRun(['help']);
  assert.is(r.code, 0);
  for (const command of ['relay', 'send FILE', 'recv', 'chat', 'demo', 'bench', 'decode']) assert.match(r.out, `\n  ${command}`);
  assert.match(r.out, /exit codes: 0 ok/);
  assert.is((await msrpRun([])).code, 2, 'no command at all is bad usage');
});

const paths = suite('msrp: bad paths exit 4');

paths('a file to send that does not exist, a directory as the file, a missing --dir, a missing users file', async () => {
  const dir = await tempDir();
  try {
    const cases = [
      [['send', `${dir.path}/nope.bin`], /cannot read .*nope\.bin: ENOENT/],
      [['send', dir.path], /is not a regular file/],
      [['recv', '--dir', `${dir.path}/missing`], /cannot save files in .*missing: ENOENT/],
      [['relay', '--port', '0', '--users', `${dir.path}/users.txt`], /cannot read the users file .*users\.txt: ENOENT/],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => msrpRun([...args])));
    cases.forEach(([args, pattern], i) => {
      assert.is(results[i].code, 4, `${args.join(' ')}: ${results[i].err}`);
      assert.match(results[i].err, pattern);
    });
  } finally {
    await dir.remove();
  }
});

const network = suite('msrp: an unreachable relay or peer exits 5');

network('a relay nobody listens at', async () => {
  const dir = await tempDir();
  try {
    const file = await randomFile(dir.path, 'a.bin', 10);
    const port = await closedPort();
    const r = await msrpRun(['send', file, '--relay', `msrps://127.0.0.1:${port}`, '--user', 'alice'], { env: { MSRP_PASSWORD: 'x' } });
    assert.is(r.code, 5, r.err);
    assert.match(r.err, /^msrp send: no relay could be reached: msrps:\/\/127\.0\.0\.1:\d+;tcp \(.*\)\n$/);
  } finally {
    await dir.remove();
  }
});

network('a peer that never connects after the answer (--timeout)', async () => {
  const dir = await tempDir();
  try {
    // an offer from a sender that is not running: the receiver answers, waits --timeout, then gives up
    const file = await randomFile(dir.path, 'a.bin', 10);
    const sender = await msrpRun(['send', '--json', file, '--host', '127.0.0.1']);
    assert.is(sender.code, 5, 'the sender saw its input end before an answer');
    const token = sender.out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)).find((e) => e.event === 'sdp').token as string;
    const r = await msrpRun(['recv', '--yes', '--dir', dir.path, '--host', '127.0.0.1', '--timeout', '1'], { input: `${token}\n` });
    assert.is(r.code, 5, r.err);
    assert.match(r.err, /no peer bound .* within 1000 ms/);
  } finally {
    await dir.remove();
  }
});

const malformed = suite('msrp: malformed SDP exits 3');

malformed('a damaged SDP line and text that is no SDP', async () => {
  let r = await msrpRun(['recv', '--host', '127.0.0.1'], { input: 'msrp-sdp:AAAA\n' });
  assert.is(r.code, 3);
  assert.match(r.err, /the SDP token is damaged or cut short/);
  r = await msrpRun(['chat', '--answer', '--host', '127.0.0.1'], { input: 'hello\n' });
  assert.is(r.code, 3);
  assert.match(r.err, /expected an SDP token \(msrp-sdp:\.\.\.\) or SDP text starting with v=/);
});

usage.run();
paths.run();
network.run();
malformed.run();
