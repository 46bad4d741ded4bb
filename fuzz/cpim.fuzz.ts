/**
 * Properties of Message/CPIM wrapping (RFC 3862): whatever the content bytes
 * and header texts, unwrap(wrap(x)) gives x back, and no input makes unwrap
 * throw anything but MsrpParseError.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { MsrpParseError } from '../src/errors.ts';
import { type CpimAddress, cpimHeaders, unwrapCpim, wrapCpim } from '../src/streams/cpim.ts';
import { type CpimCase, cpimCaseArb } from './arbitraries/cpimArb.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

function same(what: string, got: unknown, want: unknown): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

/** An address as unwrap reports it: an empty display name is no display name. */
const expected = (a: CpimAddress) => ({ displayName: a.displayName === '' ? null : a.displayName, uri: a.uri });

function roundTrip({ content, options, extensionNs }: CpimCase): void {
  const body = wrapCpim(content, options);
  const m = unwrapCpim(body);
  if (!m.content.equals(content)) throw new Error('content differs');
  same('from', m.from, options.from === undefined ? null : expected(options.from as CpimAddress));
  same('to', m.to, (options.to as CpimAddress[]).map(expected));
  same('cc', m.cc, (options.cc as CpimAddress[]).map(expected));
  const when = options.dateTime as { date: Date; offsetMinutes: number };
  same('dateTime', [m.dateTime?.date.getTime(), m.dateTime?.offsetMinutes], [when.date.getTime(), when.offsetMinutes]);
  same('subject', m.subject, options.subject);
  same('contentType', m.contentType, options.contentType);
  same('contentHeaders', m.contentHeaders.slice(1), options.contentHeaders);
  for (const h of options.headers ?? []) {
    const local = h.name.slice(h.name.indexOf('.') + 1);
    const want = (options.headers ?? []).filter((x) => x.name === h.name).map((x) => x.value);
    same(h.name, cpimHeaders(m.headers, extensionNs, local).map((x) => x.value), want);
  }
  if (m.blankLineMissing) throw new Error('wrap wrote no blank line');
  // re-wrapping the unwrapped headers gives the same octets (RFC 3862 §2.2: preserve all octets)
  if (!wrapCpim(m.content, { headers: m.headers, contentHeaders: m.contentHeaders }).equals(body)) throw new Error('re-wrap differs');
}

function unwrapsOrRejects(bytes: Buffer): void {
  try {
    unwrapCpim(bytes);
  } catch (err) {
    if (!(err instanceof MsrpParseError) || err.code !== 'MSRP_ERR_CPIM') throw err;
  }
}

/** A wrapped case with a few bytes replaced, inserted or cut. */
const mutatedArb = fc.tuple(cpimCaseArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(0x0d, 0x0a, 0x3a, 0x3c, 0x3e, 0x22, 0x5c, 0x3b, 0x2e, 0x20, 0x00)), { minLength: 1, maxLength: 4 }))
  .map(([c, edits]) => {
    const bytes = [...wrapCpim(c.content, c.options)];
    for (const [at, kind, byte] of edits) {
      const i = at % (bytes.length + 1);
      if (kind === 0) bytes.splice(i, 0, byte);
      else if (kind === 1) bytes.splice(i, 1);
      else bytes[i] = byte;
    }
    return Buffer.from(bytes);
  });

/** The properties, by sentence. */
export const cpimProperties: Record<string, AnyProperty> = {
  'wrapping binary content with any headers unwraps to the same content, headers and values': fc.property(cpimCaseArb, roundTrip),
  'any bytes either unwrap or throw MSRP_ERR_CPIM': fc.property(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), unwrapsOrRejects),
  'a damaged CPIM body either unwraps or throws MSRP_ERR_CPIM': fc.property(mutatedArb, unwrapsOrRejects),
};

/** Runs every property as a uvu test. */
export function cpimFuzzSuite(): void {
  const s = suite(FUZZ_LONG ? 'CPIM properties (long)' : 'CPIM properties');
  for (const [name, property] of Object.entries(cpimProperties)) s(name, () => checkProperty(name, property, 300));
  s.run();
}

if (FUZZ_LONG) cpimFuzzSuite();
