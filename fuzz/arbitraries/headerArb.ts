/**
 * Arbitrary typed header values (src/protocol/headers.ts), each one a value
 * its `format*` function accepts, so `parse(format(x))` must equal `x`.
 */
import fc from 'fast-check';
import type { ByteRange, ContentDisposition, ContentType, MsrpStatus } from '../../src/protocol/headers.ts';
import { ALNUM, TOKEN_CHARS } from './uriArb.ts';

// lower-case tokens where the codec folds case
const LOWER_TOKEN = TOKEN_CHARS.filter((c) => c === c.toLowerCase());
const IDENT_CHAR = [...ALNUM, '.', '-', '+', '%', '='];

/** A token as it comes back from a case-folding codec. */
export const lowerTokenArb = fc.string({ unit: fc.constantFrom(...LOWER_TOKEN), minLength: 1, maxLength: 10 });

/** Text without control characters (RFC 4975 §9 `utf8text`), any Unicode. */
export const textArb = fc.string({ unit: fc.oneof(fc.constantFrom('"', '\\', ' ', '\t', ';', ','), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 20 })
  .map((s) => s.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ''));

/** RFC 4975 §9 `ident` (Message-ID, transact-id). */
export const identArb = fc.tuple(fc.constantFrom(...IDENT_CHAR.slice(0, 62)), fc.string({ unit: fc.constantFrom(...IDENT_CHAR), minLength: 3, maxLength: 31 }))
  .map(([first, rest]) => first + rest);

const countArb = fc.oneof(fc.nat({ max: 5000 }), fc.maxSafeNat());

/** A Byte-Range the RFC allows: start >= 1, end >= start - 1, end and start - 1 <= total. */
export const byteRangeArb: fc.Arbitrary<ByteRange> = fc
  .tuple(countArb, countArb, countArb, fc.boolean(), fc.boolean())
  .map(([a, b, c, endStar, totalStar]) => {
    const [x, y, z] = [a, b, c].sort((p, q) => p - q);
    const start = Math.min(x + 1, Number.MAX_SAFE_INTEGER);
    const end = Math.max(y, start - 1);
    const total = Math.max(z, end);
    return { start, end: endStar ? '*' : end, total: totalStar ? '*' : total } as ByteRange;
  });

/** Any Status: three-digit namespace and code, optional comment (no surrounding whitespace). */
export const statusArb: fc.Arbitrary<MsrpStatus> = fc.record({
  namespace: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999 })),
  code: fc.integer({ min: 0, max: 999 }),
  comment: fc.option(textArb.map((t) => t.trim()).filter((t) => t !== ''), { nil: null }),
});

const paramsArb = fc.uniqueArray(fc.tuple(lowerTokenArb, textArb), { selector: ([n]) => n, maxLength: 4 });

/** A media type with parameters. */
export const contentTypeArb: fc.Arbitrary<ContentType> = fc.record({ type: lowerTokenArb, subtype: lowerTokenArb, params: paramsArb });

/** A Content-Disposition with parameters. */
export const contentDispositionArb: fc.Arbitrary<ContentDisposition> = fc.record({ type: lowerTokenArb, params: paramsArb });

/** A digest header: `Digest` with parameters, or a scheme-less Authentication-Info list. */
export const digestArb: fc.Arbitrary<{ scheme: string; params: Map<string, string> }> = fc
  .tuple(fc.constantFrom('Digest', ''), fc.uniqueArray(fc.tuple(lowerTokenArb, textArb), { selector: ([n]) => n, maxLength: 6 }))
  .filter(([scheme, params]) => scheme !== '' || params.length > 0)
  .map(([scheme, params]) => ({ scheme, params: new Map(params) }));

/** A Use-Nickname value: 1 to 1023 characters of text. */
export const nicknameArb = textArb.filter((t) => t.length > 0);
