/**
 * Arbitrary MSRP URIs (RFC 4975 §9 `MSRP-URI`), as wire text, in all the
 * shapes the grammar allows: either scheme in any case, percent-encoded
 * userinfo, host names, IPv4, IPv6 (compressed, with embedded IPv4, zone ids),
 * optional port (leading zeros too), optional session-id, any transport and
 * extra parameters. `uriSampleArb` pairs each text with the parts a correct
 * parser must find in it.
 */
import fc from 'fast-check';
import type { MsrpUriParts } from '../../src/protocol/uri.ts';

/** One generated URI: its wire text and the parts it denotes. */
export interface UriSample {
  text: string;
  parts: MsrpUriParts;
}

/** The characters with codes `from` to `to`. */
export const charRange = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));

/** ALPHA / DIGIT. */
export const ALNUM = [...charRange(0x30, 0x39), ...charRange(0x41, 0x5a), ...charRange(0x61, 0x7a)];
const UNRESERVED = [...ALNUM, '-', '.', '_', '~'];
const SUB_DELIMS_NO_SEMI = ['!', '$', '&', "'", '(', ')', '*', '+', ',', '='];
/** RFC 4975 §9 token characters. */
export const TOKEN_CHARS = charRange(0x21, 0x7e).filter((c) => !'"(),/:;<=>?@[\\]'.includes(c));

/** Random letter case, as schemes and transports may be written. */
const anyCase = (s: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((upper) => [...s].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

const hex = (n: number, width: number, upper: boolean): string => {
  const h = n.toString(16).padStart(width, '0');
  return upper ? h.toUpperCase() : h;
};

/** A code point written as percent-encoded UTF-8 octets. */
const pctEncodedArb: fc.Arbitrary<{ raw: string; decoded: string }> = fc
  .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.boolean())
  .map(([ch, upper]) => ({
    raw: [...Buffer.from(ch, 'utf8')].map((b) => `%${hex(b, 2, upper)}`).join(''),
    decoded: ch,
  }));

const userinfoArb: fc.Arbitrary<{ raw: string; decoded: string }> = fc
  .array(fc.oneof(
    fc.constantFrom(...UNRESERVED, ...SUB_DELIMS_NO_SEMI, ';', ':').map((c) => ({ raw: c, decoded: c })),
    pctEncodedArb,
  ), { maxLength: 8 })
  .map((pieces) => ({ raw: pieces.map((p) => p.raw).join(''), decoded: pieces.map((p) => p.decoded).join('') }));

const regNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/), { minLength: 1, maxLength: 4 }).map((l) => l.join('.')) },
  { weight: 1, arbitrary: fc.array(fc.oneof(
    fc.constantFrom(...UNRESERVED, ...SUB_DELIMS_NO_SEMI),
    fc.tuple(fc.integer({ min: 0, max: 255 }), fc.boolean()).map(([b, upper]) => `%${hex(b, 2, upper)}`),
  ), { minLength: 1, maxLength: 10 }).map((a) => a.join('')) },
);

const octetArb = fc.integer({ min: 0, max: 255 });
const ipv4Arb = fc.tuple(octetArb, octetArb, octetArb, octetArb).map((o) => o.join('.'));

const h16Arb = fc.tuple(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), fc.integer({ min: 1, max: 4 }), fc.boolean())
  .map(([n, width, upper]) => hex(n, width, upper));

/** IPv6 text: full, "::"-compressed, with an embedded IPv4 tail, or with a zone id. */
const ipv6Arb: fc.Arbitrary<string> = fc.oneof(
  fc.array(h16Arb, { minLength: 8, maxLength: 8 }).map((g) => g.join(':')),
  fc.array(h16Arb, { maxLength: 7 }).chain((head) =>
    fc.array(h16Arb, { maxLength: 7 - head.length }).map((tail) => `${head.join(':')}::${tail.join(':')}`)),
  fc.tuple(fc.array(h16Arb, { maxLength: 5 }), ipv4Arb).map(([head, v4]) => `${head.join(':')}::${v4}`),
  fc.tuple(fc.array(h16Arb, { minLength: 6, maxLength: 6 }), ipv4Arb).map(([g, v4]) => `${g.join(':')}:${v4}`),
  fc.tuple(h16Arb, fc.stringMatching(/^[a-zA-Z0-9._~-]{1,6}$/)).map(([g, zone]) => `fe80::${g}%25${zone}`),
);

const portArb = fc.option(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constantFrom(0, 2855, 65535)),
  fc.integer({ min: 0, max: 2 })).map(([port, zeros]) => ({ port, text: '0'.repeat(zeros) + port })), { nil: null });

const sessionIdArb = fc.option(
  fc.string({ unit: fc.constantFrom(...UNRESERVED, '+', '=', '/'), minLength: 1, maxLength: 24 }), { nil: null });

const transportArb = fc.oneof(
  fc.constantFrom('tcp', 'ws').chain(anyCase),
  fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 1, maxLength: 6 }),
);

/** RFC 4975 §9 token. */
export const tokenArb = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 8 });
const paramsArb = fc.array(fc.tuple(tokenArb, fc.option(tokenArb, { nil: null })), { maxLength: 3 });

/** A URI as wire text together with the parts it stands for. */
export const uriSampleArb: fc.Arbitrary<UriSample> = fc
  .record({
    scheme: fc.constantFrom('msrp', 'msrps') as fc.Arbitrary<'msrp' | 'msrps'>,
    schemeText: fc.boolean(),
    user: fc.option(userinfoArb, { nil: null }),
    host: fc.oneof(
      { weight: 3, arbitrary: regNameArb.map((h) => ({ host: h, text: h })) },
      { weight: 1, arbitrary: ipv4Arb.map((h) => ({ host: h, text: h })) },
      { weight: 1, arbitrary: ipv6Arb.map((h) => ({ host: h, text: `[${h}]` })) },
    ),
    port: portArb,
    sessionId: sessionIdArb,
    transport: transportArb,
    params: paramsArb,
  })
  .chain((r) => (r.schemeText ? anyCase(r.scheme) : fc.constant(r.scheme)).map((schemeText) => {
    let text = `${schemeText}://`;
    if (r.user) text += `${r.user.raw}@`;
    text += r.host.text;
    if (r.port) text += `:${r.port.text}`;
    if (r.sessionId !== null) text += `/${r.sessionId}`;
    text += `;${r.transport}`;
    for (const [name, value] of r.params) text += value === null ? `;${name}` : `;${name}=${value}`;
    const parts: MsrpUriParts = {
      scheme: r.scheme,
      user: r.user ? r.user.decoded : null,
      host: r.host.host,
      port: r.port ? r.port.port : null,
      sessionId: r.sessionId,
      transport: r.transport,
      params: r.params,
    };
    return { text, parts };
  }));

/** Arbitrary valid MSRP URIs as wire text (for To-Path, From-Path, Use-Path values). */
export const uriArb: fc.Arbitrary<string> = uriSampleArb.map((s) => s.text);

/** A path header value: 1 to 4 URIs separated by single SP (RFC 4975 §9 `To-Path`). */
export const pathArb: fc.Arbitrary<string> = fc.array(uriArb, { minLength: 1, maxLength: 4 }).map((u) => u.join(' '));
