/**
 * The `msrp` command's exit codes (the table in README.md, section CLI) and
 * the one place a failure becomes one clear sentence and its code: library
 * errors are told apart by their stable `code` (docs/errors.md), system
 * errors by their errno code, anywhere in the `cause` chain.
 */
import { MsrpError, MsrpParseError } from '../index.ts';

/** Documented exit codes. */
export const EXIT = {
  /** done */
  OK: 0,
  /** an unexpected failure (a bug: the message has the stack) */
  FAILURE: 1,
  /** bad usage: unknown command or flag, bad value, missing argument or password */
  USAGE: 2,
  /** malformed input: MSRP octets (`decode`) or the peer's SDP */
  MALFORMED: 3,
  /** a file or directory named on the command line cannot be used (missing, unreadable, malformed) */
  BAD_PATH: 4,
  /** the relay or the peer cannot be reached, or the peer never connected in time */
  UNREACHABLE: 5,
  /** the relay refused the credentials, or a certificate did not match its fingerprint */
  AUTH: 6,
  /** the peer refused the file or the stream, or the user declined it */
  REFUSED: 7,
  /** the transfer failed: connection lost, size or hash mismatch, the peer ended early */
  TRANSFER: 8,
  /** the disk is full (or over quota): the partial file is removed */
  DISK_FULL: 9,
  /** Ctrl-C (SIGINT) or SIGTERM: 128 + 2 as shells report it */
  INTERRUPTED: 130,
} as const;

/** One of the EXIT values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI states itself: its sentence and exit code (`code` MSRP_ERR_CLI). */
export class CliError extends MsrpError {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super('MSRP_ERR_CLI', message, options);
    this.exitCode = exitCode;
  }
}

/** Bad usage (exit 2): the usage text follows the sentence. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(EXIT.USAGE, message);
  }
}

/** What a failure prints and returns. */
export interface Failure {
  exitCode: ExitCode;
  /** one sentence, without the program name */
  message: string;
  /** the library's or the system's code (MSRP_ERR_*, ENOSPC, ...) when there is one */
  code: string | null;
}

const AUTH_CODES = new Set([
  'MSRP_ERR_RELAY_CREDENTIALS', 'MSRP_ERR_RELAY_FORBIDDEN', 'MSRP_ERR_DIGEST_RSPAUTH', 'MSRP_ERR_DIGEST_CHALLENGE',
  'MSRP_ERR_RELAY_AUTH', 'MSRP_ERR_TLS_FINGERPRINT',
]);
const UNREACHABLE_CODES = new Set([
  'MSRP_ERR_RELAY_UNREACHABLE', 'MSRP_ERR_CONNECT', 'MSRP_ERR_CONNECT_TIMEOUT', 'MSRP_ERR_BIND', 'MSRP_ERR_BIND_TIMEOUT',
  'MSRP_ERR_RELAY_EXPIRES',
]);
const REFUSED_CODES = new Set(['MSRP_ERR_FILE_REFUSED', 'MSRP_ERR_FILE_OFFER']);
const PATH_ERRNOS = new Set(['ENOENT', 'EACCES', 'EPERM', 'ENOTDIR', 'EISDIR', 'EROFS', 'ELOOP', 'ENAMETOOLONG', 'EEXIST']);
const DISK_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EPIPE',
]);

/** The errors of `error`'s cause chain, outermost first (cycles cut). */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = error; e != null && !out.includes(e) && out.length < 10; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

/** The errno-style code of a system error (`ENOSPC`), else null. */
function errnoOf(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : null;
}

/** A message that is one line: the first line of `text`, without a trailing period. */
function oneLine(text: string): string {
  return text.split('\n')[0].replace(/\.$/, '');
}

/**
 * The exit code and sentence for any thrown value. Unknown errors are exit 1
 * with their stack, since they are bugs rather than conditions a user can fix.
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: oneLine(error.message), code: null };
  const all = chain(error);
  for (const e of all) {
    const errno = errnoOf(e);
    if (errno !== null && DISK_ERRNOS.has(errno)) {
      return { exitCode: EXIT.DISK_FULL, message: `no space left to write the file (${errno}): ${oneLine((e as Error).message)}`, code: errno };
    }
  }
  if (error instanceof MsrpParseError) return { exitCode: EXIT.MALFORMED, message: oneLine(error.message), code: error.code };
  if (error instanceof MsrpError) {
    const code = error.code;
    const message = oneLine(error.message);
    if (AUTH_CODES.has(code)) return { exitCode: EXIT.AUTH, message, code };
    if (UNREACHABLE_CODES.has(code)) return { exitCode: EXIT.UNREACHABLE, message, code };
    if (REFUSED_CODES.has(code)) return { exitCode: EXIT.REFUSED, message, code };
    if (code === 'MSRP_ERR_CREDENTIALS') return { exitCode: EXIT.BAD_PATH, message, code };
    if (code === 'MSRP_ERR_SDP') return { exitCode: EXIT.MALFORMED, message, code };
    return { exitCode: EXIT.TRANSFER, message, code };
  }
  const errno = errnoOf(error);
  if (errno !== null && PATH_ERRNOS.has(errno)) return { exitCode: EXIT.BAD_PATH, message: oneLine((error as Error).message), code: errno };
  if (errno !== null && NETWORK_ERRNOS.has(errno)) return { exitCode: EXIT.UNREACHABLE, message: oneLine((error as Error).message), code: errno };
  if (errno !== null) return { exitCode: EXIT.TRANSFER, message: oneLine((error as Error).message), code: errno };
  const text = error instanceof Error ? error.stack ?? error.message : String(error);
  return { exitCode: EXIT.FAILURE, message: `unexpected failure: ${text}`, code: null };
}
