import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FILE_IO_SIZE, FileRangeSource, FileSink, formatHashValue } from '../../src/streams/file-io.ts';

let dir = '';

/**
 * Takes every octet of `source`, `max` at a time, as a writer would;
 * `written` after each piece when `acknowledge`. Returns copies of the pieces
 * and the memory each was a view of.
 */
async function drain(source: FileRangeSource, max: number, acknowledge: boolean): Promise<{ data: Buffer; memory: Set<ArrayBufferLike> }> {
  const pieces: Buffer[] = [];
  const memory = new Set<ArrayBufferLike>();
  while (!source.done) {
    const piece = source.take(max);
    if (piece === null) {
      await new Promise<void>((resolve, reject) => {
        source.onReady = resolve;
        source.onError = reject;
      });
      continue;
    }
    assert.ok(piece.length > 0 && piece.length <= max, `a piece of ${piece.length} octets`);
    // copied before it is acknowledged: the source may then reuse its memory
    pieces.push(Buffer.from(piece));
    memory.add(piece.buffer);
    if (acknowledge) source.written(piece.length);
  }
  return { data: Buffer.concat(pieces), memory };
}

const Source = suite('FileRangeSource: a file range read into reused buffers');

Source.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-file-io-'));
});
Source.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

Source('gives the prefix, then octets start..end of the file, byte-exact', async () => {
  const data = randomBytes(3 * FILE_IO_SIZE + 12345);
  const path = join(dir, 'range.bin');
  await writeFile(path, data);
  const prefix = Buffer.from('Content-Type: application/octet-stream\r\n\r\n');
  const source = new FileRangeSource(path, 100, data.length - 7, prefix);
  assert.is(source.size, prefix.length + data.length - 106);
  const { data: got } = await drain(source, 65536, true);
  assert.ok(got.equals(Buffer.concat([prefix, data.subarray(100, data.length - 6)])));
});

Source('reuses a buffer once the socket wrote it, and never before', async () => {
  const data = randomBytes(6 * FILE_IO_SIZE);
  const path = join(dir, 'reuse.bin');
  await writeFile(path, data);
  const memoryOf = async (acknowledge: boolean): Promise<number> => {
    const { data: got, memory } = await drain(new FileRangeSource(path, 0, data.length - 1), 65536, acknowledge);
    assert.ok(got.equals(data));
    return memory.size;
  };
  assert.is(await memoryOf(false), 6, 'one buffer per MiB while nothing is written');
  assert.ok(await memoryOf(true) < 6, 'buffers come back once written');
});

Source('a file shorter than the range fails through onError', async () => {
  const path = join(dir, 'short.bin');
  await writeFile(path, randomBytes(1000));
  const source = new FileRangeSource(path, 0, 4999);
  const error = await drain(source, 65536, true).then(() => null, (err: Error) => err);
  assert.instance(error, Error);
  assert.match((error as Error).message, /ends before octet 5000/);
});

Source('a missing file fails through onError; close() stops reading', async () => {
  const missing = new FileRangeSource(join(dir, 'none.bin'), 0, 10);
  const error = await drain(missing, 10, true).then(() => null, (err: Error) => err);
  assert.is((error as NodeJS.ErrnoException).code, 'ENOENT');
  const path = join(dir, 'closed.bin');
  await writeFile(path, randomBytes(3 * FILE_IO_SIZE));
  const source = new FileRangeSource(path, 0, 3 * FILE_IO_SIZE - 1);
  source.close();
  assert.is(source.take(100), null);
});

Source.run();

const Sink = suite('FileSink: positional writes, one at a time, with a bound');

Sink.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-file-io-'));
});
Sink.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

Sink('writes what it takes at its position, hashes it, and says when to wait', async () => {
  const data = randomBytes(5 * FILE_IO_SIZE + 333);
  const path = join(dir, 'sink.bin');
  await writeFile(path, Buffer.alloc(10, 0x41)); // ten octets before the transfer's first
  const handle = await open(path, 'r+');
  const advances: number[] = [];
  const sink = new FileSink(handle, 10, { maxPending: 2 * FILE_IO_SIZE, onWritten: (w) => advances.push(w) });
  let waited = 0;
  for (let at = 0; at < data.length; at += 40000) {
    if (!sink.write(data.subarray(at, at + 40000))) {
      waited++;
      await new Promise<void>((resolve) => sink.onDrain(resolve));
    }
  }
  await sink.finish();
  await handle.close();
  assert.ok(waited > 0, 'the bound made the caller wait');
  assert.is(sink.written, data.length);
  assert.is(advances[advances.length - 1], data.length);
  assert.equal(advances, [...advances].sort((a, b) => a - b));
  assert.ok((await readFile(path)).equals(Buffer.concat([Buffer.alloc(10, 0x41), data])));
  assert.is(sink.digest()?.value, formatHashValue(createHash('sha1').update(data).digest()));
});

Sink('a failed write ends the sink with its error and wakes a caller waiting for drain', async () => {
  const path = join(dir, 'readonly.bin');
  await writeFile(path, '');
  const handle = await open(path, 'r'); // writes fail with EBADF
  const sink = new FileSink(handle, 0, { maxPending: FILE_IO_SIZE });
  const go = sink.write(randomBytes(2 * FILE_IO_SIZE));
  assert.is(go, false);
  await new Promise<void>((resolve) => sink.onDrain(resolve));
  assert.is((sink.error as NodeJS.ErrnoException).code, 'EBADF');
  const error = await sink.finish().then(() => null, (err: Error) => err);
  assert.is((error as NodeJS.ErrnoException).code, 'EBADF');
  assert.is(sink.written, 0);
  await handle.close();
});

Sink.run();
