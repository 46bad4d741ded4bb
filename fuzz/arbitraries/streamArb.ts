/**
 * Arbitrary byte streams for the framing properties: valid chunks mixed with
 * broken ones (header errors that resynchronise, bad start lines, truncation),
 * MSRP-flavoured noise, and small limits so the caps are crossed often.
 */
import fc from 'fast-check';
import type { FramingLimits } from '../../src/core/types.ts';
import { chunkArb } from './chunkArb.ts';
import { identArb } from './headerArb.ts';

/** Small caps (each one present or not), to make every limit reachable. */
export const limitsArb: fc.Arbitrary<FramingLimits> = fc.record({
  maxLineLength: fc.integer({ min: 1, max: 120 }),
  maxHeaders: fc.integer({ min: 0, max: 6 }),
  maxHeadLength: fc.integer({ min: 1, max: 400 }),
  maxBodyLength: fc.integer({ min: 0, max: 60 }),
}, { requiredKeys: [] });

/** A chunk whose head breaks a header rule, so the engine must skip to its end-line. */
const brokenChunkArb: fc.Arbitrary<string> = fc.tuple(identArb, fc.constantFrom(
  ':no name', 'Byte-Range: 1-x/2', 'Status: 20 OK', 'Message-ID: a\nb', 'X: \x00', ' folded: no',
), fc.constantFrom('', 'Content-Type: a/b\r\n\r\nbody'), fc.constantFrom('$', '+', '#'))
  .map(([tid, bad, rest, flag]) => `MSRP ${tid} SEND\r\n${bad}\r\n${rest}${rest === '' ? '' : '\r\n'}-------${tid}${flag}\r\n`);

/** Fragments that look like MSRP framing. */
const TOKENS = ['MSRP ', 'abcd', ' SEND', ' 200 OK', '\r\n', '\r', '\n', ':', ' ', 'To-Path: ', 'Byte-Range: 1-2/3',
  'Status: 000 200', '-------abcd', '-------abcd$', '\r\n-------abcd+\r\n', '$', '#', '+', 'X', '\x00', '\xff'];

/** Noise made of MSRP-looking fragments and random octets. */
export const msrpishArb: fc.Arbitrary<Buffer> = fc.array(fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a).toString('latin1')) },
), { maxLength: 40 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));

/** Valid and broken chunks back to back, sometimes cut short or followed by noise. */
export const noisyStreamArb: fc.Arbitrary<Buffer> = fc.tuple(
  fc.array(fc.oneof(
    { weight: 3, arbitrary: chunkArb.map((c) => c.encode()) },
    { weight: 1, arbitrary: brokenChunkArb.map((s) => Buffer.from(s, 'latin1')) },
  ), { minLength: 1, maxLength: 4 }),
  fc.option(msrpishArb, { nil: undefined }),
  fc.option(fc.nat(), { nil: undefined }),
).map(([chunks, tail, cut]) => {
  const all = Buffer.concat(tail === undefined ? chunks : [...chunks, tail]);
  return cut === undefined ? all : all.subarray(0, cut % (all.length + 1));
});

/** Offsets at which to cut a stream (taken modulo its length + 1). */
export const cutsArb: fc.Arbitrary<number[]> = fc.array(fc.nat(), { maxLength: 8 });
