/**
 * FileTransferStream resume and pull over real sockets (RFC 5547 §8.2.2,
 * §6 file-range): a 50 MB transfer cut at about half, then finished by a new
 * offer with a new file-transfer-id and a=file-range from the first missing
 * octet, made by the receiver (a pull for the rest) or by the sender (from
 * the REPORTs it got); the result is byte-exact. A pull of a whole file.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashFile } from '../../src/streams/file-io.ts';
import { FileTransferStream, type FileResumeState } from '../../src/streams/file-transfer.ts';
import { parseMsrpMedia } from '../../src/streams/sdp.ts';
import { fileOptions, negotiate, next, randomFile, tempDir } from './stream-helpers.ts';

type Finished = { path: string | null; size: number | null; hash: { value: string } | null };
const SIZE = 50 * 2 ** 20;

/** A push of `source` into `out` cut when the receiver has written about half. */
async function cutAtHalf(source: string, out: string): Promise<{ tx: FileTransferStream; partial: FileResumeState }> {
  const tx = new FileTransferStream(fileOptions({ file: { path: source }, progressInterval: 2 ** 20 }));
  const rx = new FileTransferStream(fileOptions({ destination: out, keepPartial: true, progressInterval: 2 ** 20 }));
  const txFailed = next(tx, 'failed', 30_000);
  const rxFailed = next<{ partial: FileResumeState | null }>(rx, 'failed', 30_000);
  rx.on('progress', (p) => {
    if (p.transferred >= SIZE / 2) (rx.session?.transport.connection.stream as net.Socket | undefined)?.destroy();
  });
  await negotiate(tx, rx);
  const { partial } = await rxFailed;
  await txFailed;
  await Promise.all([tx.end(), rx.end()]);
  assert.ok(partial !== null, 'the partial file was kept');
  assert.ok(partial.next > SIZE / 4 && partial.next < SIZE, `cut at ${partial.next}`);
  return { tx, partial };
}

const resume = suite('FileTransferStream: resume with a=file-range (RFC 5547 §6)');

resume('the receiver pulls the rest from the first missing octet: byte-exact', async () => {
  const dir = await tempDir();
  try {
    const source = await randomFile(dir.path, 'movie.bin', SIZE);
    const out = join(dir.path, 'in');
    await mkdir(out);
    const { partial } = await cutAtHalf(source, out);
    const rx = new FileTransferStream(fileOptions({ destination: out, resume: partial }));
    const tx = new FileTransferStream(fileOptions({ file: { path: source } }));
    const done = next<Finished>(rx, 'finished', 30_000);
    const { offer, answer } = await negotiate(rx, tx);
    const o = parseMsrpMedia(offer);
    assert.is(o.direction, 'recvonly');
    assert.equal(o.file?.range, { start: partial.next, stop: SIZE });
    assert.equal(parseMsrpMedia(answer).file?.range, { start: partial.next, stop: SIZE }, 'the sender echoes the range (§8.2.2)');
    const got = await done;
    assert.is(got.path, partial.path, 'the same file, continued');
    assert.is((await hashFile(got.path as string)).value, (await hashFile(source)).value);
    await Promise.all([tx.end(), rx.end()]);
  } finally {
    await dir.remove();
  }
});

resume('the sender offers again from the first octet not confirmed by REPORTs: byte-exact', async () => {
  const dir = await tempDir();
  try {
    const source = await randomFile(dir.path, 'movie.bin', SIZE);
    const out = join(dir.path, 'in');
    await mkdir(out);
    const { tx: first, partial } = await cutAtHalf(source, out);
    const from = first.resumeOffset;
    assert.ok(from > 1 && from <= partial.next, `REPORTs confirmed ${from - 1} octets, ${partial.next - 1} are on disk`);
    const tx = new FileTransferStream(fileOptions({ file: { path: source }, range: { start: from } }));
    const rx = new FileTransferStream(fileOptions({ destination: out, resume: partial }));
    const done = next<Finished>(rx, 'finished', 30_000);
    const { offer } = await negotiate(tx, rx);
    const o = parseMsrpMedia(offer);
    assert.equal(o.file?.range, { start: from, stop: SIZE });
    assert.is.not(o.file?.transferId, first.plan?.transferId, 'a new file-transfer-id');
    const got = await done;
    assert.is((await hashFile(got.path as string)).value, (await hashFile(source)).value);
    await Promise.all([tx.end(), rx.end()]);
  } finally {
    await dir.remove();
  }
});

const pull = suite('FileTransferStream: pull (RFC 5547 §8.2.2)');

pull('the receiver offers recvonly with the hash only; the sender answers with the whole selector and sends', async () => {
  const dir = await tempDir();
  try {
    const source = await randomFile(dir.path, 'wanted.bin', 3 * 2 ** 20);
    const out = join(dir.path, 'in');
    await mkdir(out);
    const hash = await hashFile(source);
    const rx = new FileTransferStream(fileOptions({ destination: out, pull: { hashes: [hash] } }));
    const tx = new FileTransferStream(fileOptions({ file: { path: source } }));
    const done = next<Finished>(rx, 'finished');
    const { offer, answer } = await negotiate(rx, tx);
    assert.equal(parseMsrpMedia(offer).file?.selector, { name: null, type: null, size: null, hashes: [hash] });
    assert.equal(parseMsrpMedia(answer).file?.selector?.size, 3 * 2 ** 20);
    const got = await done;
    assert.is(got.hash?.value, hash.value);
    assert.is(got.path, join(out, 'wanted.bin'), 'named as the sender\'s answer says');
    await Promise.all([tx.end(), rx.end()]);
  } finally {
    await dir.remove();
  }
});

resume.run();
pull.run();
