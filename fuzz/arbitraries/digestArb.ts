/**
 * Arbitrary digest AUTH inputs (src/protocol/digest.ts): logins and realms in
 * any Unicode without control characters (they travel as quoted-strings, so
 * `"` and `\` must survive escaping), nonces, digest-uris and algorithms.
 */
import fc from 'fast-check';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '../../src/protocol/digest.ts';
import { textArb } from './headerArb.ts';
import { uriArb } from './uriArb.ts';

const nonEmptyText = textArb.filter((s) => s.length > 0);

/** One AUTH exchange's inputs. */
export interface DigestCase {
  username: string;
  realm: string;
  password: string;
  nonce: string;
  uri: string;
  algorithm: DigestAlgorithm;
  nc: number;
}

/** Inputs a client and a server must agree on. */
export const digestCaseArb: fc.Arbitrary<DigestCase> = fc.record({
  username: nonEmptyText,
  realm: nonEmptyText,
  // the password never travels: any string, control characters too
  password: fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
  nonce: fc.base64String({ minLength: 4, maxLength: 32 }),
  uri: uriArb,
  algorithm: fc.constantFrom(...DIGEST_ALGORITHMS),
  nc: fc.integer({ min: 1, max: 0xffffffff }),
});

/** Which Authorization parameter an attacker changes, and to what. */
export const tamperArb = fc.tuple(fc.constantFrom('username', 'realm', 'nonce', 'uri', 'cnonce', 'nc', 'response', 'password'),
  fc.string({ minLength: 1, maxLength: 4 }));
