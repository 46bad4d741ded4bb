/**
 * Arbitrary Message/CPIM wrap options (RFC 3862) with binary content: display
 * names and subjects full of quotes, backslashes and control characters,
 * DateTimes at any offset, namespaced extension headers and content headers.
 */
import fc from 'fast-check';
import type { CpimAddress, CpimHeader, CpimSubject, CpimWrapOptions } from '../../src/streams/cpim.ts';
import { ALNUM, charRange } from './uriArb.ts';

/** RFC 3862 §3.6 NAMECHAR. */
const NAME_CHARS = charRange(0x21, 0x7e).filter((c) => !'"(),./:;<=>?@[\\]{}'.includes(c));

/** Text with what needs escaping or quoting (no lone surrogates: headers are UTF-8). */
const textArb = fc.string({
  unit: fc.oneof(fc.constantFrom('"', '\\', "'", ' ', '\t', '\n', '\r', '\u0001', '\u007f', '<', '>', ',', ';', ':', 'é', '漢', '😀'), fc.constantFrom(...ALNUM)),
  maxLength: 16,
});

const nameArb = fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 10 });

/** A URI as CPIM headers carry it: no whitespace, `<` or `>`. */
const uriArb = fc.tuple(fc.constantFrom('sip:', 'im:', 'tel:+', 'mid:'), fc.string({ unit: fc.constantFrom(...ALNUM, '@', '.', '-', '_', ';', '='), minLength: 1, maxLength: 12 }))
  .map(([scheme, rest]) => scheme + rest);

const addressArb: fc.Arbitrary<CpimAddress> = fc.record({ displayName: fc.option(textArb, { nil: null }), uri: uriArb });

const subjectArb: fc.Arbitrary<CpimSubject> = fc.record({ text: textArb, lang: fc.option(fc.constantFrom('en', 'fr', 'de-CH', 'i-default'), { nil: null }) });

/** An extension header value as on the wire: no control characters, no surrounding whitespace. */
const rawValueArb = fc.string({ unit: fc.oneof(fc.constantFrom('"', '\\', ' ', ';', ':', '<', '>', 'é'), fc.constantFrom(...ALNUM)), maxLength: 12 })
  .map((v) => v.trim());

/** Wrap options plus the namespace URI its extension headers live in. */
export interface CpimCase {
  content: Buffer;
  options: CpimWrapOptions & { contentType: string };
  extensionNs: string;
}

/** Arbitrary wrap cases. */
export const cpimCaseArb: fc.Arbitrary<CpimCase> = fc.record({
  content: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  from: fc.option(addressArb, { nil: undefined }),
  to: fc.array(addressArb, { maxLength: 3 }),
  cc: fc.array(addressArb, { maxLength: 2 }),
  date: fc.date({ min: new Date('1900-01-02T00:00:00Z'), max: new Date('2999-12-30T00:00:00Z'), noInvalidDate: true }),
  offsetMinutes: fc.integer({ min: -1439, max: 1439 }),
  subject: fc.array(subjectArb, { maxLength: 2 }),
  prefix: nameArb,
  extensions: fc.array(fc.tuple(nameArb, rawValueArb), { maxLength: 4 }),
  contentType: fc.constantFrom('text/plain', 'text/plain;charset=utf-8', 'application/octet-stream', 'image/png', 'message/imdn+xml'),
  contentId: fc.option(fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 1, maxLength: 8 }), { nil: undefined }),
}).map((r) => {
  const extensionNs = `urn:example:${r.prefix}`;
  const headers: CpimHeader[] = r.extensions.map(([name, value]) => ({ name: `${r.prefix}.${name}`, value }));
  return {
    content: r.content,
    extensionNs,
    options: {
      from: r.from,
      to: r.to,
      cc: r.cc,
      dateTime: { date: r.date, offsetMinutes: r.offsetMinutes },
      subject: r.subject,
      namespaces: [{ prefix: r.prefix, uri: extensionNs }],
      headers,
      contentType: r.contentType,
      contentHeaders: r.contentId === undefined ? [] : [{ name: 'Content-ID', value: `<${r.contentId}@example.com>` }],
    },
  };
});
