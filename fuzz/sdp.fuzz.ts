/**
 * Properties of MSRP SDP: any media description formats and parses back to
 * itself (alone or in a whole SDP), and no text makes parseSdp throw anything
 * but MsrpParseError.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { MsrpParseError } from '../src/errors.ts';
import { formatMsrpMedia, formatSdp, type MsrpMedia, parseSdp } from '../src/streams/sdp.ts';
import { msrpMediaArb } from './arbitraries/sdpArb.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

function same(got: MsrpMedia, want: MsrpMedia): void {
  const { index: _, ...rest } = got as MsrpMedia & { index: number };
  const a = JSON.stringify(rest);
  const b = JSON.stringify(want);
  if (a !== b) throw new Error(`parsed back differently:\n got  ${a}\n want ${b}`);
}

function parsesOrRejects(text: string): void {
  try {
    parseSdp(text);
  } catch (err) {
    if (!(err instanceof MsrpParseError) || err.code !== 'MSRP_ERR_SDP') throw err;
  }
}

/** A formatted SDP with a few characters replaced, inserted or cut. */
const mutatedArb = fc.tuple(msrpMediaArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(':', ' ', '\r\n', '"', '%', '*', '/', ';', '=', 'a=', 'm=', '0', '\u0000')), { minLength: 1, maxLength: 4 }))
  .map(([media, edits]) => {
    let text = formatMsrpMedia(media);
    for (const [at, kind, piece] of edits) {
      const i = at % (text.length + 1);
      text = kind === 0 ? text.slice(0, i) + piece + text.slice(i) : kind === 1 ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + piece + text.slice(i + piece.length);
    }
    return text;
  });

/** The properties, by sentence. */
export const sdpProperties: Record<string, AnyProperty> = {
  'a media description formats and parses back to itself': fc.property(msrpMediaArb, (media) => {
    const back = parseSdp(formatMsrpMedia(media));
    if (back.length !== 1) throw new Error(`${back.length} media parsed`);
    same(back[0], media);
  }),
  'several media in a whole SDP parse back in order with their indexes': fc.property(fc.array(msrpMediaArb, { minLength: 1, maxLength: 3 }), (media) => {
    const back = parseSdp(formatSdp(media, { sessionId: 1 }));
    if (back.length !== media.length) throw new Error(`${back.length} media parsed`);
    back.forEach((m, i) => {
      if (m.index !== i) throw new Error(`index ${m.index} for ${i}`);
      same(m, media[i]);
    });
  }),
  'any text either parses or throws MSRP_ERR_SDP': fc.property(fc.string({ unit: 'binary', maxLength: 200 }), parsesOrRejects),
  'a damaged MSRP media section either parses or throws MSRP_ERR_SDP': fc.property(mutatedArb, parsesOrRejects),
};

/** Runs every property as a uvu test. */
export function sdpFuzzSuite(): void {
  const s = suite(FUZZ_LONG ? 'SDP properties (long)' : 'SDP properties');
  for (const [name, property] of Object.entries(sdpProperties)) s(name, () => checkProperty(name, property, 200));
  s.run();
}

if (FUZZ_LONG) sdpFuzzSuite();
