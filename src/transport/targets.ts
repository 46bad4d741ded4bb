/**
 * The contract between a connection and what it delivers requests to (a
 * session's transport, an MsrpServer binding a session, a relay), and the
 * connection's options and events.
 */
import type { FramingEngine, FramingLimits } from '../core/types.ts';
import type { Logger, TrafficLog } from '../log.ts';
import type { Chunk } from '../protocol/chunk.ts';
import type { MsrpUri } from '../protocol/uri.ts';
import type { MsrpConnection } from './connection.ts';
import type { WriterOptions } from './writer.ts';

/** Where accepted requests for one session (or a relay) go. */
export interface RequestTarget {
  /** RFC 4975 §8.6 accept-types (`*`, `type/*`); SEND bodies of other types get 415. Absent: all. */
  readonly acceptTypes?: readonly string[];
  /** methods implemented (default SEND and REPORT); others get 501 */
  readonly methods?: readonly string[];
  /**
   * A SEND chunk with a body: its head (`body` is an empty Buffer, octets follow
   * as onSendBody). Without this handler SEND chunks come whole to onRequest.
   * Return false to pause reading; call `connection.resume()` to go on.
   */
  onSendHead?(chunk: Chunk): boolean | void;
  /** a piece of the body, a view valid only during the call */
  onSendBody?(segment: Buffer, chunk: Chunk): boolean | void;
  /** the end-line: `chunk.continuationFlag` is set */
  onSendEnd?(chunk: Chunk): boolean | void;
  /** the connection ended or broke inside the body of a SEND chunk given to onSendHead */
  onSendTruncated?(chunk: Chunk, error: Error): void;
  /** a whole request: any non-SEND request, and SENDs when onSendHead is absent */
  onRequest(chunk: Chunk): boolean | void;
  /** the connection closed (error null for a clean close) */
  onClose?(error: Error | null): void;
  /**
   * Bodiless SENDs go to onRequest too (a relay forwards them, RFC 4976
   * §6.4.1); otherwise the connection answers them 200 itself, except those
   * ending in `#` (an abort, RFC 4975 §7.1): they come as onSendHead and
   * onSendEnd, or whole to onRequest without onSendHead.
   */
  readonly takesBodilessSend?: boolean;
}

/** What a resolver says about a request for a session this connection does not hold. */
export type Resolution = RequestTarget | 'unknown' | 'elsewhere';

/** Options of a connection. */
export interface ConnectionOptions extends WriterOptions {
  logger?: Logger;
  /** receives every chunk in both directions */
  trafficLog?: TrafficLog | null;
  /** ms a Failure-Report `yes` request waits for its response before a local 408 (default 30000) */
  transactionTimeout?: number;
  /** caps of the framing engine */
  limits?: FramingLimits;
  /** makes the framing engine (default: src/core createFramingEngine) */
  engine?: (limits: FramingLimits) => FramingEngine;
  /** largest SEND body gathered whole for a target without onSendHead (default 1 MiB); larger gets 413 */
  maxWholeChunk?: number;
  /**
   * Finds the target of a request whose To-Path names no session registered
   * here (an MsrpServer binding a new session, a relay forwarding). Without
   * it such requests get 481.
   */
  resolve?: (chunk: Chunk, toPath: MsrpUri[], fromPath: MsrpUri[], connection: MsrpConnection) => Resolution;
  /** delay reading until `start()` (for a caller that attaches targets first) */
  paused?: boolean;
  /**
   * Turn off Nagle's algorithm on a socket (default true): the writer gathers
   * what one turn writes into one write already, and a small request, its
   * response or a REPORT held back for the peer's delayed ACK stalls a
   * pipeline of small messages for tens of ms.
   */
  noDelay?: boolean;
}

/** Events of a connection. */
export interface ConnectionEvents {
  /** the stream closed; `error` is null for a clean close */
  close: [error: Error | null];
  /** the last registered session left */
  idle: [];
  /** a response matched no transaction */
  'unknown-response': [response: Chunk];
}
