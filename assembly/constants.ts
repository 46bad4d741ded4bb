// The one enum file shared by the core and the TypeScript layers.
// scripts/gen-constants.mjs writes src/core/constants.ts from this file;
// test/core/constants.test.ts fails when the two disagree.

/** Framing error codes written in error event records. */
export const enum ErrorCode {
  OK = 0,
  /** start line is not `MSRP SP transact-id SP (method | status-code [SP comment])` (RFC 4975 §9) */
  START_LINE = 1,
  /** transact-id outside the `ident` rule: 4..32 of ALPHANUM / "." / "-" / "+" / "%" / "=" */
  TRANSACTION_ID = 2,
  /** method token is not an UPALPHA run (RFC 4975 §9 `method = mMETHOD / other-method`) */
  METHOD = 3,
  /** status code is not three digits */
  STATUS_CODE = 4,
  /** a line ended in a bare LF or CR, or contains a control character */
  LINE_ENDING = 5,
  /** header line is not `hname ":" SP hval` */
  HEADER_LINE = 6,
  /** one header line exceeds the header line cap */
  HEADER_LINE_TOO_LONG = 7,
  /** more headers than the header count cap */
  TOO_MANY_HEADERS = 8,
  /** start line plus header block exceeds the header block cap */
  HEAD_TOO_LARGE = 9,
  /** a Byte-Range value does not match `range-start "-" range-end "/" total` (RFC 4975 §9) */
  BYTE_RANGE = 10,
  /** a Status value does not match `namespace SP status-code [SP comment]` */
  STATUS_HEADER = 11,
  /** chunk body exceeds the chunk size cap */
  BODY_TOO_LARGE = 12,
  /** the stream ended inside a chunk */
  TRUNCATED = 13,
}

/** Known header ids, recognised case-insensitively (RFC 4975 §9, RFC 4976 §10, RFC 7701). */
export const enum HeaderId {
  UNKNOWN = 0,
  TO_PATH = 1,
  FROM_PATH = 2,
  MESSAGE_ID = 3,
  SUCCESS_REPORT = 4,
  FAILURE_REPORT = 5,
  BYTE_RANGE = 6,
  STATUS = 7,
  CONTENT_TYPE = 8,
  CONTENT_ID = 9,
  CONTENT_DESCRIPTION = 10,
  CONTENT_DISPOSITION = 11,
  USE_PATH = 12,
  WWW_AUTHENTICATE = 13,
  AUTHORIZATION = 14,
  AUTHENTICATION_INFO = 15,
  EXPIRES = 16,
  MIN_EXPIRES = 17,
  MAX_EXPIRES = 18,
  USE_NICKNAME = 19,
}

/** Continuation flags (RFC 4975 §9 `continuation-flag`). */
export const enum Flag {
  END = 0x24, // '$'
  MORE = 0x2b, // '+'
  ABORT = 0x23, // '#'
}

/** Kinds of the records msrp_feed/msrp_finish write to the event table (assembly/events.ts has the layouts). */
export const enum EventKind {
  NONE = 0,
  /** a chunk's start line and header block (fixed part, then one entry per header) */
  HEAD = 1,
  /** a body segment: offset and length in the input window */
  BODY = 2,
  /** body octets held back from an earlier feed (a cut end-line lookalike), carried in the record */
  HELD = 3,
  /** the end-line: continuation flag */
  END = 4,
  /** a framing error: code, status to answer, fatal, offset, transaction id */
  ERROR = 5,
}

/** What msrp_feed returns. */
export const enum FeedStatus {
  /** every octet of the range was consumed */
  DONE = 0,
  /** the event table filled up: read the events and call again from the consumed position */
  PAUSED = 1,
  /** the slot is not allocated */
  BAD_SLOT = 2,
  /** offset/length fall outside the input window */
  BAD_RANGE = 3,
}
