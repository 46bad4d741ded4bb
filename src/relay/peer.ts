/**
 * What the relay knows about one connection: who is at the other end (a
 * client, or a relay that proved itself with a certificate, RFC 4976 §6.1),
 * its probation (a connection with no successful request within 30 s is
 * closed, §6.1), its failed AUTHs (several in a row close a client's
 * connection, §6.3), and the octets of its SEND bodies the relay holds while
 * they wait for their downstream connection: past the forwarding window its
 * reading pauses, so a slow downstream slows the sender instead of filling
 * the relay's memory.
 */
import type net from 'node:net';
import type { Logger } from '../log.ts';
import type { Chunk } from '../protocol/chunk.ts';
import type { MsrpConnection, RequestTarget } from '../transport.ts';
import type { ForwardJob } from './lanes.ts';
import type { Route } from './route.ts';
import type { RelayAddress } from './use-path.ts';

/** Who is at the other end of a connection. */
export type PeerRole = 'client' | 'relay';

/** One connection as the relay sees it. */
export class RelayPeer {
  readonly connection: MsrpConnection;
  readonly role: PeerRole;
  /** a relay's certificate host name (checked against From-Path, RFC 4976 §6.3), null for a client */
  readonly name: string | null;
  /** true for a connection the relay accepted, false for one it opened */
  readonly accepted: boolean;
  /** the listener's address for an accepted connection (its URIs are handed out on it), else null */
  readonly address: RelayAddress | null;
  /** octets of this connection's SEND bodies held by the relay */
  held = 0;
  /** a successful request was made (probation over, RFC 4976 §6.1) */
  proven: boolean;
  /** the request being read and where it goes (set when it is routed, before its handlers run) */
  routed: { chunk: Chunk; route: Route } | null = null;
  /** the SEND chunk whose body is streaming in */
  job: ForwardJob | null = null;
  /** the targets given to this connection's requests, made once (dispatch.ts) */
  targets: { relay: RequestTarget; refuse: RequestTarget } | null = null;
  #failures = 0;
  #bytes = 0;
  #activeAt = Date.now();
  #paused = false;
  #probation: NodeJS.Timeout | null = null;
  readonly #window: number;
  readonly #logger: Logger;

  constructor(init: {
    connection: MsrpConnection; role: PeerRole; name: string | null; address: RelayAddress | null;
    window: number; logger: Logger; probationTimeout?: number;
  }) {
    this.connection = init.connection;
    this.role = init.role;
    this.name = init.name;
    this.address = init.address;
    this.accepted = init.address !== null;
    this.#window = init.window;
    this.#logger = init.logger;
    this.proven = !this.accepted;
    if (this.accepted && init.probationTimeout !== undefined) {
      // RFC 4976 §6.1: "If no successful requests are sent during this probationary period, the server closes the connection."
      this.#probation = setTimeout(() => {
        this.#probation = null;
        if (this.proven || this.connection.closing) return;
        this.#logger.info({ connection: this.connection.label }, 'relay: no successful request within the probation period, closing');
        this.connection.destroy();
      }, init.probationTimeout);
      this.#probation.unref();
    }
  }

  /** A request succeeded (an AUTH granted, a request forwarded): probation is over, failures are forgotten. */
  succeeded(): void {
    this.proven = true;
    this.#failures = 0;
    if (this.#probation !== null) clearTimeout(this.#probation);
    this.#probation = null;
  }

  /**
   * An AUTH failed (credentials refused, or a forwarded AUTH with credentials
   * got a 401 without stale). A client's connection closes after `max` in a
   * row (RFC 4976 §6.3); a relay's never does for this. True when closing.
   */
  authFailed(max: number, user: string | null): boolean {
    this.#failures++;
    if (this.role !== 'client' || this.#failures < max) return false;
    this.#logger.warn({ connection: this.connection.label, user, failures: this.#failures }, 'relay: too many failed AUTHs, closing');
    // the answer already queued goes out first
    this.connection.close();
    return true;
  }

  /** Holds `n` more octets; false when the window is full and reading should pause. */
  hold(n: number): boolean {
    this.held += n;
    if (this.held < this.#window) return true;
    this.#paused = true;
    return false;
  }

  /** `n` held octets went downstream (or were dropped); reading resumes below half the window. */
  release(n: number): void {
    this.held -= n;
    if (this.#paused && this.held <= this.#window / 2) {
      this.#paused = false;
      // never from inside the downstream writer's turn
      queueMicrotask(() => this.connection.resume());
    }
  }

  /** Ms since a byte last went either way on the connection, as of `now` (RFC 4976 §6.5 idle connections). */
  idleFor(now: number): number {
    const socket = this.connection.stream as Partial<net.Socket>;
    const bytes = (socket.bytesRead ?? 0) + (socket.bytesWritten ?? 0);
    if (bytes !== this.#bytes) {
      this.#bytes = bytes;
      this.#activeAt = now;
    }
    return now - this.#activeAt;
  }

  /** Stops the probation timer (the connection closed). */
  dispose(): void {
    if (this.#probation !== null) clearTimeout(this.#probation);
    this.#probation = null;
  }
}
