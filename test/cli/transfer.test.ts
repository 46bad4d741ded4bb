/**
 * `msrp send` and `msrp recv` as two users run them: the offer line copied
 * from one to the other and the answer back, through `msrp relay` or
 * directly; the file arrives byte-exact. Refusals, a wrong password, a
 * hostile file name and Ctrl-C give their sentence and exit code.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Msrp, randomFile, RELAY_USERS, startRelay, tempDir } from './helpers.ts';

/** Runs send and recv to the point where the answer went back; returns both processes. */
async function exchange(sendArgs: string[], recvArgs: string[], env: { send?: Record<string, string>; recv?: Record<string, string> } = {}) {
  const sender = new Msrp(['send', '--json', ...sendArgs], { env: env.send });
  const offer = await sender.event('sdp', (e) => e.role === 'offer');
  const receiver = new Msrp(['recv', '--json', ...recvArgs], { env: env.recv });
  receiver.type(String(offer.token));
  const answer = await receiver.event('sdp', (e) => e.role === 'answer');
  sender.type(String(answer.token));
  return { sender, receiver };
}

const relayed = suite('msrp send / recv through msrp relay');

relayed('a file goes through the relay byte-exact; recv knew name, size and sha-1 before accepting', async () => {
  const dir = await tempDir();
  const { relay, flags } = await startRelay();
  try {
    const file = await randomFile(dir.path, 'photo.jpg', 3_000_001);
    const inbox = join(dir.path, 'inbox');
    await mkdir(inbox);
    const { sender, receiver } = await exchange([file, ...flags, '--user', 'alice'], ['--yes', '--dir', inbox, ...flags, '--user', 'bob'],
      { send: { MSRP_PASSWORD: RELAY_USERS.alice }, recv: { MSRP_PASSWORD: RELAY_USERS.bob } });
    const offered = await receiver.event('file');
    assert.is(offered.name, 'photo.jpg');
    assert.is(offered.size, 3_000_001);
    assert.match(String(offered.sha1), /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    assert.is(await sender.exit(), 0, sender.stderr);
    assert.is(await receiver.exit(), 0, receiver.stderr);
    const finished = await receiver.event('finished');
    assert.is(finished.path, join(inbox, 'photo.jpg'));
    assert.ok((await readFile(join(inbox, 'photo.jpg'))).equals(await readFile(file)), 'byte-exact');
    assert.ok(sender.events.some((e) => e.event === 'progress'), 'the sender reported progress');
    assert.is((await sender.event('finished')).size, 3_000_001);
  } finally {
    relay.kill();
    await dir.remove();
  }
});

relayed('a wrong password is one sentence and exit 6; the relay prints user names, never passwords', async () => {
  const dir = await tempDir();
  const { relay, flags } = await startRelay();
  try {
    const file = await randomFile(dir.path, 'a.bin', 10);
    const sender = new Msrp(['send', file, ...flags, '--user', 'alice'], { env: { MSRP_PASSWORD: 'not-the-password' } });
    assert.is(await sender.exit(), 6, sender.stderr);
    assert.match(sender.stderr, /^msrp send: .*(credentials|password|401).*\n$/i);
    assert.is(sender.stderr.trim().split('\n').length, 1, 'one sentence');
    const listening = await relay.event('listening');
    assert.equal(listening.users, ['alice', 'bob']);
    assert.not.match(relay.stdout + relay.stderr, RELAY_USERS.alice);
    assert.not.match(relay.stdout + relay.stderr, RELAY_USERS.bob);
  } finally {
    relay.kill();
    await dir.remove();
  }
});

const direct = suite('msrp send / recv directly (msrps pinned by a=fingerprint)');

direct('a hostile file name is shown escaped and saved under a safe name inside --dir', async () => {
  const dir = await tempDir();
  try {
    const file = await randomFile(dir.path, 'plain.txt', 1000);
    const inbox = join(dir.path, 'inbox');
    await mkdir(inbox);
    const hostile = '../../\u001b[2J\u202eevil.txt';
    const sender = new Msrp(['send', file, '--name', hostile, '--host', '127.0.0.1']);
    const offer = await sender.line(/^msrp-sdp:/);
    const receiver = new Msrp(['recv', '--yes', '--dir', inbox, '--host', '127.0.0.1']);
    receiver.type(offer);
    sender.type(await receiver.line(/^msrp-sdp:/));
    assert.is(await receiver.exit(), 0, receiver.stderr);
    assert.is(await sender.exit(), 0, sender.stderr);
    assert.not.match(receiver.stdout + receiver.stderr, '\u001b', 'no raw escape reaches the terminal');
    assert.not.match(receiver.stdout + receiver.stderr, '\u202e', 'no raw bidi override reaches the terminal');
    assert.match(receiver.stdout, /\\u\{1b\}\[2J\\u\{202e\}evil\.txt/);
    assert.match(receiver.stderr, /warning: the offered name .* is not a safe file name here: it will be saved as "\[2Jevil\.txt"/);
    assert.equal(await readdir(inbox), ['[2Jevil.txt']);
    assert.equal((await readdir(dir.path)).sort(), ['inbox', 'plain.txt'], 'nothing written outside --dir');
    assert.ok((await readFile(join(inbox, '[2Jevil.txt'))).equals(await readFile(file)));
  } finally {
    await dir.remove();
  }
});

direct('declining the offer: recv exits 7 and prints a refusing answer; send reads it and exits 7', async () => {
  const dir = await tempDir();
  try {
    const file = await randomFile(dir.path, 'unwanted.bin', 100);
    const sender = new Msrp(['send', '--json', file, '--host', '127.0.0.1']);
    const offer = await sender.event('sdp');
    const receiver = new Msrp(['recv', '--json', '--dir', dir.path, '--host', '127.0.0.1']);
    receiver.type(String(offer.token));
    await receiver.event('file');
    receiver.type('n');
    const refusal = await receiver.event('sdp');
    assert.match(String(refusal.sdp), /^m=message 0 /m);
    assert.is(await receiver.exit(), 7);
    assert.match(receiver.stderr, /declined "unwanted\.bin"/);
    sender.type(String(refusal.token));
    assert.is(await sender.exit(), 7);
    assert.match(sender.stderr, /the receiver refused "unwanted\.bin"/);
  } finally {
    await dir.remove();
  }
});

direct('Ctrl-C during a transfer: recv removes the partial file and exits 130; --keep-partial keeps it', async () => {
  const dir = await tempDir();
  try {
    const file = await randomFile(dir.path, 'big.bin', 64 << 20);
    for (const keep of [false, true]) {
      const inbox = join(dir.path, keep ? 'kept' : 'removed');
      await mkdir(inbox);
      const { sender, receiver } = await exchange([file, '--host', '127.0.0.1'],
        ['--yes', '--dir', inbox, '--host', '127.0.0.1', ...(keep ? ['--keep-partial'] : [])]);
      await receiver.event('progress');
      receiver.child.kill('SIGINT');
      assert.is(await receiver.exit(), 130, receiver.stderr);
      assert.match(receiver.stderr, keep ? /interrupted: the partial file is kept/ : /interrupted: the partial file is removed/);
      assert.is(await sender.exit(), 8, sender.stderr);
      const left = await readdir(inbox);
      if (keep) {
        assert.equal(left, ['big.bin']);
        assert.ok((await readFile(join(inbox, 'big.bin'))).length < 64 << 20, 'partial');
      } else {
        assert.equal(left, []);
      }
    }
  } finally {
    await dir.remove();
  }
});

direct('Ctrl-C on the sender: it exits 130 at once; the receiver fails (8) and removes the partial file', async () => {
  const dir = await tempDir();
  try {
    const file = await randomFile(dir.path, 'big.bin', 64 << 20);
    const inbox = join(dir.path, 'inbox');
    await mkdir(inbox);
    const { sender, receiver } = await exchange([file, '--host', '127.0.0.1'], ['--yes', '--dir', inbox, '--host', '127.0.0.1']);
    await sender.event('progress');
    sender.child.kill('SIGINT');
    assert.is(await sender.exit(), 130, sender.stderr);
    assert.match(sender.stderr, /^msrp send: interrupted: "big\.bin" was not sent whole\n/m);
    assert.is(await receiver.exit(), 8, receiver.stderr);
    assert.equal(await readdir(inbox), []);
  } finally {
    await dir.remove();
  }
});

relayed.run();
direct.run();
