/**
 * Helpers shared by the stream helper tests: RFC vectors as text and the body
 * of an RFC MSRP example, cut by its end-line (never by Byte-Range, which the
 * RFC examples often get wrong; see test/vectors/rfc/README.md).
 */
import * as assert from 'uvu/assert';
import { MsrpParseError } from '../../src/errors.ts';
import { rfc } from '../vectors/rfc-vectors.ts';

/** A vector as a string. */
export function rfcText(file: string): string {
  return rfc(file).toString('utf8');
}

/** The body of an MSRP request vector: from after the blank line to the CRLF before the end-line. */
export function msrpBody(file: string): Buffer {
  const bytes = rfc(file);
  const text = bytes.toString('latin1');
  const transactionId = text.split(' ', 2)[1];
  const start = text.indexOf('\r\n\r\n') + 4;
  const end = text.lastIndexOf(`\r\n-------${transactionId}`);
  if (start < 4 || end < start) throw new Error(`${file}: no body`);
  return bytes.subarray(start, end);
}

/**
 * Asserts that `fn` throws MsrpParseError with `code` whose message includes
 * `part` (and, when given, carries `statusCode`).
 */
export function rejectsWith(fn: () => unknown, code: string, part: string, statusCode?: number): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, MsrpParseError, part);
    const e = err as MsrpParseError;
    assert.is(e.code, code, e.message);
    if (statusCode !== undefined) assert.is(e.statusCode, statusCode);
    assert.ok(e.message.includes(part), `${e.message} lacks ${part}`);
    return;
  }
  assert.unreachable(`did not throw: ${part}`);
}
