/**
 * Arbitrary MSRP media descriptions (RFC 4975 §8, RFC 5547 §6, RFC 6135,
 * RFC 7701 §8, RFC 8122 §5) in the normal form parseSdp returns: names
 * lower-cased, fingerprints upper-case, no a=connection.
 */
import fc from 'fast-check';
import { MsrpUri } from '../../src/protocol/uri.ts';
import type { FileTransferAttributes, MsrpMedia, SdpAttribute } from '../../src/streams/sdp.ts';
import { ALNUM, uriArb } from './uriArb.ts';

const lowerArb = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), minLength: 1, maxLength: 8 });
const tokenArb = fc.string({ unit: fc.constantFrom(...ALNUM, '-', '.', '_', '~', '!', '+'), minLength: 1, maxLength: 10 });
const hexPairsArb = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 })
  .map((bytes) => bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':'));
/** Text for a line value: any characters but CR, LF and lone surrogates. */
const lineTextArb = fc.string({ unit: fc.oneof(fc.constantFrom(' ', '"', '%', '/', '\\', ':', ';', '\t', 'é', '写', '😀', '\u0001'), fc.constantFrom(...ALNUM)), maxLength: 16 });

const ACCEPT = ['*', 'text/plain', 'text/*', 'message/cpim', 'application/im-iscomposing+xml', 'image/*', 'application/x-rfb',
  'text/plain;charset=utf-8', 'text/html;x="a b"', 'multipart/mixed', 'multipart/alternative'];

const connectionArb = fc.oneof(
  fc.ipV4().map((address) => ({ ipVersion: 4 as const, address })),
  fc.ipV6().map((address) => ({ ipVersion: 6 as const, address })),
  fc.domain().map((address) => ({ ipVersion: 4 as const, address })),
);

const fileArb: fc.Arbitrary<FileTransferAttributes> = fc.record({
  selector: fc.option(fc.record({
    name: fc.option(lineTextArb.filter((n) => n.length > 0), { nil: null }),
    type: fc.option(fc.constantFrom('image/jpeg', 'text/plain;charset=utf-8', 'application/octet-stream;name="a b%;c"'), { nil: null }),
    size: fc.option(fc.maxSafeNat(), { nil: null }),
    hashes: fc.array(fc.record({ algorithm: fc.constantFrom('sha-1', 'sha-256'), value: hexPairsArb }), { maxLength: 2 }),
  }), { nil: null }),
  transferId: fc.option(tokenArb, { nil: null }),
  disposition: fc.option(fc.constantFrom('render', 'attachment'), { nil: null }),
  date: fc.record({
    creation: fc.constantFrom('Mon, 15 May 2006 15:01:31 +0300', 'Sun, 21 May 2006 13:02:15 -0300'),
    modification: fc.constant('Mon, 15 May 2006 16:04:53 +0300'),
    read: fc.constant('Mon, 16 May 2006 09:12:27 +0300'),
  }, { requiredKeys: [] }),
  icon: fc.option(tokenArb.map((t) => `cid:${t}@example.com`), { nil: null }),
  range: fc.option(fc.tuple(fc.integer({ min: 1, max: 1e9 }), fc.option(fc.nat({ max: 1e9 }), { nil: '*' as const }))
    .map(([start, extra]) => ({ start, stop: extra === '*' ? '*' as const : start - 1 + extra })), { nil: null }),
});

/** Whether `f` would write any a=file-* attribute. */
function hasFileAttribute(f: FileTransferAttributes): boolean {
  return f.selector !== null || f.transferId !== null || f.disposition !== null || f.icon !== null || f.range !== null
    || Object.keys(f.date).length > 0;
}

const otherArb: fc.Arbitrary<SdpAttribute> = fc.record({
  name: lowerArb.map((n) => `x-${n}`),
  value: fc.option(lineTextArb, { nil: null }),
});

/** Arbitrary media descriptions, as parseSdp would return them (without `index`). */
export const msrpMediaArb: fc.Arbitrary<MsrpMedia> = fc.record({
  media: fc.constantFrom('message' as const, 'application' as const),
  port: fc.integer({ min: 0, max: 65535 }),
  secure: fc.boolean(),
  connection: fc.option(connectionArb, { nil: null }),
  path: fc.array(uriArb.map((t) => MsrpUri.parse(t)), { minLength: 1, maxLength: 3 }),
  acceptTypes: fc.subarray(ACCEPT, { minLength: 1 }),
  acceptWrappedTypes: fc.subarray(ACCEPT),
  maxSize: fc.option(fc.maxSafeNat(), { nil: null }),
  setup: fc.constantFrom(null, 'active' as const, 'passive' as const, 'actpass' as const),
  fingerprints: fc.array(fc.record({ hash: fc.constantFrom('sha-1', 'sha-256', 'sha-512'), value: hexPairsArb }), { maxLength: 2 }),
  chatroom: fc.option(fc.array(tokenArb, { maxLength: 3 }), { nil: null }),
  direction: fc.constantFrom('sendrecv' as const, 'sendonly' as const, 'recvonly' as const, 'inactive' as const),
  description: fc.option(lineTextArb, { nil: null }),
  // file attributes with nothing set write no a=file-* line, so they parse back as null: generated as null
  file: fc.option(fileArb, { nil: null }).map((f) => (f === null || hasFileAttribute(f) ? f : null)),
  rfbSetup: fc.constantFrom(null, 'active' as const, 'passive' as const),
  otherAttributes: fc.array(otherArb, { maxLength: 3 }),
});
