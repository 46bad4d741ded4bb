/**
 * The session's option, event and payload types (src/session.ts re-exports them).
 */
import type { Logger } from '../log.ts';
import type { Chunk } from '../protocol/chunk.ts';
import type { ByteRange, MsrpStatus, ReportValue } from '../protocol/headers.ts';
import type { MsrpSessionError } from '../errors.ts';
import type { IncomingStream } from './incoming-stream.ts';
import type { IncompleteMessage, ReceivedMessage, ReceiverOptions } from './receiver.ts';
import type { SentMessage } from './sent-message.ts';

/** Options of a session. */
export interface MsrpSessionOptions extends ReceiverOptions {
  /** RFC 4975 §8.6 accept-types for incoming SENDs (default: the transport's, or all); others get 415 */
  acceptTypes?: readonly string[];
  /** Success-Report of messages sent (default `no`, RFC 4975 §7.1.1) */
  successReport?: 'yes' | 'no';
  /** Failure-Report of messages sent (default `yes`) */
  failureReport?: ReportValue;
  /** ms to wait for success REPORTs after the last chunk is answered, then `unconfirmed` (default 0: until the session ends) */
  reportTimeout?: number;
  /** messages sent and not yet settled before sendMessage throws MSRP_ERR_QUEUE_FULL (default 4096) */
  maxPendingMessages?: number;
  /** ms between keepalive SENDs (bodiless, Success-Report no; default 60000 as msrplib; 0 turns it off) */
  keepalive?: number;
  logger?: Logger;
}

/** Options of one sendMessage call. */
export interface SendOptions {
  /** default: a fresh random Message-ID (80 bits, RFC 4975 §7.1.1) */
  messageId?: string;
  successReport?: 'yes' | 'no';
  failureReport?: ReportValue;
  /** octets of a Readable body, when known: sent as the Byte-Range total */
  size?: number;
  /** more headers for every chunk (Content-Disposition, Content-Description, ...) */
  headers?: Array<[name: string, value: string]>;
  /** 0-based offset to resume from (RFC 4975 §5.4 after a broken connection) */
  offset?: number;
  /** overrides the session's reportTimeout for this message */
  reportTimeout?: number;
}

/** A REPORT received (the 'report' event). */
export interface IncomingReport {
  messageId: string;
  /** the Status header (namespace 000: an MSRP response code, RFC 4975 §7.3.2) */
  status: MsrpStatus;
  byteRange: ByteRange | null;
  /** the message it reports on when this session sent it and it is still pending; null otherwise (then it is ignored, RFC 4975 §7.1.2) */
  message: SentMessage | null;
  chunk: Chunk;
}

/** Events of a session. */
export interface MsrpSessionEvents {
  /** a complete message no larger than inlineLimit */
  message: [message: ReceivedMessage];
  /** a larger message, as a Readable: consume it (or destroy it to refuse the rest with 413) */
  incoming: [stream: IncomingStream];
  /** an incoming message that will not complete: aborted by its sender, refused, expired, or cut by the end of the session */
  incomplete: [message: IncompleteMessage];
  /** a REPORT (RFC 4975 §7.1.2) */
  report: [report: IncomingReport];
  /** a request of another method listed in the transport's methods: answer it with respond() */
  request: [chunk: Chunk];
  /** an error response to a Failure-Report `partial` chunk or message after it was settled as written (RFC 4975 §7.1.4) */
  'late-response': [response: Chunk, messageId: string | null];
  /** pending messages fell below maxPendingMessages after reaching it (`writable` is true again) */
  drain: [];
  /** the session failed (a failure REPORT, RFC 4975 §7.3.2; a 481 response, §10.8; a keepalive timed out); it closes next */
  failed: [error: MsrpSessionError];
  /** the session closed; `error` when its connection failed or the session failed */
  close: [error: Error | null];
}
