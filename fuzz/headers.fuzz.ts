/**
 * Properties of the header codecs: every typed value round-trips through
 * format and parse, and no string makes a parser throw anything but
 * MsrpParseError.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { MsrpParseError } from '../src/errors.ts';
import * as H from '../src/protocol/headers.ts';
import {
  byteRangeArb, contentDispositionArb, contentTypeArb, digestArb, identArb, nicknameArb, statusArb,
} from './arbitraries/headerArb.ts';
import { pathArb } from './arbitraries/uriArb.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

function same(a: unknown, b: unknown): boolean {
  const plain = (v: unknown) => JSON.stringify(v, (_, x) => (x instanceof Map ? [...x] : x));
  return plain(a) === plain(b);
}

const PARSERS: Record<string, (v: string) => unknown> = {
  parsePath: H.parsePath, parseByteRange: H.parseByteRange, parseStatus: H.parseStatus, parseReport: H.parseReport,
  parseSuccessReport: H.parseSuccessReport, parseMessageId: H.parseMessageId, parseContentType: H.parseContentType,
  parseContentDisposition: H.parseContentDisposition, parseContentId: H.parseContentId,
  parseContentDescription: H.parseContentDescription, parseExpires: H.parseExpires,
  parseUseNickname: H.parseUseNickname, parseDigest: H.parseDigest,
  mediaTypeMatches: (v) => H.mediaTypeMatches(v, 'text/plain'),
};

// characters that steer the scanners into their deeper states
const HEADER_NOISE = ['0', '9', '-', '/', '*', ' ', '\t', '"', '\\', ';', '=', ',', '<', '>', 'a', 'Digest', 'msrp://', '000 ', 'é', '\u0001'];
const headerInputArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...HEADER_NOISE), maxLength: 20 }),
);

/** The properties, by sentence. */
export const headerProperties: Record<string, AnyProperty> = {
  'a path round-trips through parsePath and formatPath': fc.property(pathArb, fc.constantFrom(' ', '  ', ' \t '), (path, sep) => {
    const spaced = ` ${path.split(' ').join(sep)} `;
    const uris = H.parsePath(spaced);
    return H.formatPath(H.parsePath(H.formatPath(uris))) === H.formatPath(uris) && uris.length === path.split(' ').length;
  }),
  'a Byte-Range round-trips': fc.property(byteRangeArb, (r) => same(H.parseByteRange(H.formatByteRange(r)), r)),
  'a Status round-trips': fc.property(statusArb, (s) => same(H.parseStatus(H.formatStatus(s)), s)),
  'a Message-ID round-trips': fc.property(identArb, (id) => H.parseMessageId(id) === id),
  'isIdent agrees with the RFC 4975 §9 ident rule written as a regular expression': fc.property(
    fc.oneof(identArb, fc.string({ unit: 'binary', minLength: 3, maxLength: 34 }),
      // ident characters with look-alikes whose low seven bits are ident characters (0xC1 is 'A' + 0x80)
      fc.string({ unit: fc.constantFrom('a', 'Z', '5', '.', '-', '+', '%', '=', '\u00c1', '\u00ae', '\u0141', ' '), minLength: 3, maxLength: 34 })),
    (s) => H.isIdent(s) === /^[A-Za-z0-9][A-Za-z0-9.+%=-]{3,31}$/.test(s)),
  'a Content-Type round-trips': fc.property(contentTypeArb, (c) => same(H.parseContentType(H.formatContentType(c)), c)),
  'a Content-Disposition round-trips': fc.property(contentDispositionArb,
    (d) => same(H.parseContentDisposition(H.formatContentDisposition(d)), d)),
  'a digest value round-trips': fc.property(digestArb, (d) => same(H.parseDigest(H.formatDigest(d.scheme, d.params)), d)),
  'a nickname round-trips': fc.property(nicknameArb, (n) => H.parseUseNickname(H.formatUseNickname(n)) === n),
  'an expiry round-trips': fc.property(fc.maxSafeNat(), (n) => H.parseExpires(H.formatExpires(n)) === n),
  'a content type matches itself, its type/* and *': fc.property(contentTypeArb, (c) =>
    H.mediaTypeMatches(H.formatContentType(c), c) && H.mediaTypeMatches(`${c.type}/*`, c) && H.mediaTypeMatches('*', c)),
  'any string makes a parser return or throw MsrpParseError': fc.property(headerInputArb, (v) => {
    for (const [name, parse] of Object.entries(PARSERS)) {
      try {
        parse(v);
      } catch (err) {
        if (!(err instanceof MsrpParseError) || err.code !== 'MSRP_ERR_HEADER') throw new Error(`${name} threw ${String(err)}`);
      }
    }
  }),
};

/** Runs every property as a uvu test. */
export function headerFuzzSuite(): void {
  const s = suite(FUZZ_LONG ? 'header codec properties (long)' : 'header codec properties');
  for (const [name, property] of Object.entries(headerProperties)) s(name, () => checkProperty(name, property, 300));
  s.run();
}

if (FUZZ_LONG) headerFuzzSuite();
