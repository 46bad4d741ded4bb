/**
 * Properties of digest AUTH (src/protocol/digest.ts): whatever the login,
 * realm, nonce and uri, a server admits the Authorization a client computed
 * after it crossed the wire (formatDigest / parseDigest), and the client
 * accepts the server's rspauth; any single change an attacker makes is
 * refused; and no Authorization text makes the server throw.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { MsrpError } from '../src/errors.ts';
import {
  authorize, checkAuthenticationInfo, chooseChallenge, createChallenge, verifyAuthorization, type DigestChallenge,
  type VerifyOptions,
} from '../src/protocol/digest.ts';
import { formatDigest, parseDigest, type DigestValue } from '../src/protocol/headers.ts';
import { digestCaseArb, tamperArb, type DigestCase } from './arbitraries/digestArb.ts';
import { checkAsyncProperty, FUZZ_LONG } from './settings.ts';

/** A digest value after a trip over the wire. */
function wire(v: DigestValue): DigestValue {
  return parseDigest(formatDigest(v.scheme, v.params));
}

function challengeOf(c: DigestCase): DigestChallenge {
  // relays never offer MD5-sess (RFC 4976 §9.1), but a client answers one
  const value = c.algorithm === 'MD5-sess'
    ? { scheme: 'Digest', params: new Map([['realm', c.realm], ['qop', 'auth'], ['nonce', c.nonce], ['algorithm', 'MD5-sess']]) }
    : createChallenge({ realm: c.realm, nonce: c.nonce, algorithm: c.algorithm });
  return chooseChallenge([wire(value)]);
}

function serverOptions(c: DigestCase): VerifyOptions {
  return {
    realm: c.realm, requestUri: c.uri, algorithms: ['SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess'],
    lookup: async (user, realm) => (user === c.username && realm === c.realm ? { password: c.password } : null),
    nonces: { use: (nonce, count) => (nonce === c.nonce && count === c.nc ? 'ok' : 'stale') },
  };
}

/** The properties, by sentence. */
export const digestProperties: Record<string, fc.IAsyncProperty<any>> = {
  'the server admits what the client computed, and the client accepts the server\'s rspauth': fc.asyncProperty(digestCaseArb, async (c) => {
    const auth = authorize(challengeOf(c), { username: c.username, password: c.password }, { uri: c.uri, nc: c.nc });
    const verdict = await verifyAuthorization(wire(auth.value), serverOptions(c));
    if (!verdict.ok) throw new Error(`refused: ${verdict.reason}`);
    const info = checkAuthenticationInfo(wire(verdict.authenticationInfo), auth);
    if (!info.verified) throw new Error('rspauth not verified');
  }),
  'any single change to the Authorization or the password is refused': fc.asyncProperty(digestCaseArb, tamperArb, async (c, [name, junk]) => {
    const password = name === 'password' ? c.password + junk : c.password;
    const auth = authorize(challengeOf(c), { username: c.username, password }, { uri: c.uri, nc: c.nc });
    const params = new Map(auth.value.params);
    if (name === 'nc') params.set('nc', (c.nc === 1 ? 2 : c.nc - 1).toString(16).padStart(8, '0'));
    else if (name === 'uri') params.set('uri', `${c.uri};x${junk.replace(/[^a-z]/g, '')}`);
    else if (name === 'response') params.set('response', params.get('response')?.replace(/^./, (d) => (d === '0' ? '1' : '0')) as string);
    else if (name !== 'password') params.set(name, params.get(name) + junk);
    const verdict = await verifyAuthorization(wire({ scheme: 'Digest', params }), serverOptions(c));
    if (verdict.ok) throw new Error(`admitted with ${name} changed`);
  }),
  'no Authorization text makes the server throw; no challenge text makes the client throw anything but MsrpError': fc.asyncProperty(
    fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ maxLength: 80 }), async (garbage, tail) => {
      const verdict = await verifyAuthorization(garbage, { realm: 'r', requestUri: 'msrp://a:1;tcp', lookup: () => null, nonces: { use: () => 'ok' } });
      if (verdict.ok) throw new Error('garbage admitted');
      for (const text of [garbage, `Digest realm="r", nonce="n", qop="auth", ${tail}`]) {
        try {
          chooseChallenge([text]);
        } catch (err) {
          if (!(err instanceof MsrpError)) throw err;
        }
      }
    }),
};

/** Runs every property as a uvu test. */
export function digestFuzzSuite(): void {
  const s = suite(FUZZ_LONG ? 'digest properties (long)' : 'digest properties');
  for (const [name, property] of Object.entries(digestProperties)) s(name, () => checkAsyncProperty(name, property, 200));
  s.run();
}

if (FUZZ_LONG) digestFuzzSuite();
