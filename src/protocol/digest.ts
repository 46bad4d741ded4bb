/**
 * HTTP Digest authentication for MSRP AUTH (RFC 4976 §5.1, §9.1), computed as
 * RFC 7616 §3.4 describes (RFC 2617 §3.2.2 for MD5): both sides.
 *
 * Client: pick the best challenge of a 401 (`chooseChallenge`), answer it
 * (`authorize`), check the relay's Authentication-Info (`checkAuthenticationInfo`);
 * `DigestClient` keeps the nonce and nonce count between refreshes.
 * Server: `createChallenge` for the 401, `verifyAuthorization` against a
 * credential lookup and a nonce checker, giving the Authentication-Info.
 *
 * MSRP rules (RFC 4976 §9.1): qop is always "auth" (never auth-int), cnonce
 * and nc are always sent, the digest-uri is the rightmost To-Path URI and the
 * method is AUTH; relays never challenge with MD5-sess.
 * Header values travel as DigestValue, through headers.ts parseDigest/formatDigest.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createParseError, MsrpError } from '../errors.ts';
import { parseDigest, type DigestValue } from './headers.ts';
import { MsrpUri } from './uri.ts';

/**
 * The algorithms supported (RFC 7616 §3.3, MD5 from RFC 2617). SHA-512-256 is
 * left out: the RFC 7616 §3.9.2 example computes it as truncated SHA-512, not
 * SHA-512/256, so implementations disagree on it.
 */
export type DigestAlgorithm = 'SHA-256' | 'SHA-256-sess' | 'MD5' | 'MD5-sess';

/** The hash under an algorithm: what an HA1 is computed with. */
export type DigestHash = 'SHA-256' | 'MD5';

/** Supported algorithms, most preferred first (SHA-256 over MD5, RFC 7616 §3.7). */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess'];

const NODE_HASH: Record<DigestHash, string> = { 'SHA-256': 'sha256', MD5: 'md5' };

/** The method whose digest an MSRP relay checks (RFC 4976 §5.1). */
export const AUTH_METHOD = 'AUTH';

/** A parsed, usable WWW-Authenticate challenge. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** the algorithm named, 'MD5' when absent (RFC 7616 §3.3) */
  algorithm: DigestAlgorithm;
  /** whether the challenge named its algorithm (the Authorization then echoes it) */
  algorithmGiven: boolean;
  opaque: string | null;
  /** the previous credentials were right but their nonce was not (RFC 7616 §3.3): retry without asking for a password */
  stale: boolean;
}

/** What a client signs in with. */
export interface DigestLogin {
  username: string;
  password: string;
}

/** An Authorization value and what is needed to check the Authentication-Info answering it. */
export interface DigestAuthorization {
  /** the Authorization header value: set `chunk.authorization = auth.value` */
  value: DigestValue;
  algorithm: DigestAlgorithm;
  nonce: string;
  cnonce: string;
  /** nonce count as sent: 8 lower-case hex digits */
  nc: string;
  /** the digest-uri hashed: the rightmost To-Path URI */
  uri: string;
  /** H(A1), per session for the -sess algorithms */
  ha1: string;
}

/** The algorithm of `name` (case-insensitive), or null when not supported. */
export function digestAlgorithm(name: string): DigestAlgorithm | null {
  const upper = name.toUpperCase();
  for (const a of DIGEST_ALGORITHMS) if (a.toUpperCase() === upper) return a;
  return null;
}

/** The hash an algorithm uses. */
export function digestHash(algorithm: DigestAlgorithm): DigestHash {
  return algorithm.endsWith('-sess') ? algorithm.slice(0, -5) as DigestHash : algorithm as DigestHash;
}

/** H(data) as lower-case hex (RFC 7616 §3.3); strings are hashed as UTF-8. */
function h(hash: DigestHash, data: string): string {
  return createHash(NODE_HASH[hash]).update(data, 'utf8').digest('hex');
}

/** H(username ":" realm ":" password): what a credential store may keep instead of the password (RFC 7616 §3.4.2, §5.2). */
export function digestHa1(hash: DigestHash, username: string, realm: string, password: string): string {
  return h(hash, `${username}:${realm}:${password}`);
}

/** H(A1) for `algorithm` from the stored H(user:realm:password): the -sess variants mix in both nonces (RFC 7616 §3.4.2). */
function sessionHa1(algorithm: DigestAlgorithm, ha1: string, nonce: string, cnonce: string): string {
  return algorithm.endsWith('-sess') ? h(digestHash(algorithm), `${ha1}:${nonce}:${cnonce}`) : ha1;
}

/**
 * KD(H(A1), nonce:nc:cnonce:qop:H(A2)) with qop=auth (RFC 7616 §3.4.1). With
 * `method` '' it is the rspauth of Authentication-Info, whose A2 is ":" uri (§3.5).
 */
export function digestResponse(algorithm: DigestAlgorithm, ha1: string, nonce: string, nc: string, cnonce: string,
  method: string, uri: string): string {
  const hash = digestHash(algorithm);
  return h(hash, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${h(hash, `${method}:${uri}`)}`);
}

/** Hex strings compared in constant time. */
function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'latin1');
  const y = Buffer.from(b.toLowerCase(), 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `n` as the 8 hex digits of RFC 7616 §3.4 `nc`. */
export function formatNonceCount(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new RangeError('nonce count must be an integer from 1 to 2^32-1');
  return n.toString(16).padStart(8, '0');
}

function asDigest(v: DigestValue | string): DigestValue {
  return typeof v === 'string' ? parseDigest(v) : v;
}

// ---------------------------------------------------------------------------
// Client

function challengeProblem(v: DigestValue): string | DigestChallenge {
  if (v.scheme.toLowerCase() !== 'digest') return `scheme ${JSON.stringify(v.scheme)} is not Digest (Basic is never used, RFC 4976 §9.1)`;
  const realm = v.params.get('realm');
  const nonce = v.params.get('nonce');
  if (realm === undefined) return 'no realm';
  if (nonce === undefined) return 'no nonce';
  const name = v.params.get('algorithm');
  const algorithm = name === undefined ? 'MD5' : digestAlgorithm(name);
  if (algorithm === null) return `algorithm ${JSON.stringify(name)} is not supported`;
  // RFC 4976 §9.1: qop is always present, and auth is the only one that makes sense
  const qop = (v.params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase());
  if (!qop.includes('auth')) return 'qop does not offer "auth" (RFC 4976 §9.1)';
  return {
    realm, nonce, algorithm, algorithmGiven: name !== undefined, opaque: v.params.get('opaque') ?? null,
    stale: (v.params.get('stale') ?? '').toLowerCase() === 'true',
  };
}

/**
 * The challenge to answer among the WWW-Authenticate values of a 401: the
 * usable one with the most preferred algorithm (DIGEST_ALGORITHMS order).
 * Throws MsrpError MSRP_ERR_DIGEST_CHALLENGE saying why none is usable.
 */
export function chooseChallenge(values: ReadonlyArray<DigestValue | string>): DigestChallenge {
  let best: DigestChallenge | null = null;
  const problems: string[] = [];
  for (const value of values) {
    let parsed: DigestValue;
    try {
      parsed = asDigest(value);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    const c = challengeProblem(parsed);
    if (typeof c === 'string') problems.push(c);
    else if (best === null || DIGEST_ALGORITHMS.indexOf(c.algorithm) < DIGEST_ALGORITHMS.indexOf(best.algorithm)) best = c;
  }
  if (best !== null) return best;
  throw new MsrpError('MSRP_ERR_DIGEST_CHALLENGE',
    values.length === 0 ? 'the 401 carries no WWW-Authenticate challenge' : `no usable digest challenge: ${problems.join('; ')}`);
}

/** Options of `authorize`. */
export interface AuthorizeOptions {
  /** the digest-uri: the rightmost To-Path URI as written (RFC 4976 §9.1) */
  uri: string;
  /** default AUTH; RFC test vectors use GET */
  method?: string;
  /** nonce count, default 1 */
  nc?: number;
  /** default 96 random bits in hex */
  cnonce?: string;
}

/** The Authorization answering `challenge` (RFC 7616 §3.4), with qop=auth, nc and cnonce. */
export function authorize(challenge: DigestChallenge, login: DigestLogin, options: AuthorizeOptions): DigestAuthorization {
  const { algorithm, realm, nonce } = challenge;
  const nc = formatNonceCount(options.nc ?? 1);
  const cnonce = options.cnonce ?? randomBytes(12).toString('hex');
  const ha1 = sessionHa1(algorithm, digestHa1(digestHash(algorithm), login.username, realm, login.password), nonce, cnonce);
  const response = digestResponse(algorithm, ha1, nonce, nc, cnonce, options.method ?? AUTH_METHOD, options.uri);
  // order as RFC 7977 §8.1.2 prints it; qop, nc and algorithm are written as tokens by formatDigest
  const params = new Map<string, string>([
    ['username', login.username], ['realm', realm], ['nonce', nonce], ['uri', options.uri], ['response', response],
  ]);
  if (challenge.algorithmGiven) params.set('algorithm', algorithm);
  params.set('qop', 'auth');
  params.set('nc', nc);
  params.set('cnonce', cnonce);
  if (challenge.opaque !== null) params.set('opaque', challenge.opaque);
  return { value: { scheme: 'Digest', params }, algorithm, nonce, cnonce, nc, uri: options.uri, ha1 };
}

/** What an Authentication-Info told the client. */
export interface AuthenticationInfoResult {
  /** true when rspauth was present and right (mutual authentication, RFC 7616 §3.5) */
  verified: boolean;
  /** the nonce to use for the next AUTH, or null */
  nextnonce: string | null;
}

/**
 * Checks the Authentication-Info of a 200 to AUTH against the Authorization
 * that was sent: rspauth (when present) must prove the relay knows the
 * password, and cnonce/nc (when present) must be ours. Throws MsrpError
 * MSRP_ERR_DIGEST_RSPAUTH when they do not match.
 */
export function checkAuthenticationInfo(info: DigestValue | string, auth: DigestAuthorization): AuthenticationInfoResult {
  const p = asDigest(info).params;
  const fail = (why: string): never => {
    throw new MsrpError('MSRP_ERR_DIGEST_RSPAUTH', `Authentication-Info does not answer our Authorization: ${why}`);
  };
  const cnonce = p.get('cnonce');
  if (cnonce !== undefined && cnonce !== auth.cnonce) fail('cnonce differs');
  const nc = p.get('nc');
  if (nc !== undefined && nc.toLowerCase() !== auth.nc) fail('nc differs');
  const qop = p.get('qop');
  if (qop !== undefined && qop.toLowerCase() !== 'auth') fail(`qop ${JSON.stringify(qop)} is not auth`);
  const rspauth = p.get('rspauth');
  if (rspauth !== undefined && !sameHex(rspauth, digestResponse(auth.algorithm, auth.ha1, auth.nonce, auth.nc, auth.cnonce, '', auth.uri))) {
    fail('rspauth is wrong (the relay does not know the password)');
  }
  return { verified: rspauth !== undefined, nextnonce: p.get('nextnonce') ?? null };
}

/**
 * A client's digest state across AUTH requests to one relay: the challenge
 * answered, its nonce count, and a nextnonce from Authentication-Info, so a
 * refresh AUTH can carry credentials at once (RFC 7616 §3.6).
 */
export class DigestClient {
  readonly login: DigestLogin;
  private challenge: DigestChallenge | null = null;
  private nc = 0;

  constructor(login: DigestLogin) {
    this.login = login;
  }

  /** Answers the WWW-Authenticate values of a 401 (a new challenge restarts the nonce count). */
  answer(challenges: ReadonlyArray<DigestValue | string>, uri: string): DigestAuthorization {
    this.challenge = chooseChallenge(challenges);
    this.nc = 0;
    return this.authorize(uri) as DigestAuthorization;
  }

  /** Credentials for a further AUTH with the nonce in hand (count + 1), or null before any challenge. */
  authorize(uri: string): DigestAuthorization | null {
    if (this.challenge === null) return null;
    this.nc++;
    return authorize(this.challenge, this.login, { uri, nc: this.nc });
  }

  /** Takes the Authentication-Info of the 200 (or undefined when there is none); throws on a wrong rspauth. */
  confirm(info: DigestValue | string | undefined, auth: DigestAuthorization): AuthenticationInfoResult {
    if (info === undefined) return { verified: false, nextnonce: null };
    const result = checkAuthenticationInfo(info, auth);
    if (result.nextnonce !== null && this.challenge !== null) {
      this.challenge = { ...this.challenge, nonce: result.nextnonce, stale: false };
      this.nc = 0;
    }
    return result;
  }
}

// ---------------------------------------------------------------------------
// Server

/** Options of `createChallenge`. */
export interface ChallengeOptions {
  realm: string;
  nonce: string;
  /** default MD5, which every client knows; MD5-sess is refused (RFC 4976 §9.1) */
  algorithm?: DigestAlgorithm;
  /** the credentials were right but the nonce was not (RFC 7616 §3.3) */
  stale?: boolean;
  opaque?: string;
}

/** A WWW-Authenticate value: realm, qop="auth", nonce, algorithm, [stale], [opaque]. Set it with `chunk.addHeader`/`wwwAuthenticate`. */
export function createChallenge(options: ChallengeOptions): DigestValue {
  const algorithm = options.algorithm ?? 'MD5';
  if (algorithm === 'MD5-sess') throw new RangeError('MSRP relays must not challenge with MD5-sess (RFC 4976 §9.1)');
  const params = new Map<string, string>([['realm', options.realm], ['qop', 'auth'], ['nonce', options.nonce], ['algorithm', algorithm]]);
  if (options.stale) params.set('stale', 'true');
  if (options.opaque !== undefined) params.set('opaque', options.opaque);
  return { scheme: 'Digest', params };
}

/** The Authorization parameters a server checks. */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  /** the uri parameter, null when absent (RFC 4976 §7 does not list it) */
  uri: string | null;
  response: string;
  algorithm: DigestAlgorithm;
  cnonce: string;
  /** nonce count as written (8 hex digits) and as a number */
  nc: string;
  count: number;
  opaque: string | null;
}

const NC = /^[0-9a-fA-F]{8}$/;
const HEX = /^[0-9a-fA-F]+$/;

/**
 * Reads an Authorization value. Missing or improper parameters give
 * MsrpParseError MSRP_ERR_DIGEST with status 400 (RFC 7616 §3.4).
 */
export function readCredentials(value: DigestValue | string): DigestCredentials {
  const bad = (why: string) => createParseError('MSRP_ERR_DIGEST', `Authorization: ${why}`, 400);
  const v = asDigest(value);
  if (v.scheme.toLowerCase() !== 'digest') throw bad(`scheme ${JSON.stringify(v.scheme)} is not Digest`);
  const p = v.params;
  const need = (name: string): string => {
    const x = p.get(name);
    if (x === undefined) throw bad(`${name} is missing`);
    return x;
  };
  if (p.has('username*')) throw bad('username* is not supported');
  if ((p.get('userhash') ?? 'false').toLowerCase() !== 'false') throw bad('userhash is not supported');
  const username = need('username');
  const realm = need('realm');
  const nonce = need('nonce');
  const response = need('response');
  const cnonce = need('cnonce'); // RFC 4976 §9.1: always sent
  const nc = need('nc');
  if (!NC.test(nc)) throw bad('nc is not 8 hex digits');
  const qop = need('qop');
  if (qop.toLowerCase() !== 'auth') throw bad(`qop ${JSON.stringify(qop)} is not auth (RFC 4976 §9.1)`);
  const name = p.get('algorithm');
  const algorithm = name === undefined ? 'MD5' : digestAlgorithm(name);
  if (algorithm === null) throw bad(`algorithm ${JSON.stringify(name)} is not supported`);
  if (!HEX.test(response)) throw bad('response is not hex');
  const count = Number.parseInt(nc, 16);
  if (count === 0) throw bad('nc is 0');
  return {
    username, realm, nonce, uri: p.get('uri') ?? null, response, algorithm, cnonce, nc: nc.toLowerCase(), count,
    opaque: p.get('opaque') ?? null,
  };
}

/** What a server knows of a user: the password, or H(user:realm:password) per hash (RFC 7616 §5.2). */
export interface DigestSecret {
  password?: string;
  ha1?: Partial<Record<DigestHash, string>>;
}

/** A nonce checked by the server: live and counted up, expired or unknown, or a count seen before. */
export type NonceState = 'ok' | 'stale' | 'replay';

/** Checks and records a nonce count (src/relay/nonces.ts NonceStore implements it). */
export interface NonceChecker {
  /** `count` must be above every count seen with `nonce`; records it when so */
  use(nonce: string, count: number): NonceState;
}

/** Options of `verifyAuthorization`. */
export interface VerifyOptions {
  /** our realm: credentials for another are refused */
  realm: string;
  /** the rightmost To-Path URI of the AUTH as written (RFC 4976 §9.1) */
  requestUri: string;
  /** default AUTH */
  method?: string;
  /** algorithms accepted, i.e. those challenged with (default all but MD5-sess) */
  algorithms?: readonly DigestAlgorithm[];
  /** the user's secret, null when unknown; may be async (a database) */
  lookup(username: string, realm: string): DigestSecret | null | Promise<DigestSecret | null>;
  nonces: NonceChecker;
  /** a nonce for Authentication-Info nextnonce, when one should be offered */
  nextnonce?: () => string;
}

/** Why credentials were refused; `reason` is for the log, never for the peer. */
export type DigestFailure = 'malformed' | 'uri' | 'realm' | 'algorithm' | 'unknown-user' | 'no-secret'
  | 'bad-response' | 'stale' | 'replay';

/** Outcome of `verifyAuthorization`. */
export type DigestVerdict =
  | { ok: true; username: string; algorithm: DigestAlgorithm; authenticationInfo: DigestValue }
  | {
    ok: false; reason: DigestFailure; username: string | null;
    /** 400 for malformed credentials; otherwise 401 with a fresh challenge */
    statusCode: 400 | 401;
    /** challenge with stale=true: the password was right (RFC 7616 §3.3) */
    stale: boolean;
    /** the detail of a malformed value */
    message?: string;
  };

const SERVER_ALGORITHMS = DIGEST_ALGORITHMS.filter((a) => a !== 'MD5-sess');

/**
 * Verifies an AUTH's Authorization (RFC 4976 §6.3, RFC 7616 §3.6): realm,
 * algorithm and uri (it must name the rightmost To-Path URI, §3.4.6), then the
 * response against the user's secret, and only for a right response the nonce
 * (expired → stale; count not above the last one → replay), so a wrong guess
 * cannot burn a legitimate client's counts. Success gives the
 * Authentication-Info with rspauth, cnonce, nc and qop (RFC 4976 §9.1).
 */
export async function verifyAuthorization(value: DigestValue | string, options: VerifyOptions): Promise<DigestVerdict> {
  let c: DigestCredentials;
  try {
    c = readCredentials(value);
  } catch (err) {
    return { ok: false, reason: 'malformed', username: null, statusCode: 400, stale: false, message: (err as Error).message };
  }
  const fail = (reason: DigestFailure, statusCode: 400 | 401 = 401, stale = false): DigestVerdict =>
    ({ ok: false, reason, username: c.username, statusCode, stale });
  const uri = c.uri ?? options.requestUri;
  if (c.uri !== null && !sameUri(c.uri, options.requestUri)) return fail('uri', 400);
  if (c.realm !== options.realm) return fail('realm');
  if (!(options.algorithms ?? SERVER_ALGORITHMS).includes(c.algorithm)) return fail('algorithm');
  const secret = await options.lookup(c.username, c.realm);
  if (secret === null) return fail('unknown-user');
  const hash = digestHash(c.algorithm);
  const base = secret.ha1?.[hash] ?? (secret.password !== undefined ? digestHa1(hash, c.username, c.realm, secret.password) : undefined);
  if (base === undefined) return fail('no-secret');
  const ha1 = sessionHa1(c.algorithm, base.toLowerCase(), c.nonce, c.cnonce);
  const expected = digestResponse(c.algorithm, ha1, c.nonce, c.nc, c.cnonce, options.method ?? AUTH_METHOD, uri);
  if (!sameHex(c.response, expected)) return fail('bad-response');
  const state = options.nonces.use(c.nonce, c.count);
  if (state === 'stale') return fail('stale', 401, true);
  if (state === 'replay') return fail('replay');
  const info = new Map<string, string>();
  if (options.nextnonce) info.set('nextnonce', options.nextnonce());
  info.set('rspauth', digestResponse(c.algorithm, ha1, c.nonce, c.nc, c.cnonce, '', uri));
  info.set('cnonce', c.cnonce);
  info.set('nc', c.nc);
  info.set('qop', 'auth');
  return { ok: true, username: c.username, algorithm: c.algorithm, authenticationInfo: { scheme: '', params: info } };
}

/** Whether the uri parameter names the request URI: as written, or as MSRP URIs (RFC 4975 §6.1). */
function sameUri(param: string, requestUri: string): boolean {
  if (param === requestUri) return true;
  try {
    return MsrpUri.parse(param).equals(MsrpUri.parse(requestUri));
  } catch {
    return false;
  }
}

/**
 * The rightmost URI of a To-Path value exactly as written, which the digest
 * hashes (RFC 4976 §9.1): re-serialising a parsed URI could change its text.
 */
export function digestUri(toPathValue: string): string {
  const words = toPathValue.trim().split(/[ \t]+/);
  return words[words.length - 1];
}
