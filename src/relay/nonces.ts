/**
 * Server nonces for digest AUTH (RFC 7616 §3.3, §5.4, §5.5): unguessable,
 * valid for a limited time, and counted, so a captured Authorization cannot
 * be replayed — each use must carry a nonce count above every count seen
 * with that nonce (RFC 7616 §3.4 `nc`).
 *
 * Memory is bounded: at most `maxLive` nonces are remembered, the oldest is
 * forgotten first, and expired ones are dropped lazily whenever a nonce is
 * issued (no timer to release). A forgotten or expired nonce is "stale": a
 * client whose password was right is told so with stale=true and retries
 * with a fresh nonce, without asking its user again.
 */
import { randomBytes } from 'node:crypto';
import type { NonceChecker, NonceState } from '../protocol/digest.ts';

/** Options of a NonceStore. */
export interface NonceStoreOptions {
  /** how long a nonce may be used, in seconds (default 300) */
  lifetime?: number;
  /** most nonces remembered at once (default 10000) */
  maxLive?: number;
  /** the clock in milliseconds (default Date.now), replaceable in tests */
  now?: () => number;
}

interface Entry {
  expires: number;
  /** the highest nonce count accepted, 0 before the first use */
  count: number;
}

/** Default nonce lifetime in seconds. */
export const DEFAULT_NONCE_LIFETIME = 300;

/** Default cap on remembered nonces. */
export const DEFAULT_MAX_NONCES = 10000;

/** Issues and checks nonces; see the module comment. */
export class NonceStore implements NonceChecker {
  private readonly lifetimeMs: number;
  private readonly maxLive: number;
  private readonly now: () => number;
  // insertion order is issue order, and every nonce lives equally long, so the
  // first entries are always the first to expire
  private readonly live = new Map<string, Entry>();

  constructor(options: NonceStoreOptions = {}) {
    const lifetime = options.lifetime ?? DEFAULT_NONCE_LIFETIME;
    const maxLive = options.maxLive ?? DEFAULT_MAX_NONCES;
    if (!(lifetime > 0)) throw new RangeError('nonce lifetime must be above 0 seconds');
    if (!Number.isInteger(maxLive) || maxLive < 1) throw new RangeError('maxLive must be a positive integer');
    this.lifetimeMs = lifetime * 1000;
    this.maxLive = maxLive;
    this.now = options.now ?? Date.now;
  }

  /** How many nonces are remembered. */
  get size(): number {
    return this.live.size;
  }

  /** A fresh nonce: 144 random bits, base64url (valid in a quoted-string). */
  issue(): string {
    this.sweep();
    while (this.live.size >= this.maxLive) this.live.delete(this.live.keys().next().value as string);
    const nonce = randomBytes(18).toString('base64url');
    this.live.set(nonce, { expires: this.now() + this.lifetimeMs, count: 0 });
    return nonce;
  }

  /**
   * Records a use of `nonce` with nonce count `count`: 'ok' when the nonce is
   * live and `count` is above every count seen with it; 'replay' when it is
   * not; 'stale' when the nonce expired, was forgotten or was never issued.
   */
  use(nonce: string, count: number): NonceState {
    const entry = this.live.get(nonce);
    if (entry === undefined) return 'stale';
    if (this.now() >= entry.expires) {
      this.live.delete(nonce);
      return 'stale';
    }
    if (!(count > entry.count)) return 'replay';
    entry.count = count;
    return 'ok';
  }

  /** Forgets a nonce (for one-time nonces, RFC 7616 §5.4). */
  revoke(nonce: string): void {
    this.live.delete(nonce);
  }

  /** Drops the expired nonces. */
  sweep(): void {
    const now = this.now();
    for (const [nonce, entry] of this.live) {
      if (entry.expires > now) break;
      this.live.delete(nonce);
    }
  }
}
