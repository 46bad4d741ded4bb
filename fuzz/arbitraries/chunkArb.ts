/**
 * Arbitrary valid chunks (src/protocol/chunk.ts), written so that encoding
 * changes nothing parse can see: headers already in wire order (To-Path,
 * From-Path, the rest, Content-Type last) with canonical names and trimmed
 * values. Bodies favour what makes framing hard: CRLF, runs of "-------",
 * lookalike end-lines of their own transaction id, bare CR and LF.
 */
import fc from 'fast-check';
import { Chunk } from '../../src/protocol/chunk.ts';
import type { ContinuationFlag } from '../../src/protocol/chunk.ts';
import { formatByteRange, formatContentType, formatStatus } from '../../src/protocol/headers.ts';
import { byteRangeArb, contentTypeArb, identArb, statusArb, textArb } from './headerArb.ts';
import { charRange, pathArb, TOKEN_CHARS } from './uriArb.ts';

/** RFC 4975 §9 continuation-flag. */
export const flagArb: fc.Arbitrary<ContinuationFlag> = fc.constantFrom('$', '+', '#');

/** Request methods: the RFC ones and extension `1*UPALPHA` tokens. */
export const methodArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('SEND', 'REPORT', 'AUTH', 'NICKNAME'),
  fc.string({ unit: fc.constantFrom(...charRange(0x41, 0x5a)), minLength: 1, maxLength: 8 }),
);

/** An extension header: an `X-` name (never a known header) and a value without surrounding whitespace. */
const extHeaderArb: fc.Arbitrary<[string, string]> = fc.tuple(
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), maxLength: 10 }).map((t) => `X-${t}`),
  textArb.map((t) => t.replace(/^[ \t]+|[ \t]+$/g, '')),
);

/** Body octets built from fragments that look like framing, for the transaction id `tid`. */
export function bodyArb(tid: string): fc.Arbitrary<Buffer> {
  const fragment = fc.oneof(
    fc.constantFrom('\r\n', '\r', '\n', '-------', '\r\n-------', `-------${tid}`, `\r\n-------${tid}`,
      `\r\n-------${tid}$`, `\r\n-------${tid}+\r\n`, `\r\n-------${tid}#x`, `\r\n-------${tid}x\r\n`, 'MSRP ', tid),
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a).toString('latin1')),
  );
  return fc.array(fragment, { maxLength: 8 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));
}

/** Any valid request or response, bodiless, with an empty body, or with a framing-hostile body. */
export const chunkArb: fc.Arbitrary<Chunk> = fc.record({
  transactionId: identArb,
  request: fc.boolean(),
  method: methodArb,
  code: fc.integer({ min: 100, max: 999 }),
  comment: fc.option(textArb, { nil: null }),
  toPath: pathArb,
  fromPath: pathArb,
  messageId: fc.option(identArb, { nil: undefined }),
  byteRange: fc.option(byteRangeArb, { nil: undefined }),
  status: fc.option(statusArb, { nil: undefined }),
  ext: fc.array(extHeaderArb, { maxLength: 3 }),
  contentType: contentTypeArb,
  hasBody: fc.boolean(),
  flag: flagArb,
}).chain((r) => (r.hasBody ? bodyArb(r.transactionId) : fc.constant(undefined)).map((body) => {
  const headers: Array<[string, string]> = [['To-Path', r.toPath], ['From-Path', r.fromPath]];
  if (r.messageId !== undefined) headers.push(['Message-ID', r.messageId]);
  if (r.byteRange !== undefined) headers.push(['Byte-Range', formatByteRange(r.byteRange)]);
  if (r.status !== undefined) headers.push(['Status', formatStatus(r.status)]);
  headers.push(...r.ext);
  if (body !== undefined) headers.push(['Content-Type', formatContentType(r.contentType)]);
  return new Chunk({
    transactionId: r.transactionId, method: r.request ? r.method : null, code: r.request ? 0 : r.code,
    comment: r.request ? null : r.comment, headers, body, continuationFlag: r.flag,
  });
}));
