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
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
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

/** Octets `start`..`end` (0-based, inclusive) of a file as a Readable read in 1 MiB pieces. */
export function readRange(path: string, start: number, end: number): Readable {
  return createReadStream(path, { start, end, highWaterMark: FILE_IO_SIZE });
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
 * Writes a transfer's content at file positions from `position` on, in
 * order, batching pieces up to 1 MiB per positional writev, and hashing them.
 */
export class FileSink {
  readonly handle: FileHandle;
  readonly #hash: Hash;
  /** file position of the next octet */
  #position: number;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  /** content octets written (flushed) */
  #written = 0;

  constructor(handle: FileHandle, position: number) {
    this.handle = handle;
    this.#position = position;
    this.#hash = newFileHash();
  }

  /** Content octets written to the file so far (not counting a batch still held). */
  get written(): number {
    return this.#written;
  }

  /** Content octets taken, written or held. */
  get taken(): number {
    return this.#written + this.#batchBytes;
  }

  /** Takes a piece; resolves once it is written or held (a full batch is written first). */
  async write(piece: Buffer): Promise<void> {
    if (piece.length === 0) return;
    this.#hash.update(piece);
    this.#batch.push(piece);
    this.#batchBytes += piece.length;
    if (this.#batchBytes >= FILE_IO_SIZE) await this.flush();
  }

  /** Writes what is held. */
  async flush(): Promise<void> {
    if (this.#batchBytes === 0) return;
    const batch = this.#batch;
    const bytes = this.#batchBytes;
    this.#batch = [];
    this.#batchBytes = 0;
    let done = 0;
    // positional writes: a short write goes on where it stopped
    while (done < bytes) {
      const { bytesWritten } = await this.handle.writev(done === 0 ? batch : [Buffer.concat(batch).subarray(done)], this.#position + done);
      done += bytesWritten;
    }
    this.#position += bytes;
    this.#written += bytes;
  }

  /** The hash of everything taken (call once, after the last write). */
  digest(): FileHash {
    return fileHash(this.#hash.digest());
  }
}
