/**
 * MSRP response codes (RFC 4975 §10, RFC 4976 §5 / §10, RFC 7701) with their
 * reason phrases. Codes outside this table are still valid on the wire: any
 * three-digit code, classified by its first digit (RFC 4975 §10).
 */
export const StatusCode = {
  OK: 200,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  REQUEST_TIMEOUT: 408,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  OUT_OF_BOUNDS: 423,
  RECIPIENT_NOT_RESOLVED: 404,
  MALFORMED_NICKNAME: 424,
  NICKNAME_IN_USE: 425,
  PRIVATE_NOT_SUPPORTED: 428,
  NO_SUCH_SESSION: 481,
  NOT_IMPLEMENTED: 501,
  WRONG_CONNECTION: 506,
} as const;

/** Reason phrases, as the RFCs print them. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request', // RFC 4975 §10.2: unintelligible or malformed request
  401: 'Unauthorized', // RFC 4976 §5.1: AUTH challenge
  403: 'Forbidden', // RFC 4975 §10.3
  404: 'Recipient Not Found', // RFC 7701 §10.3: failure to resolve recipient's URI
  408: 'Request Timeout', // RFC 4975 §10.4: generated locally, never sent by endpoints
  413: 'Message Too Large', // RFC 4975 §10.5: stop sending this message
  415: 'Unsupported Media Type', // RFC 4975 §10.6
  423: 'Interval Out-of-Bounds', // RFC 4975 §10.7, used by RFC 4976 for Expires
  424: 'Malformed Nickname', // RFC 7701 §10.3
  425: 'Nickname Reserved Or Already In Use', // RFC 7701 §10.3
  428: 'Private Messages Not Supported', // RFC 7701 §10.3
  481: 'Session Does Not Exist', // RFC 4975 §10.8
  501: 'Not Implemented', // RFC 4975 §10.9: unknown method
  506: 'Wrong Session', // RFC 4975 §10.10: session already bound to another connection
};

/** The reason phrase for `code`, or a generic one from its class. */
export function reasonPhrase(code: number): string {
  const known = REASON_PHRASES[code];
  if (known !== undefined) return known;
  if (code >= 200 && code < 300) return 'Success';
  if (code >= 400 && code < 500) return 'Request Failed';
  if (code >= 500 && code < 600) return 'Server Failure';
  return 'Unknown';
}

/** True for 2xx (RFC 4975 §10: any 2xx is success). */
export function isSuccess(code: number): boolean {
  return code >= 200 && code < 300;
}
