/**
 * Failure REPORTs a relay sends upstream (RFC 4976 §6.4.1, §6.4.3): when a
 * SEND it answered 200 could not be delivered to the next hop (an error
 * response, a 408 after 30 s without one, or a connection that failed), and
 * the SEND's Failure-Report is `yes` or `partial`, the original sender is
 * told with a REPORT whose Status carries the code, sent back along the
 * SEND's From-Path over the connection it came on.
 */
import { Chunk, randomIdent } from '../protocol/chunk.ts';
import { formatByteRange, formatStatus, type ByteRange, type ReportValue } from '../protocol/headers.ts';
import type { MsrpConnection } from '../transport.ts';

/** What a failure REPORT needs to know of the SEND it reports on. */
export interface ReportTarget {
  /** the SEND's Failure-Report */
  failureReport: ReportValue;
  /** the SEND's From-Path as received: the path back to the sender */
  fromPath: string;
  /** our URI as the SEND's To-Path named it */
  hop: string;
  messageId: string;
}

/** The REPORT for a failed range of a message (RFC 4975 §7.1.2: To-Path, From-Path, Message-ID, Byte-Range, Status). */
export function failureReport(target: ReportTarget, range: ByteRange, code: number, comment: string | null): Chunk {
  return new Chunk({
    transactionId: randomIdent(), method: 'REPORT',
    headers: [
      ['To-Path', target.fromPath], ['From-Path', target.hop], ['Message-ID', target.messageId],
      ['Byte-Range', formatByteRange(range)], ['Status', formatStatus({ namespace: 0, code, comment })],
    ],
  });
}

/**
 * Sends the REPORT when the SEND asked for failure reports; quietly nothing
 * when the upstream connection is gone. True when one was queued.
 */
export function reportFailure(upstream: MsrpConnection, target: ReportTarget, range: ByteRange, code: number,
  comment: string | null): boolean {
  if (target.failureReport === 'no' || upstream.closing) return false;
  upstream.writeChunk(failureReport(target, range, code, comment)).catch(() => {});
  return true;
}
