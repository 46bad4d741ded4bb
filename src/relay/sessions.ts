/**
 * The relay's sessions: one for each Use-Path URI it handed out (RFC 4976
 * §6.3). A session knows its user, the connection toward its client (the one
 * its AUTH came on), and when it expires. Its URI is invalidated at expiry,
 * and, for a client connected directly, when that connection closes ("If the
 * client's connection is closed and then reopened, the URI MUST be
 * invalidated"); a session obtained through a relay over mutual TLS outlives
 * one connection to that relay, since its URI is "valid to route across any
 * connection the relay has to the previous hop relay".
 */
import type { MsrpUri } from '../protocol/uri.ts';
import type { MsrpConnection } from '../transport.ts';
import type { Destination } from './route.ts';
import { UsePathTable } from './use-path.ts';

/** One Use-Path URI handed out. */
export interface RelaySession {
  /** the URI in the Use-Path */
  readonly uri: MsrpUri;
  /** the authenticated user (RFC 4976 §6.3) */
  readonly user: string;
  /** the AUTH's From-Path as written: a refresh from it on the same connection keeps the URI */
  readonly authFromPath: string;
  /** the connection toward the client: the one the AUTH came on */
  readonly connection: MsrpConnection;
  /** the previous-hop relay's certificate name when the AUTH came through a relay, else null */
  readonly viaRelay: string | null;
  /** the AUTH's first From-Path URI: the next hop back toward the client */
  readonly prevHop: MsrpUri;
  /** when the URI stops being valid (ms since the epoch) */
  expiresAt: number;
  /** forwarding lanes of this session by destination, made on first use */
  lanes: Map<string, unknown> | null;
  /** the destination toward the client over `connection`, made on first use */
  back: Destination | null;
}

/** What a session is made from. */
export type SessionInit = Omit<RelaySession, 'expiresAt' | 'lanes' | 'back'>;

/** Why a session ended, for the log. */
export type SessionEnd = 'expired' | 'connection closed' | 'relay closed';

/** Live sessions, by URI, user and connection. */
export class SessionTable {
  readonly #uris = new UsePathTable<RelaySession>();
  readonly #users = new Map<string, number>();
  readonly #byConnection = new Map<MsrpConnection, Set<RelaySession>>();
  readonly #timers = new Map<RelaySession, NodeJS.Timeout>();
  readonly #now: () => number;
  /** called for every session that ends */
  onEnd: (session: RelaySession, why: SessionEnd) => void = () => {};

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Live sessions. */
  get size(): number {
    return this.#uris.size;
  }

  /** Adds a session valid for `seconds`. */
  add(init: SessionInit, seconds: number): RelaySession {
    const session: RelaySession = { ...init, expiresAt: 0, lanes: null, back: null };
    this.#uris.add(session.uri, session);
    this.#users.set(session.user, (this.#users.get(session.user) ?? 0) + 1);
    let set = this.#byConnection.get(session.connection);
    if (set === undefined) this.#byConnection.set(session.connection, set = new Set());
    set.add(session);
    this.extend(session, seconds);
    return session;
  }

  /** Makes `session` valid for `seconds` from now (an AUTH refresh). */
  extend(session: RelaySession, seconds: number): void {
    session.expiresAt = this.#now() + seconds * 1000;
    clearTimeout(this.#timers.get(session));
    // RFC 4976 §6.3: "the relay MUST ensure that the URI is invalidated after the expiry time"
    const timer = setTimeout(() => this.delete(session, 'expired'), seconds * 1000);
    timer.unref();
    this.#timers.set(session, timer);
  }

  /** The live session of a URI handed out (RFC 4975 §6.1 comparison), or undefined. */
  get(uri: MsrpUri): RelaySession | undefined {
    const session = this.#uris.get(uri);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.delete(session, 'expired');
      return undefined;
    }
    return session;
  }

  /** The live session a refresh AUTH renews: same user, same connection, same From-Path. */
  find(connection: MsrpConnection, authFromPath: string, user: string): RelaySession | undefined {
    for (const s of this.#byConnection.get(connection) ?? []) {
      if (s.authFromPath === authFromPath && s.user === user && s.expiresAt > this.#now()) return s;
    }
    return undefined;
  }

  /** Live sessions of `user`. */
  countFor(user: string): number {
    return this.#users.get(user) ?? 0;
  }

  /** Ends a session; false when it had ended already. */
  delete(session: RelaySession, why: SessionEnd): boolean {
    if (!this.#uris.delete(session.uri)) return false;
    clearTimeout(this.#timers.get(session));
    this.#timers.delete(session);
    const n = (this.#users.get(session.user) ?? 1) - 1;
    if (n === 0) this.#users.delete(session.user);
    else this.#users.set(session.user, n);
    // its lanes go with it: jobs in them finish or fail on their own
    session.lanes = null;
    session.back = null;
    const set = this.#byConnection.get(session.connection);
    set?.delete(session);
    if (set?.size === 0) this.#byConnection.delete(session.connection);
    this.onEnd(session, why);
    return true;
  }

  /** The connection closed: its clients' URIs are invalidated (RFC 4976 §6.3); sessions through a relay stay. */
  connectionClosed(connection: MsrpConnection): void {
    const set = this.#byConnection.get(connection);
    if (set === undefined) return;
    for (const s of [...set]) {
      if (s.viaRelay === null) this.delete(s, 'connection closed');
    }
  }

  /** Ends every session. */
  clear(): void {
    for (const set of [...this.#byConnection.values()]) for (const s of [...set]) this.delete(s, 'relay closed');
  }
}
