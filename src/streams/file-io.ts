/**
 * File input and output for FileTransferStream (RFC 5547): the file's hash
 * computed streaming with progress, a range of a file as a Readable, a body
 * with a Message/CPIM header block in front of the file's octets, and a sink
 * that writes at file positions (RFC 5547 §6: octet S of a transfer of
 * `a=file-range:N-M` is file octet (N-1)+(S-1), so duplicates land on
 * themselves) in batches, hashing what it writes in order. Memory stays
 * bounded whatever the file's size.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { BodySource } from '../transport.ts';
import type { FileHash } from './sdp-file.ts';

/** The hash algorithm written in file-selectors (RFC 5547 §6, the IANA textual name) and Node's name for it. */
export const FILE_HASH_ALGORITHM = 'sha-1';
const NODE_HASH = 'sha1';

/** Octets read or written at once. */
export const FILE_IO_SIZE = 1 << 20;

/** A digest as RFC 5547 writes it: upper-case hex pairs joined by `:`. */
export function formatHashValue(digest: Buffer): string {
  return digest.toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** A new streaming hash of the file-selector's algorithm. */
export function newFileHash(): Hash {
  return createHash(NODE_HASH);
}

/** The file-selector hash of a digest. */
export function fileHash(digest: Buffer): FileHash {
  return { algorithm: FILE_HASH_ALGORITHM, value: formatHashValue(digest) };
}

/**
 * The sha-1 of a file (or of its first `size` octets), read in 1 MiB pieces;
 * `progress(hashed)` is called after each piece.
 */
export async function hashFile(path: string, progress?: (hashed: number) => void): Promise<FileHash> {
  const hash = newFileHash();
  let hashed = 0;
  for await (const piece of createReadStream(path, { highWaterMark: FILE_IO_SIZE })) {
    hash.update(piece as Buffer);
    hashed += (piece as Buffer).length;
    progress?.(hashed);
  }
  return fileHash(hash.digest());
}

/** Octets a FileRangeSource reads ahead of what the writer has taken. */
const READ_AHEAD = 2 * FILE_IO_SIZE;

/** Hook placeholder until a writer sets it. */
function unset(): void {}

/**
 * Octets `start`..`end` (0-based, inclusive) of a file, after an optional
 * `prefix` (a CPIM header block), as a message body the session's writer
 * takes from directly. The file is read by positional reads, one at a time,
 * into 1 MiB buffers taken back once the socket has written them
 * (BodySource.written): a Readable over the file would allocate a fresh
 * buffer per read, and at a gigabyte a second those cost as much CPU in page
 * faults and garbage collection as the transfer itself.
 */
export class FileRangeSource implements BodySource {
  readonly size: number;
  onReady: () => void = unset;
  onError: (error: Error) => void = unset;
  /** the file, opened when the source is made */
  readonly #handle: Promise<FileHandle>;
  #prefix: Buffer | null;
  /** file position of the next read, and the end (exclusive) */
  #position: number;
  readonly #end: number;
  /** read and not yet taken, in order */
  readonly #ready: Array<{ buffer: Buffer; from: number; to: number }> = [];
  #buffered = 0;
  /** buffers wholly taken, each with the count of octets taken when its last one was */
  readonly #held: Array<{ buffer: Buffer; upTo: number }> = [];
  readonly #pool: Buffer[] = [];
  #taken = 0;
  #written = 0;
  #reading = false;
  #closed = false;
  #handleClosed = false;

  /** Opens `path` and starts reading octets `start`..`end` (0-based, inclusive); errors reach `onError`. */
  constructor(path: string, start: number, end: number, prefix: Buffer | null = null) {
    this.#handle = open(path, 'r');
    this.#handle.catch(() => {}); // an open that fails is reported by the first read
    this.#position = start;
    this.#end = end + 1;
    this.#prefix = prefix !== null && prefix.length > 0 ? prefix : null;
    this.size = (this.#prefix?.length ?? 0) + Math.max(0, this.#end - start);
    if (this.#position >= this.#end) this.#closeHandle();
    else this.#fill();
  }

  get done(): boolean {
    return this.#prefix === null && this.#ready.length === 0 && this.#position >= this.#end && !this.#reading;
  }

  take(max: number): Buffer | null {
    if (this.#closed) return null;
    const prefix = this.#prefix;
    if (prefix !== null) {
      const piece = prefix.subarray(0, max);
      this.#prefix = piece.length < prefix.length ? prefix.subarray(piece.length) : null;
      this.#taken += piece.length;
      return piece;
    }
    const first = this.#ready[0];
    if (first === undefined) return null;
    const to = Math.min(first.to, first.from + max);
    const piece = first.buffer.subarray(first.from, to);
    first.from = to;
    this.#taken += piece.length;
    this.#buffered -= piece.length;
    if (first.from === first.to) {
      this.#ready.shift();
      this.#held.push({ buffer: first.buffer, upTo: this.#taken });
    }
    this.#fill();
    return piece;
  }

  written(octets: number): void {
    this.#written += octets;
    while (this.#held.length > 0 && this.#held[0].upTo <= this.#written) {
      this.#pool.push((this.#held.shift() as { buffer: Buffer }).buffer);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // buffers the socket still holds are simply not reused
    this.#ready.length = 0;
    this.#held.length = 0;
    this.#pool.length = 0;
    if (!this.#reading) this.#closeHandle();
  }

  /** Reads ahead while fewer than READ_AHEAD octets wait to be taken. */
  #fill(): void {
    if (this.#reading || this.#closed || this.#position >= this.#end || this.#buffered >= READ_AHEAD) return;
    this.#reading = true;
    const buffer = this.#pool.pop() ?? Buffer.allocUnsafeSlow(FILE_IO_SIZE);
    const length = Math.min(buffer.length, this.#end - this.#position);
    const position = this.#position;
    this.#handle.then((handle) => handle.read(buffer, 0, length, position)).then(({ bytesRead }) => {
      this.#reading = false;
      if (this.#closed) {
        this.#closeHandle();
        return;
      }
      if (bytesRead <= 0) throw new Error(`the file ends before octet ${this.#end}`);
      this.#position += bytesRead;
      const wasEmpty = this.#ready.length === 0;
      this.#ready.push({ buffer, from: 0, to: bytesRead });
      this.#buffered += bytesRead;
      if (this.#position >= this.#end) this.#closeHandle();
      else this.#fill();
      if (wasEmpty || this.done) this.onReady();
    }).catch((err: Error) => {
      this.#reading = false;
      this.#closed = true;
      this.#closeHandle();
      this.onError(err);
    });
  }

  #closeHandle(): void {
    if (this.#handleClosed) return;
    this.#handleClosed = true;
    this.#handle.then((handle) => handle.close()).catch(() => {});
  }
}

/** A Readable of `head` followed by the octets of `body` (a CPIM header block before a file). */
export function prefixed(head: Buffer, body: Readable): Readable {
  async function* join(): AsyncGenerator<Buffer> {
    yield head;
    for await (const piece of body) yield piece as Buffer;
  }
  return Readable.from(join(), { objectMode: false, highWaterMark: FILE_IO_SIZE });
}

/**
 * Writes a transfer's content at file positions from `position` on, in the
 * order taken, hashing it as it is taken. Pieces are copied into 1 MiB
 * buffers reused from a small pool: keeping the caller's pieces instead (the
 * socket's reads) until they were written measured slower here (0.36 against
 * 0.40 GB/s, three runs each; held that long they outlive the young
 * generation and need major collections). Each full buffer is written by one positional write while more
 * arrives, one write in flight at a time: concurrent writes to one file
 * contend for its inode lock, and on tmpfs here four of them cost two to four
 * times the system CPU of one. `write` returns false while more than
 * `maxPending` octets wait to be written, and `onDrain` runs when they fall
 * below it, so the caller can pause its source.
 */
export class FileSink {
  readonly handle: FileHandle;
  readonly #hash: Hash | null;
  readonly #maxPending: number;
  readonly #onWritten: ((written: number) => void) | null;
  readonly #pool: Buffer[] = [];
  /** the buffer being filled, and how far */
  #current: Buffer | null = null;
  #fill = 0;
  /** file position of the next octet to write */
  #position: number;
  /** filled buffers waiting for the write in flight, in file order */
  readonly #queue: Array<{ buffer: Buffer; bytes: number }> = [];
  /** the write in flight, or null */
  #writing: Promise<void> | null = null;
  /** octets queued or being written */
  #pending = 0;
  /** content octets written to the file, contiguous from the first */
  #written = 0;
  #taken = 0;
  #error: Error | null = null;
  #drain: (() => void) | null = null;

  /**
   * `hash` false leaves hashing to someone else (a BackgroundHash reading the
   * file back); `onWritten` hears each advance of `written`.
   */
  constructor(handle: FileHandle, position: number, options: { hash?: boolean; maxPending?: number; onWritten?: (written: number) => void } = {}) {
    this.handle = handle;
    this.#position = position;
    this.#hash = options.hash === false ? null : newFileHash();
    this.#maxPending = options.maxPending ?? 4 * FILE_IO_SIZE;
    this.#onWritten = options.onWritten ?? null;
  }

  /** Content octets on disk, contiguous from the first. */
  get written(): number {
    return this.#written;
  }

  /** Content octets taken (on disk, being written, or held). */
  get taken(): number {
    return this.#taken;
  }

  /** The first write error, once one failed. */
  get error(): Error | null {
    return this.#error;
  }

  /** Takes a piece (copied: the caller may reuse it); false asks the caller to wait for `onDrain`. */
  write(piece: Buffer): boolean {
    if (piece.length > 0) {
      this.#hash?.update(piece);
      this.#taken += piece.length;
      this.#pending += piece.length;
      let at = 0;
      while (at < piece.length) {
        const current = this.#current ??= this.#pool.pop() ?? Buffer.allocUnsafeSlow(FILE_IO_SIZE);
        const n = piece.copy(current, this.#fill, at);
        this.#fill += n;
        at += n;
        if (this.#fill === current.length) this.#flush();
      }
    }
    return this.#pending < this.#maxPending;
  }

  /** `fn` runs once when the octets waiting fall below the bound (at once when they are). */
  onDrain(fn: () => void): void {
    if (this.#pending < this.#maxPending) fn();
    else this.#drain = fn;
  }

  /** Writes what is held and waits for every write; throws the first write error. */
  async finish(): Promise<void> {
    this.#flush();
    while (this.#writing !== null) await this.#writing;
    this.#pool.length = 0;
    if (this.#error !== null) throw this.#error;
  }

  /** The hash of everything taken (call once, after the last write); null when not hashing. */
  digest(): FileHash | null {
    return this.#hash === null ? null : fileHash(this.#hash.digest());
  }

  #flush(): void {
    const buffer = this.#current;
    const bytes = this.#fill;
    if (buffer === null || bytes === 0) return;
    this.#current = null;
    this.#fill = 0;
    this.#queue.push({ buffer, bytes });
    if (this.#writing === null) this.#writing = this.#writeQueued();
  }

  /** Writes the queued buffers one after another until the queue is empty or a write fails. */
  async #writeQueued(): Promise<void> {
    while (this.#queue.length > 0 && this.#error === null) {
      const { buffer, bytes } = this.#queue[0];
      try {
        await this.#writeAll(buffer, bytes, this.#position);
        this.#position += bytes;
        this.#written += bytes;
        this.#onWritten?.(this.#written);
      } catch (err) {
        this.#error = err as Error;
      }
      this.#queue.shift();
      this.#pending -= bytes;
      this.#pool.push(buffer);
      const drain = this.#drain;
      if (drain !== null && this.#pending < this.#maxPending) {
        this.#drain = null;
        drain();
      }
    }
    // after an error nothing more is written; what is queued is given up
    for (const { bytes } of this.#queue.splice(0)) this.#pending -= bytes;
    this.#writing = null;
    // a source paused for drain goes on, to meet the error at its next write
    const drain = this.#drain;
    this.#drain = null;
    drain?.();
  }

  async #writeAll(buffer: Buffer, bytes: number, position: number): Promise<void> {
    let done = 0;
    // positional writes: a short write goes on where it stopped
    while (done < bytes) {
      const { bytesWritten } = await this.handle.write(buffer, done, bytes - done, position + done);
      done += bytesWritten;
    }
  }
}

/** The worker's code: plain JavaScript, so it runs the same from sources and from a build. */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const fd = openSync(workerData.path, 'r');
const hash = createHash('${NODE_HASH}');
const buffer = Buffer.allocUnsafe(${FILE_IO_SIZE});
let position = 0;
parentPort.on('message', (m) => {
  try {
    while (position < m.upTo) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, m.upTo - position), position);
      if (n <= 0) throw new Error('the file ends before octet ' + m.upTo);
      hash.update(buffer.subarray(0, n));
      position += n;
    }
    if (m.end) {
      closeSync(fd);
      parentPort.postMessage({ digest: hash.digest() });
    }
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

/**
 * A file's sha-1 computed on a worker thread that reads the file back from
 * its first octet as far as `advance` says it is written: the hash of a large
 * file (also of one continued after a partial transfer) costs the receiving
 * thread nothing, and the last octets are hashed soon after they are written.
 */
export class BackgroundHash {
  readonly #worker: Worker;
  #posted = 0;
  readonly #result: Promise<FileHash>;

  constructor(path: string) {
    // no loader hooks in the worker (its code is plain JavaScript), and a small heap: it holds one 1 MiB buffer
    this.#worker = new Worker(HASH_WORKER, {
      eval: true, workerData: { path }, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
    });
    this.#result = new Promise((resolve, reject) => {
      this.#worker.once('message', (m: { digest?: Uint8Array; error?: string }) => {
        if (m.digest !== undefined) resolve(fileHash(Buffer.from(m.digest)));
        else reject(new Error(`hashing ${path}: ${m.error}`));
        void this.#worker.terminate();
      });
      this.#worker.once('error', reject);
    });
    this.#result.catch(() => {});
  }

  /** Octets 0..upTo-1 are on disk: hash them (posted at most every 4 MiB). */
  advance(upTo: number): void {
    if (upTo - this.#posted < 4 * FILE_IO_SIZE) return;
    this.#posted = upTo;
    this.#worker.postMessage({ upTo });
  }

  /** The hash of octets 0..size-1, once the worker has read them. */
  digest(size: number): Promise<FileHash> {
    this.#worker.postMessage({ upTo: size, end: true });
    return this.#result;
  }

  /** Stops the worker. */
  cancel(): void {
    void this.#worker.terminate();
  }
}
