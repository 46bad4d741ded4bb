/**
 * The AUTH exchange of a relay client (RFC 4976 §5.1) on a connection to its
 * relay: To-Path the relay's URI, From-Path ours; a 401 Digest challenge is
 * answered by DigestClient (qop=auth, nc, cnonce; the digest-uri is the
 * rightmost To-Path URI, §9.1); a 403 is final (§6.3); a 423 is retried once
 * with an Expires inside Min-Expires/Max-Expires (§4.6); Expires is sent only
 * when the settings ask for it; a present Authentication-Info must carry the
 * right rspauth (RFC 7616 §3.5). The 200's Use-Path and Expires are the grant.
 *
 * The grant is refreshed before it expires by a new AUTH on the same
 * connection with the nonce in hand (RFC 7616 §3.6); a relay that answers it
 * with another Use-Path (Kamailio makes a new one per AUTH) is reported with
 * 'path-changed', since the session's SDP path changes with it.
 */
import { EventEmitter } from 'node:events';
import { MsrpConnectError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { Chunk, randomIdent } from '../protocol/chunk.ts';
import { DigestClient, type DigestAuthorization } from '../protocol/digest.ts';
import { formatPath, parseDigest } from '../protocol/headers.ts';
import { isSuccess, StatusCode } from '../protocol/status.ts';
import type { MsrpUri } from '../protocol/uri.ts';
import type { MsrpConnection } from '../transport.ts';
import type { RelayOptions } from './relay-options.ts';

/** AUTH requests in one exchange at most (challenge, stale nonces, one 423) before giving up. */
const MAX_ROUNDS = 6;

/** What a relay granted. */
export interface RelayGrant {
  /** the Use-Path, in To-Path order (RFC 4976 §4.2) */
  usePath: MsrpUri[];
  /** seconds the Use-Path stays valid (the 200's Expires; the asked value when it has none), null when unknown */
  expires: number | null;
  /** the 200 carried an Authentication-Info whose rspauth proved the relay knows the password */
  verified: boolean;
}

/** Events of a RelayAuth. */
export interface RelayAuthEvents {
  /** a refresh was granted a Use-Path other than the one before: the SDP a=path changes (RFC 4976 §5.1) */
  'path-changed': [usePath: MsrpUri[], previous: MsrpUri[]];
  /** a refresh AUTH succeeded */
  refreshed: [grant: RelayGrant];
  /** a refresh AUTH failed: the Use-Path expires when its time is up */
  'refresh-failed': [error: Error];
}

/** What a RelayAuth works with. */
export interface RelayAuthInit {
  connection: MsrpConnection;
  /** our URI: the AUTH From-Path */
  localUri: MsrpUri;
  /** the AUTH To-Path (the relay's URI; RFC 4976 §5.1: relays already authenticated first) */
  toPath: readonly MsrpUri[];
  settings: RelayOptions;
  logger: Logger;
}

/** Delay before refreshing a grant of `expires` seconds: a minute early, at most halfway (ms). */
export function refreshDelay(expires: number): number {
  return Math.max(expires / 2, expires - 60) * 1000;
}

function refused(code: string, message: string, status = 0, cause?: unknown): MsrpConnectError {
  return new MsrpConnectError(code, message, status, cause === undefined ? undefined : { cause });
}

/** See the module comment. */
export class RelayAuth extends EventEmitter<RelayAuthEvents> {
  readonly connection: MsrpConnection;
  readonly localUri: MsrpUri;
  readonly toPath: readonly MsrpUri[];
  readonly #settings: RelayOptions;
  readonly #logger: Logger;
  /** the rightmost To-Path URI as written: the digest-uri (RFC 4976 §9.1) */
  readonly #digestUri: string;
  #digest: DigestClient | null = null;
  #expires: number | undefined;
  #grant: RelayGrant | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(init: RelayAuthInit) {
    super();
    if (init.toPath.length === 0) throw new RangeError('an AUTH needs a To-Path');
    this.connection = init.connection;
    this.localUri = init.localUri;
    this.toPath = [...init.toPath];
    this.#settings = init.settings;
    this.#logger = init.logger;
    this.#digestUri = this.toPath[this.toPath.length - 1].toString();
    this.#expires = init.settings.expires;
    init.connection.once('close', () => this.stop());
  }

  /** The current grant, null before the first 200. */
  get grant(): RelayGrant | null {
    return this.#grant;
  }

  /**
   * Runs the AUTH exchange and, unless `settings.refresh` is false, schedules
   * its refresh. Rejects with MsrpConnectError (MSRP_ERR_RELAY_AUTH,
   * MSRP_ERR_RELAY_CREDENTIALS, MSRP_ERR_RELAY_FORBIDDEN, MSRP_ERR_RELAY_EXPIRES),
   * MsrpError (MSRP_ERR_DIGEST_CHALLENGE, MSRP_ERR_DIGEST_RSPAUTH) or
   * MsrpConnectionError when the connection fails first.
   */
  async authenticate(): Promise<RelayGrant> {
    const grant = await this.#exchange();
    this.#grant = grant;
    this.#schedule();
    return grant;
  }

  /** Stops refreshing (the session ended or the attempt was given up). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    const expires = this.#grant?.expires ?? null;
    if (this.#stopped || this.#settings.refresh === false || expires === null || expires <= 0) return;
    this.#timer = setTimeout(() => void this.#refresh(), refreshDelay(expires));
    // a pending refresh never keeps the process alive on its own
    this.#timer.unref();
  }

  async #refresh(): Promise<void> {
    this.#timer = null;
    if (this.#stopped || this.connection.closing) return;
    const previous = this.#grant as RelayGrant;
    let grant: RelayGrant;
    try {
      grant = await this.#exchange();
    } catch (err) {
      if (this.#stopped) return;
      this.#logger.warn({ relay: this.#digestUri, err: (err as Error).message }, 'msrp relay AUTH refresh failed');
      this.emit('refresh-failed', err as Error);
      return;
    }
    if (this.#stopped) return;
    this.#grant = grant;
    this.emit('refreshed', grant);
    if (formatPath(grant.usePath) !== formatPath(previous.usePath)) {
      this.#logger.info({ relay: this.#digestUri, usePath: formatPath(grant.usePath) }, 'msrp relay granted a new Use-Path');
      this.emit('path-changed', grant.usePath, previous.usePath);
    }
    this.#schedule();
  }

  /** One AUTH exchange: challenges, stale nonces and 423 rounds until a 200 or a final refusal. */
  async #exchange(): Promise<RelayGrant> {
    // a refresh carries credentials at once with the nonce in hand (RFC 7616 §3.6)
    let auth = this.#digest?.authorize(this.#digestUri) ?? null;
    let fresh = false;
    let changedExpires = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const request = this.#request(auth);
      const result = await this.connection.writeChunk(request);
      const response = result.response;
      if (isSuccess(result.code) && response !== null) return this.#granted(response, auth);
      if (result.code === StatusCode.UNAUTHORIZED && response !== null) {
        const challenges = response.getHeaders('WWW-Authenticate');
        const stale = challenges.some(isStale);
        // a 401 to credentials answering a fresh challenge, without stale=true: wrong user name or password
        if (fresh && !stale) {
          throw refused('MSRP_ERR_RELAY_CREDENTIALS', `relay ${this.#digestUri} refused our credentials (401)`, 401);
        }
        auth = await this.#answer(challenges);
        fresh = true;
        continue;
      }
      if (result.code === StatusCode.FORBIDDEN) {
        throw refused('MSRP_ERR_RELAY_FORBIDDEN', `relay ${this.#digestUri} does not allow us to use it (403${comment(result.comment)})`, 403);
      }
      if (result.code === StatusCode.OUT_OF_BOUNDS && response !== null && !changedExpires) {
        const next = this.#boundedExpires(response);
        if (next === null) {
          throw refused('MSRP_ERR_RELAY_EXPIRES', `relay ${this.#digestUri} refused Expires ${this.#expires ?? '(none)'} and named no bound (423)`, 423);
        }
        this.#logger.debug({ relay: this.#digestUri, expires: next }, 'msrp relay AUTH: Expires out of bounds, retrying');
        this.#expires = next;
        changedExpires = true;
        auth = auth === null ? null : this.#digest?.authorize(this.#digestUri) ?? null;
        continue;
      }
      if (result.code === StatusCode.OUT_OF_BOUNDS) {
        throw refused('MSRP_ERR_RELAY_EXPIRES', `relay ${this.#digestUri} refused Expires ${this.#expires ?? '(none)'} again (423)`, 423);
      }
      const what = result.local ? 'no answer in time' : `${result.code}${comment(result.comment)}`;
      throw refused('MSRP_ERR_RELAY_AUTH', `AUTH to ${this.#digestUri} failed: ${what}`, result.code);
    }
    throw refused('MSRP_ERR_RELAY_AUTH', `AUTH to ${this.#digestUri} did not succeed in ${MAX_ROUNDS} rounds`);
  }

  /** An AUTH with To-Path and From-Path first, as strict relays want them (Kamailio). */
  #request(auth: DigestAuthorization | null): Chunk {
    const chunk = new Chunk({ transactionId: randomIdent(), method: 'AUTH' });
    chunk.toPath = this.toPath;
    chunk.fromPath = [this.localUri];
    if (auth !== null) chunk.authorization = auth.value;
    // RFC 4976 §5.1: the client MAY ask for an expiry; only then is Expires sent
    if (this.#expires !== undefined) chunk.expires = this.#expires;
    return chunk;
  }

  /** Answers a 401's challenges (RFC 4976 §5.1) with the configured login. */
  async #answer(challenges: string[]): Promise<DigestAuthorization> {
    const s = this.#settings;
    if (s.username === undefined || s.password === undefined) {
      throw refused('MSRP_ERR_RELAY_AUTH', `relay ${this.#digestUri} asks for credentials (401) and none are configured`, 401);
    }
    if (this.#digest === null) {
      const password = typeof s.password === 'function' ? await s.password() : s.password;
      this.#digest = new DigestClient({ username: s.username, password });
    }
    const auth = this.#digest.answer(challenges, this.#digestUri);
    const realm = auth.value.params.get('realm');
    if (s.realm !== undefined && realm !== s.realm) {
      throw refused('MSRP_ERR_RELAY_AUTH', `relay ${this.#digestUri} challenges for realm ${JSON.stringify(realm)}, not ${JSON.stringify(s.realm)}`, 401);
    }
    return auth;
  }

  /** The Expires to retry a 423 with: raised to Min-Expires or lowered to Max-Expires (RFC 4976 §4.6, §6.3). */
  #boundedExpires(response: Chunk): number | null {
    let min: number | undefined;
    let max: number | undefined;
    try {
      min = response.minExpires;
      max = response.maxExpires;
    } catch {
      return null;
    }
    const asked = this.#expires;
    if (min !== undefined && (asked === undefined || asked < min)) return min;
    if (max !== undefined && (asked === undefined || asked > max)) return max;
    return null;
  }

  #granted(response: Chunk, auth: DigestAuthorization | null): RelayGrant {
    let usePath: MsrpUri[] | undefined;
    let expires: number | undefined;
    try {
      usePath = response.usePath;
      expires = response.expires;
    } catch (err) {
      throw refused('MSRP_ERR_RELAY_AUTH', `the 200 to AUTH from ${this.#digestUri} is malformed: ${(err as Error).message}`, 200, err);
    }
    if (usePath === undefined || usePath.length === 0) {
      throw refused('MSRP_ERR_RELAY_AUTH', `the 200 to AUTH from ${this.#digestUri} has no Use-Path`, 200);
    }
    let verified = false;
    const info = response.getHeader('Authentication-Info');
    if (auth !== null && this.#digest !== null) verified = this.#digest.confirm(info, auth).verified;
    return { usePath, expires: expires ?? this.#expires ?? null, verified };
  }
}

/** A challenge saying the credentials were right but the nonce was not (RFC 7616 §3.3). */
function isStale(challenge: string): boolean {
  try {
    return (parseDigest(challenge).params.get('stale') ?? '').toLowerCase() === 'true';
  } catch {
    return false;
  }
}

function comment(text: string | null): string {
  return text === null || text === '' ? '' : ` ${text}`;
}
