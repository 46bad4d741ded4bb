/**
 * Properties of MsrpUri: generated URIs parse to the parts they were built
 * from, round-trip through toString, compare per RFC 4975 §6.1, and no input
 * makes parse throw anything but MsrpUriError.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { MsrpUriError } from '../src/errors.ts';
import { MsrpUri } from '../src/protocol/uri.ts';
import { uriArb, uriSampleArb } from './arbitraries/uriArb.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

const NOISE = ['[', ']', ':', '@', '%', '%2', ';', '/', '=', ' ', '.', '0', 'é', '\u0000', '//', '::', '%25', 'tcp'];

/** A valid URI with a few characters inserted, deleted or replaced. */
const mutatedUriArb = fc.tuple(uriArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(...NOISE)), { minLength: 1, maxLength: 3 }))
  .map(([text, edits]) => {
    for (const [at, kind, piece] of edits) {
      const i = at % (text.length + 1);
      text = kind === 0 ? text.slice(0, i) + piece + text.slice(i)
        : kind === 1 ? text.slice(0, i) + text.slice(i + 1)
          : text.slice(0, i) + piece + text.slice(i + piece.length);
    }
    return text;
  });

function parsesOrThrowsUriError(text: string): void {
  try {
    MsrpUri.parse(text);
  } catch (err) {
    if (!(err instanceof MsrpUriError)) throw err;
    if (err.index < 0 || err.index > text.length) throw new Error(`index ${err.index} outside the input`);
  }
}

/** The properties, by sentence. */
export const uriProperties: Record<string, AnyProperty> = {
  'a generated URI parses to the parts it was built from': fc.property(uriSampleArb, ({ text, parts }) => {
    const uri = MsrpUri.parse(text);
    if (JSON.stringify(uri.parts()) !== JSON.stringify(parts)) throw new Error(`${text}: ${JSON.stringify(uri.parts())}`);
  }),
  'parse(toString()) gives the same parts, and toString is stable': fc.property(uriArb, (text) => {
    const uri = MsrpUri.parse(text);
    const again = MsrpUri.parse(uri.toString());
    if (JSON.stringify(again.parts()) !== JSON.stringify(uri.parts())) throw new Error(`${text} -> ${uri.toString()}`);
    if (again.toString() !== uri.toString()) throw new Error(`unstable: ${uri.toString()} -> ${again.toString()}`);
  }),
  'a URI equals itself and its re-parse, both ways round': fc.property(uriArb, (text) => {
    const uri = MsrpUri.parse(text);
    const again = MsrpUri.parse(uri.toString());
    return uri.equals(uri) && uri.equals(again) && again.equals(uri);
  }),
  'equality ignores userinfo and extra parameters but not port, session-id or transport': fc.property(
    uriArb, fc.option(fc.string({ maxLength: 4 }), { nil: null }), (text, user) => {
      const uri = MsrpUri.parse(text);
      const port = uri.port === null ? 1 : uri.port === 65535 ? null : uri.port + 1;
      return uri.with({ user, params: [['x', null]] }).equals(uri)
        && !uri.with({ port }).equals(uri)
        && !uri.with({ sessionId: uri.sessionId === null ? 's1' : null }).equals(uri)
        && !uri.with({ transport: `${uri.transport}x` }).equals(uri)
        && !uri.with({ scheme: uri.secure ? 'msrp' : 'msrps' }).equals(uri);
    }),
  'any string either parses or throws MsrpUriError': fc.property(fc.string({ unit: 'binary', maxLength: 60 }), parsesOrThrowsUriError),
  'a mutated URI either parses or throws MsrpUriError': fc.property(mutatedUriArb, parsesOrThrowsUriError),
};

/** Runs every property as a uvu test. */
export function uriFuzzSuite(): void {
  const s = suite(FUZZ_LONG ? 'MsrpUri properties (long)' : 'MsrpUri properties');
  for (const [name, property] of Object.entries(uriProperties)) s(name, () => checkProperty(name, property, 300));
  s.run();
}

if (FUZZ_LONG) uriFuzzSuite();
