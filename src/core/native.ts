/**
 * The optional native accelerator (native/msrp-native.c, built by
 * scripts/build-native.mjs at install, loaded with node-gyp-build). It scans
 * a Buffer where it lies, which wasm cannot: a body read into a fresh Buffer
 * (a TLS record, a server's socket) is searched for its end-line without
 * first being copied into the core's window, and the sender's check that a
 * body does not hold its end-line runs a SIMD filter instead of
 * Buffer.indexOf. Measured here on 1 GiB: the body scan 17 ms against about
 * 136 for copy and wasm scan; the needle search 17 ms against 100-120.
 *
 * Null when it was not built (no compiler or headers at install), cannot load
 * here, has no SIMD filter for this CPU (only x86-64's SSE2 and AVX2 are
 * written), or MSRP_NO_NATIVE is set: every caller then keeps its portable path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the native module exports. */
export interface NativeScan {
  /**
   * The first position at or after `from` where `needle flag CRLF` begins
   * (needle = CRLF "-------" transact-id, RFC 4975 §7.1), or where `input`
   * ends inside such a match; input.length when neither.
   */
  scanBody(input: Buffer, from: number, needle: Buffer): number;
  /** The first position of `needle` in `haystack`, or -1 (as Buffer.indexOf). */
  indexOfNeedle(haystack: Buffer, needle: Buffer): number;
  /** the filter the CPU runs: avx2, sse2 or scalar */
  simd(): string;
}

let loaded: NativeScan | null | undefined;

/** The package root: the nearest folder above this module whose package.json names `msrp` (src/, dist/ and compiled copies alike). */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'msrp') return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The accelerator, loaded on first use; null when there is none (see the module comment). */
export function loadNative(): NativeScan | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const off = process.env.MSRP_NO_NATIVE;
  if (off !== undefined && off !== '' && off !== '0') return loaded;
  const root = packageRoot();
  if (root === null) return loaded;
  try {
    const require = createRequire(join(root, 'package.json'));
    const load = require('node-gyp-build') as (dir: string) => NativeScan;
    const native = load(root);
    // the filter's plain-C form tests one position at a time: not expected to beat the copy into wasm and its SIMD scan
    loaded = native.simd() === 'scalar' ? null : native;
  } catch {
    // not built here: the portable paths do the work
    loaded = null;
  }
  return loaded;
}

/** Buffer.indexOf(needle), through the accelerator when there is one. */
export function indexOfNeedle(haystack: Buffer, needle: Buffer): number {
  const native = loadNative();
  return native === null ? haystack.indexOf(needle) : native.indexOfNeedle(haystack, needle);
}
