/**
 * Error classes. Every error the library raises is an MsrpError with a stable
 * `code`; protocol errors also carry the MSRP status a peer should be answered
 * with. See docs/errors.md for the list of codes.
 */

/** Base class: a stable `code` string (`MSRP_ERR_*`). */
export class MsrpError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Malformed input. `statusCode` is the MSRP response to send (RFC 4975 §10),
 * 0 when none can be sent; `fatal` means framing is lost and the connection
 * must be closed; `offset` is the stream offset where it was detected.
 */
export class MsrpParseError extends MsrpError {
  readonly statusCode: number;
  readonly fatal: boolean;
  readonly offset: number;
  readonly transactionId: string | null;
  constructor(code: string, message: string, statusCode: number, fatal: boolean, offset = -1,
    transactionId: string | null = null) {
    super(code, message);
    this.statusCode = statusCode;
    this.fatal = fatal;
    this.offset = offset;
    this.transactionId = transactionId;
  }
}

/** Builds an MsrpParseError: the one place parse errors are made. */
export function createParseError(code: string, message: string, statusCode: number,
  fatal = false, offset = -1, transactionId: string | null = null): MsrpParseError {
  return new MsrpParseError(code, message, statusCode, fatal, offset, transactionId);
}

/** A URI that does not follow RFC 4975 §9 `MSRP-URI`; `index` is where parsing failed. */
export class MsrpUriError extends MsrpError {
  readonly input: string;
  readonly index: number;
  constructor(message: string, input: string, index: number) {
    super('MSRP_ERR_URI', `${message} at index ${index} in ${JSON.stringify(input)}`);
    this.input = input;
    this.index = index;
  }
}

/**
 * A connection failed or closed under pending work: `code` says how
 * (MSRP_ERR_CONNECTION_CLOSED, MSRP_ERR_CONNECTION_LOST, MSRP_ERR_FRAMING_LOST, MSRP_ERR_WRITE).
 */
export class MsrpConnectionError extends MsrpError {}

/**
 * Connecting, listening, TLS verification or binding a session to a connection
 * failed (RFC 4975 §5.4): MSRP_ERR_CONNECT, MSRP_ERR_CONNECT_TIMEOUT, MSRP_ERR_BIND,
 * MSRP_ERR_BIND_TIMEOUT, MSRP_ERR_TLS_FINGERPRINT, MSRP_ERR_CANCELLED, MSRP_ERR_USED.
 * `statusCode` is the response that refused the binding, 0 when there was none.
 */
export class MsrpConnectError extends MsrpError {
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode = 0, options?: { cause?: unknown }) {
    super(code, message, options);
    this.statusCode = statusCode;
  }
}

/**
 * A session-level failure (MsrpSession): MSRP_ERR_SESSION_CLOSED (the session
 * was shut down or closed under pending work), MSRP_ERR_SESSION_FAILED (a
 * failure REPORT or a dead peer failed the session, RFC 4975 §7.3.2),
 * MSRP_ERR_QUEUE_FULL, MSRP_ERR_MESSAGE_ABORTED, MSRP_ERR_MESSAGE_INCOMPLETE,
 * MSRP_ERR_MESSAGE_REORDER (incoming messages). `statusCode` is the MSRP code
 * behind it, 0 when none.
 */
export class MsrpSessionError extends MsrpError {
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode = 0, options?: { cause?: unknown }) {
    super(code, message, options);
    this.statusCode = statusCode;
  }
}

/**
 * A media stream (ChatStream, FileTransferStream, DesktopSharingStream, in
 * src/streams/) refused a call or failed: MSRP_ERR_STREAM_STATE (a lifecycle
 * call out of order), MSRP_ERR_STREAM_FAILED, MSRP_ERR_FILE_* (file transfer).
 * `statusCode` is the MSRP code behind it, 0 when none. See docs/errors.md.
 */
export class MsrpStreamError extends MsrpError {
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode = 0, options?: { cause?: unknown }) {
    super(code, message, options);
    this.statusCode = statusCode;
  }
}

/** A ChatStream call with bad arguments (MSRP_ERR_CHAT_*), or a NICKNAME the peer refused (statusCode 424/425/403). */
export class MsrpChatError extends MsrpStreamError {}
