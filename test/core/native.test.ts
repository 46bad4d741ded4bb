// The native accelerator (src/core/native.ts): edge cases of its two searches
// that random inputs seldom hit, and the framing engine's portable path, run
// in a child process that is told not to load it (MSRP_NO_NATIVE=1), since
// this process loads it once and for good.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { scanBodyModel } from '../../fuzz/native.fuzz.ts';
import { indexOfNeedle, loadNative, type NativeScan } from '../../src/core/native.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const native = suite('native accelerator');

function loaded(): NativeScan {
  const n = loadNative();
  assert.ok(n !== null, 'the native accelerator did not load: build it with `node scripts/build-native.mjs` (x86-64 only)');
  return n;
}

native('it is built and loaded here, with the CPU\'s widest filter (a plain-C filter alone is not loaded)', () => {
  assert.ok(['avx2', 'sse2'].includes(loaded().simd()));
});

native('indexOfNeedle: a match right after a filter hit that failed (dashes before the needle, an id ending in a repeated octet)', () => {
  const needle = Buffer.from('-------ab11', 'latin1');
  for (const dashes of [1, 2, 8, 40, 100]) {
    for (const lead of [0, 5, 31, 64]) {
      const hay = Buffer.concat([Buffer.alloc(lead, 0x41), Buffer.alloc(dashes, 0x2d), needle, Buffer.alloc(70, 0x42)]);
      assert.is(loaded().indexOfNeedle(hay, needle), hay.indexOf(needle), `${lead} octets, ${dashes} dashes`);
      assert.is(indexOfNeedle(hay, needle), lead + dashes);
    }
  }
});

native('indexOfNeedle: empty and longer-than-haystack needles, and none found', () => {
  const n = loaded();
  assert.is(n.indexOfNeedle(Buffer.from('abc'), Buffer.alloc(0)), 0);
  assert.is(n.indexOfNeedle(Buffer.from('abc'), Buffer.from('abcd')), -1);
  assert.is(n.indexOfNeedle(Buffer.alloc(1000, 0x2d), Buffer.from('-------x')), -1);
  assert.is(n.indexOfNeedle(Buffer.from('xyz-'), Buffer.from('-')), 3);
});

native('scanBody: an end-line at every position of a buffer around the SIMD widths, whole and cut at every length', () => {
  const needle = Buffer.from('\r\n-------tid42', 'latin1');
  const line = Buffer.concat([needle, Buffer.from('+\r\n')]);
  for (const size of [0, 1, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 72, 73, 130]) {
    for (let at = 0; at <= size; at++) {
      const input = Buffer.concat([Buffer.alloc(at, 0x61), line]).subarray(0, size + line.length);
      for (const cut of [input.length, at + 1, at + 9, at + line.length - 1]) {
        const view = input.subarray(0, Math.min(cut, input.length));
        assert.is(loaded().scanBody(view, 0, needle), scanBodyModel(view, 0, needle), `size ${size}, at ${at}, cut ${cut}`);
      }
    }
  }
});

native('scanBody: `from` past a match, and lookalikes that differ in one octet are body', () => {
  const n = loaded();
  const needle = Buffer.from('\r\n-------abc', 'latin1');
  const input = Buffer.from('xx\r\n-------abc$\r\nyy\r\n-------abd$\r\n\r\n-------abc!\r\n\r\n-------abc$\n\r', 'latin1');
  assert.is(n.scanBody(input, 0, needle), 2);
  // past the first: the lookalikes are body; the last CR could still begin a cut end-line
  assert.is(n.scanBody(input, 3, needle), input.length - 1);
  assert.is(scanBodyModel(input, 3, needle), input.length - 1);
});

native('without it the framing engines give the reference events (the fuzz properties, in a child with MSRP_NO_NATIVE=1)', async () => {
  const files = ['test/fuzz/engines.test.ts', 'test/fuzz/reused-read.test.ts'];
  for (const file of files) {
    const outcome = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 240_000, env: { ...process.env, MSRP_NO_NATIVE: '1' } },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }));
    });
    assert.is(outcome.code, 0, `${file} without the accelerator:\n${outcome.output.slice(-2000)}`);
    assert.match(outcome.output, /Passed:\s+\d+/);
  }
});

native.run();
