/**
 * File names from a peer (RFC 5547 `name` selector, Content-Disposition
 * filename) made safe to create in a chosen directory. RFC 5547 §5 warns that
 * a name may hold characters that mean something to the local file system
 * and leaves sanitising to the receiver; this is that step: no path
 * separators, no `.`/`..`, no control or bidirectional-override characters,
 * bounded length, and a unique name created atomically (O_CREAT|O_EXCL, which
 * also refuses to follow a symbolic link planted at the path).
 */
import { constants, type promises as fsp } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MsrpError } from '../errors.ts';

/** Options for `sanitizeFileName`. */
export interface SanitizeOptions {
  /** longest name in UTF-8 octets (default 255, NAME_MAX on common file systems) */
  maxBytes?: number;
  /** the name used when nothing usable is left (default `file`) */
  fallback?: string;
}

// C0 and C1 controls, DEL, and the bidirectional marks and overrides that can disguise an extension
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// reserved on Windows and by some Unix tools; replaced rather than dropped so names stay readable
const RESERVED = /[<>:"|?*]/g;
const DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i;

/** `s` cut to at most `max` UTF-8 octets, on a code point boundary. */
function cutUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** Fits `base + suffix + extension` into `max` octets by shortening the base (then the extension). */
function fit(name: string, suffix: string, max: number): string {
  const dot = name.lastIndexOf('.');
  let ext = dot > 0 ? name.slice(dot) : '';
  let base = dot > 0 ? name.slice(0, dot) : name;
  const room = max - Buffer.byteLength(suffix, 'utf8');
  if (Buffer.byteLength(ext, 'utf8') > room / 2) {
    // an absurd "extension" is no extension
    base = name;
    ext = '';
  }
  base = cutUtf8(base, room - Buffer.byteLength(ext, 'utf8'));
  return `${base}${suffix}${ext}`;
}

/**
 * A name that is safe to create in a directory: the last path component of
 * `name` (both `/` and `\` count as separators), NFC-normalised, without
 * control and bidi characters, with `<>:"|?*` replaced by `_`, without
 * leading dots (no `.`, `..` or hidden files) and trailing dots or spaces,
 * not a Windows device name, at most `maxBytes` octets (the extension kept),
 * and never empty.
 */
export function sanitizeFileName(name: string, options: SanitizeOptions = {}): string {
  const maxBytes = options.maxBytes ?? 255;
  const fallback = options.fallback ?? 'file';
  if (!Number.isInteger(maxBytes) || maxBytes < 16) throw new RangeError('maxBytes must be a whole number of at least 16');
  let s = name.normalize('NFC').replace(UNSAFE, '');
  s = s.slice(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1);
  s = s.replace(RESERVED, '_').trim().replace(/^\.+/, '').replace(/[. ]+$/, '').trim();
  if (DEVICE.test(s)) s = `_${s}`;
  if (s === '') s = fallback === '' || fallback === name ? 'file' : sanitizeFileName(fallback, { maxBytes, fallback: 'file' });
  return fit(s, '', maxBytes);
}

/** Options for `createUniqueFile`. */
export interface UniqueFileOptions extends SanitizeOptions {
  /** permission bits of the new file (default 0o600: the peer's data is private until the application decides) */
  mode?: number;
  /** how many numbered names (`name (1).ext`, ...) to try before a random suffix (default 1000) */
  maxAttempts?: number;
}

/** A newly created, empty file. */
export interface UniqueFile {
  /** absolute path of the file */
  path: string;
  /** opened for reading and writing (positional writes), the caller closes it */
  handle: fsp.FileHandle;
}

/**
 * Creates a new file in `dir` under the sanitised `name`, or `name (1).ext`,
 * `name (2).ext`, ... when taken, then a random suffix. Each try is an atomic
 * O_CREAT|O_EXCL open, so two transfers racing for one name get two files and
 * an existing file or symbolic link is never opened. File system errors other
 * than "exists" are thrown as they are; exhausting every try throws MsrpError
 * MSRP_ERR_FILE_EXISTS.
 */
export async function createUniqueFile(dir: string, name: string, options: UniqueFileOptions = {}): Promise<UniqueFile> {
  const maxBytes = options.maxBytes ?? 255;
  const safe = sanitizeFileName(name, options);
  const root = resolve(dir);
  const attempts = options.maxAttempts ?? 1000;
  // O_RDWR so the receiver can read the file back (hash check) through the same handle
  const flags = constants.O_CREAT | constants.O_EXCL | constants.O_RDWR;
  for (let n = 0; n <= attempts + 1; n++) {
    const suffix = n === 0 ? '' : n <= attempts ? ` (${n})` : `-${randomBytes(6).toString('hex')}`;
    const candidate = fit(safe, suffix, maxBytes);
    const path = join(root, candidate);
    // sanitizeFileName leaves one plain component; check anyway that the path stays in dir
    if (basename(path) !== candidate || resolve(path, '..') !== root) throw new MsrpError('MSRP_ERR_FILE_NAME', `unsafe file name ${JSON.stringify(candidate)}`);
    try {
      return { path, handle: await open(path, flags, options.mode ?? 0o600) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new MsrpError('MSRP_ERR_FILE_EXISTS', `no free name for ${JSON.stringify(safe)} in ${root} after ${attempts + 2} tries`);
}
