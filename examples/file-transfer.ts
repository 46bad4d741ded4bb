/**
 * A FileTransferStream pair (RFC 5547 push) on 127.0.0.1: the sender offers a
 * file by path, the receiver answers with a destination directory; the
 * receiving stream checks size and sha-1. Run: node --import tsx examples/file-transfer.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTransferStream, type FileTransferStreamOptions, formatSdp } from '../src/index.ts';

const dir = await mkdtemp(join(tmpdir(), 'msrp-example-'));
try {
  const source = join(dir, 'photo.bin');
  const content = randomBytes(300_000);
  await writeFile(source, content);

  const common: FileTransferStreamOptions = {
    host: '127.0.0.1', endTimeout: 2000, progressInterval: 65536,
    connect: { pool: null, bindTimeout: 5000, connectTimeout: 5000 }, session: { keepalive: 0 },
  };
  const sender = new FileTransferStream({ ...common, file: { path: source } });
  const receiver = new FileTransferStream({ ...common, destination: dir });
  sender.on('progress', (p) => console.log(`progress ${p.transferred}/${p.total}`));
  for (const s of [sender, receiver]) s.on('failed', (f) => { console.error('failed:', f.reason); process.exitCode = 1; });

  const sent = new Promise((resolve) => sender.once('finished', resolve));
  const received = new Promise<{ path: string | null; size: number | null }>((resolve) => receiver.once('finished', resolve));

  // The sender offers (push, RFC 5547 §8.1), the receiver answers.
  const offer = formatSdp([await sender.initialize()]);
  const answer = formatSdp([await receiver.initialize(offer)]);
  await Promise.all([sender.start(answer), receiver.start(offer)]);

  const [info] = await Promise.all([received, sent]);
  const same = info.path !== null && (await readFile(info.path)).equals(content);
  if (!same) throw new Error('the received file differs');
  console.log(`received ${info.size} octets at ${info.path}`);
  await Promise.all([sender.end(), receiver.end()]);
  console.log('file-transfer example: ok');
} finally {
  await rm(dir, { recursive: true, force: true });
}
