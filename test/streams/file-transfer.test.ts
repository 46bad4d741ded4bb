/**
 * FileTransferStream over real sockets on 127.0.0.1 (RFC 5547): a 50 MB
 * push with its sha-1 checked, a small file, CPIM-wrapped file bodies, a
 * hostile file name, a wrong hash, and the offers a side must refuse.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpStreamError } from '../../src/errors.ts';
import { hashFile } from '../../src/streams/file-io.ts';
import { FileTransferStream } from '../../src/streams/file-transfer.ts';
import { parseMsrpMedia } from '../../src/streams/sdp.ts';
import { fileOptions, negotiate, next, randomFile, rejects, tempDir } from './stream-helpers.ts';

type Finished = { path: string | null; size: number | null; hash: { value: string } | null };
type Failed = { reason: string; error: Error | null };

const push = suite('FileTransferStream: push (RFC 5547 §8.2.1)');

push('50 MB, sha-1 computed streaming and checked, byte-exact, progress to the end', async () => {
  const dir = await tempDir();
  try {
    const source = await randomFile(dir.path, 'big.bin', 50 * 2 ** 20);
    const out = join(dir.path, 'in');
    await mkdir(out);
    const tx = new FileTransferStream(fileOptions({ file: { path: source, type: 'application/octet-stream' } }));
    const rx = new FileTransferStream(fileOptions({ destination: out }));
    const hashed: number[] = [];
    tx.on('hashProgress', (p) => hashed.push(p.hashed));
    const progress: number[] = [];
    rx.on('progress', (p) => progress.push(p.transferred));
    const txDone = next<Finished>(tx, 'finished', 30_000);
    const rxDone = next<Finished>(rx, 'finished', 30_000);
    const { offer, answer } = await negotiate(tx, rx);
    const o = parseMsrpMedia(offer);
    assert.is(o.direction, 'sendonly');
    assert.equal([o.file?.selector?.name, o.file?.selector?.size], ['big.bin', 50 * 2 ** 20]);
    assert.is(parseMsrpMedia(answer).direction, 'recvonly');
    assert.is(parseMsrpMedia(answer).file?.transferId, o.file?.transferId);
    assert.is(hashed[hashed.length - 1], 50 * 2 ** 20);
    const got = await rxDone;
    await txDone;
    assert.is(got.size, 50 * 2 ** 20);
    assert.is(got.hash?.value, (await hashFile(source)).value);
    assert.is((await hashFile(got.path as string)).value, got.hash?.value);
    assert.is(progress[progress.length - 1], 50 * 2 ** 20);
    assert.ok(progress.length >= 10, `${progress.length} progress events`);
    assert.is(tx.resumeOffset, 50 * 2 ** 20 + 1);
    await Promise.all([tx.end(), rx.end()]);
  } finally {
    await dir.remove();
  }
});

push('a small file; a file the peer takes only wrapped goes in Message/CPIM and is unwrapped before the offsets', async () => {
  const dir = await tempDir();
  try {
    for (const [size, wrapped] of [[1000, false], [1000, true], [3 * 2 ** 20 + 7, true]] as const) {
      const source = await randomFile(dir.path, `f${size}${wrapped}.dat`, size);
      const heads: string[] = [];
      const tx = new FileTransferStream(fileOptions({
        file: { path: source, type: 'image/jpeg' }, localIdentity: 'sip:alice@example.com',
        connect: { trafficLog: (r) => { if (r.direction === 'out') heads.push(r.head); } },
      }));
      const rx = new FileTransferStream(fileOptions({ destination: dir.path, ...(wrapped ? { acceptTypes: ['message/cpim'] } : {}) }));
      const done = next<Finished>(rx, 'finished', 10_000);
      await negotiate(tx, rx);
      const got = await done;
      assert.ok((await readFile(got.path as string)).equals(await readFile(source)), `${size} ${wrapped}`);
      const sends = heads.filter((h) => /Content-Type: /.test(h));
      assert.ok(sends.length > 0 && sends.every((h) => h.includes(wrapped ? 'Content-Type: message/cpim' : 'Content-Type: image/jpeg')));
      await Promise.all([tx.end(), rx.end()]);
    }
  } finally {
    await dir.remove();
  }
});

push('a Readable with its metadata instead of a path: size checked, no hash to check when none was given', async () => {
  const dir = await tempDir();
  try {
    const body = randomBytes(3 * 2 ** 20 + 11);
    const tx = new FileTransferStream(fileOptions({ file: { stream: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), name: 'piped.bin', size: body.length, type: 'application/pdf' } }));
    const rx = new FileTransferStream(fileOptions({ destination: dir.path }));
    const done = next<Finished>(rx, 'finished');
    const { offer } = await negotiate(tx, rx);
    assert.equal(parseMsrpMedia(offer).file?.selector, { name: 'piped.bin', type: 'application/pdf', size: body.length, hashes: [] });
    const got = await done;
    assert.is(got.hash, null);
    assert.ok((await readFile(got.path as string)).equals(body));
    await Promise.all([tx.end(), rx.end()]);
  } finally {
    await dir.remove();
  }
});

push('a hostile file name lands in the destination under a sanitised, unique name', async () => {
  const dir = await tempDir();
  try {
    const source = await randomFile(dir.path, 'payload', 5000);
    const dest = join(dir.path, 'dest');
    await mkdir(dest);
    const names: string[] = [];
    for (let i = 0; i < 2; i++) {
      const tx = new FileTransferStream(fileOptions({ file: { path: source, name: '../../etc/passwd\u0000\u202egpj.exe' } }));
      const rx = new FileTransferStream(fileOptions({ destination: dest }));
      const done = next<Finished>(rx, 'finished');
      await negotiate(tx, rx);
      names.push((await done).path as string);
      await Promise.all([tx.end(), rx.end()]);
    }
    const listed = await readdir(dest);
    assert.is(listed.length, 2);
    for (const path of names) {
      assert.ok(path.startsWith(dest + '/'), path);
      assert.not.match(path.slice(dest.length + 1), /[/\\\u0000\u202e]|^\./);
    }
    assert.is.not(names[0], names[1]);
    assert.equal(await readdir(dir.path), ['dest', 'payload'], 'nothing was written outside the destination');
  } finally {
    await dir.remove();
  }
});

push('a wrong hash fails the transfer and removes the file (hashed inline, and on the worker for a large file)', async () => {
  const dir = await tempDir();
  try {
    for (const size of [20_000, 9 * 2 ** 20]) {
      const source = await randomFile(dir.path, `x${size}.bin`, size);
      const out = join(dir.path, `out${size}`);
      await mkdir(out);
      const tx = new FileTransferStream(fileOptions({ file: { path: source, hash: { algorithm: 'sha-1', value: '00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33' } } }));
      const rx = new FileTransferStream(fileOptions({ destination: out, keepPartial: true }));
      const failed = next<Failed & { partial: unknown }>(rx, 'failed');
      await negotiate(tx, rx);
      const f = await failed;
      assert.instance(f.error, MsrpStreamError);
      assert.is((f.error as MsrpStreamError).code, 'MSRP_ERR_FILE_HASH', String(size));
      assert.is(f.partial, null, 'a complete file with the wrong hash is not kept for resuming');
      assert.equal(await readdir(out), []);
      await Promise.all([tx.end(), rx.end()]);
    }
  } finally {
    await dir.remove();
  }
});

push('refusals: a stream needs file or destination, a pull that matches nothing, a range past a partial file', async () => {
  assert.throws(() => new FileTransferStream(fileOptions({})), (e: unknown) => e instanceof MsrpStreamError && e.code === 'MSRP_ERR_FILE_ARGUMENT');
  const dir = await tempDir();
  try {
    const source = await randomFile(dir.path, 'a.bin', 100);
    const puller = new FileTransferStream(fileOptions({ destination: dir.path, pull: { hashes: [{ algorithm: 'sha-1', value: 'AA:BB' }] } }));
    const offer = await puller.initialize();
    const owner = new FileTransferStream(fileOptions({ file: { path: source } }));
    const refused = next<{ reason: string }>(owner, 'didNotInitialize');
    await rejects(owner.initialize(offer), MsrpStreamError, 'MSRP_ERR_FILE_OFFER');
    assert.match((await refused).reason, /does not match/);
    await puller.end();
    const ranged = new FileTransferStream(fileOptions({ file: { path: source }, range: { start: 51 } }));
    const rangedOffer = await ranged.initialize();
    assert.equal(rangedOffer.file?.range, { start: 51, stop: 100 });
    const selector = rangedOffer.file!.selector!;
    const behind = new FileTransferStream(fileOptions({ destination: dir.path, resume: { path: source, selector, next: 40 } }));
    await rejects(behind.initialize(rangedOffer), MsrpStreamError, 'MSRP_ERR_FILE_OFFER');
    const fresh = new FileTransferStream(fileOptions({ destination: dir.path }));
    await rejects(fresh.initialize(rangedOffer), MsrpStreamError, 'MSRP_ERR_FILE_OFFER');
    await ranged.end();
    await rejects(new FileTransferStream(fileOptions({ destination: dir.path })).initialize(), MsrpStreamError, 'MSRP_ERR_FILE_ARGUMENT');
  } finally {
    await dir.remove();
  }
});

push.run();
