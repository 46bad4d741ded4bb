/**
 * The native accelerator's two searches (native/msrp-native.c, loaded by
 * src/core/native.ts) against plain TypeScript models of them, over inputs
 * built to hit their edges: end-lines planted anywhere (start, middle, cut at
 * the input's end at every length), lookalikes that differ in one octet (the
 * transaction id, a dash, the flag, the CRLF), CRs with a dash eight octets on,
 * random start offsets, and lengths around the SIMD widths (16, 32, 64).
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { loadNative, type NativeScan } from '../src/core/native.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

const FLAGS = [0x2b, 0x24, 0x23]; // + $ #

/** The model of scanBody: the first c >= from where `needle flag CRLF` begins or runs to the end of `input`. */
export function scanBodyModel(input: Buffer, from: number, needle: Buffer): number {
  const line = needle.length + 3;
  for (let c = Math.max(0, from); c < input.length; c++) {
    let k = 0;
    for (; k < line && c + k < input.length; k++) {
      const b = input[c + k];
      const ok = k < needle.length ? b === needle[k] : k === needle.length ? FLAGS.includes(b) : k === needle.length + 1 ? b === 0x0d : b === 0x0a;
      if (!ok) break;
    }
    if (k === line || c + k === input.length) return c;
  }
  return input.length;
}

/** A transaction id (RFC 4975 §9 ident: alphanumeric first, 3 to 31 more of ident-char). */
const tidArb = fc.tuple(
  fc.constantFrom(...'abcXYZ019'),
  fc.array(fc.constantFrom(...'abcXYZ019.-+%='), { minLength: 3, maxLength: 31 }),
).map(([first, rest]) => first + rest.join(''));

/** Pieces an input is made of: noise, the whole end-line, a cut one, or a one-octet lookalike. */
function pieceArb(needle: Buffer): fc.Arbitrary<Buffer> {
  const whole = fc.constantFrom(...FLAGS).map((f) => Buffer.concat([needle, Buffer.from([f, 0x0d, 0x0a])]));
  return fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 200 }).map((n) => Buffer.alloc(n, 0x2d)) },
    // a CR with a dash eight octets on: passes the filter, fails the check
    { weight: 2, arbitrary: fc.uint8Array({ minLength: 7, maxLength: 7 }).map((a) => Buffer.concat([Buffer.from([0x0d]), a, Buffer.from([0x2d])])) },
    { weight: 2, arbitrary: whole },
    { weight: 2, arbitrary: fc.tuple(whole, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([line, at, b]) => {
      const changed = Buffer.from(line);
      changed[at % changed.length] = b;
      return changed;
    }) },
    { weight: 1, arbitrary: fc.tuple(whole, fc.nat()).map(([line, n]) => line.subarray(0, n % line.length)) },
  );
}

/** An input, a start offset and the needle `CRLF "-------" tid` it is searched for. */
const scanCaseArb = tidArb.chain((tid) => {
  const needle = Buffer.from(`\r\n-------${tid}`, 'latin1');
  return fc.tuple(fc.array(pieceArb(needle), { maxLength: 12 }), fc.nat()).map(([pieces, from]) => {
    const input = Buffer.concat(pieces);
    return { input, from: input.length === 0 ? 0 : from % (input.length + 1), needle };
  });
});

/** The properties, given the loaded accelerator. */
export function nativeProperties(native: NativeScan): Record<string, AnyProperty> {
  return {
    'scanBody finds what the model finds, wherever the input starts and ends': fc.property(scanCaseArb, ({ input, from, needle }) => {
      const got = native.scanBody(input, from, needle);
      const want = scanBodyModel(input, from, needle);
      if (got !== want) throw new Error(`scanBody gave ${got}, the model ${want} (from ${from}, ${input.length} octets)`);
    }),
    'scanBody over a view inside a larger Buffer reads only the view': fc.property(scanCaseArb, fc.uint8Array({ maxLength: 40 }),
      ({ input, from, needle }, pad) => {
        // octets around the view that would complete a cut end-line must not count
        const tail = Buffer.concat([needle.subarray(2), Buffer.from('$\r\n')]);
        const outer = Buffer.concat([Buffer.from(pad), input, tail]);
        const view = outer.subarray(pad.length, pad.length + input.length);
        const got = native.scanBody(view, from, needle);
        const want = scanBodyModel(input, from, needle);
        if (got !== want) throw new Error(`scanBody over a view gave ${got}, the model ${want}`);
      }),
    'indexOfNeedle is Buffer.indexOf': fc.property(scanCaseArb, ({ input, needle }) => {
      for (const n of [needle.subarray(2), needle.subarray(2, 3), needle]) {
        const got = native.indexOfNeedle(input, n);
        const want = input.indexOf(n);
        if (got !== want) throw new Error(`indexOfNeedle gave ${got}, Buffer.indexOf ${want}`);
      }
    }),
  };
}

/** A suite of the properties; without the accelerator its one test says why (see test/core/native.test.ts). */
export function nativeFuzzSuite(numRuns = 500): void {
  const s = suite(`native accelerator: properties${FUZZ_LONG ? ' (long)' : ''}`);
  const native = loadNative();
  if (native === null) {
    s('the accelerator is loaded', () => {
      throw new Error('the native accelerator did not load: build it with `node scripts/build-native.mjs` (MSRP_NO_NATIVE set?)');
    });
  } else {
    for (const [name, property] of Object.entries(nativeProperties(native))) s(name, () => checkProperty(name, property, numRuns));
  }
  s.run();
}

if (FUZZ_LONG) nativeFuzzSuite();
