/** Failures to exit codes and sentences (src/cli/exit.ts). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CliError, EXIT, failureOf, UsageError } from '../../src/cli/exit.ts';
import { createParseError, MsrpConnectError, MsrpConnectionError, MsrpError, MsrpStreamError } from '../../src/index.ts';

/** A system error like node's. */
function errno(code: string, message = `${code}: something`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

const map = suite('cli/exit failureOf');

map('each failure kind has its documented code', () => {
  const cases: Array<[unknown, number]> = [
    [new UsageError('bad flag'), EXIT.USAGE],
    [new CliError(EXIT.REFUSED, 'declined'), EXIT.REFUSED],
    [createParseError('MSRP_ERR_SDP', 'no a=path', 0), EXIT.MALFORMED],
    [errno('ENOENT'), EXIT.BAD_PATH],
    [new MsrpError('MSRP_ERR_CREDENTIALS', 'users line 3: bad'), EXIT.BAD_PATH],
    [new MsrpConnectError('MSRP_ERR_RELAY_UNREACHABLE', 'no relay could be reached'), EXIT.UNREACHABLE],
    [new MsrpConnectError('MSRP_ERR_BIND_TIMEOUT', 'no peer bound'), EXIT.UNREACHABLE],
    [errno('ECONNREFUSED'), EXIT.UNREACHABLE],
    [new MsrpConnectError('MSRP_ERR_RELAY_CREDENTIALS', 'refused our credentials (401)', 401), EXIT.AUTH],
    [new MsrpConnectError('MSRP_ERR_TLS_FINGERPRINT', 'certificate does not match'), EXIT.AUTH],
    [new MsrpStreamError('MSRP_ERR_FILE_REFUSED', 'over a=max-size', 413), EXIT.REFUSED],
    [new MsrpStreamError('MSRP_ERR_FILE_HASH', 'sha-1 differs'), EXIT.TRANSFER],
    [new MsrpConnectionError('MSRP_ERR_CONNECTION_LOST', 'the peer closed'), EXIT.TRANSFER],
    [errno('EIO'), EXIT.TRANSFER],
    [new CliError(EXIT.INTERRUPTED, 'interrupted'), 130],
  ];
  for (const [error, code] of cases) assert.is(failureOf(error).exitCode, code, String(error));
});

map('a full disk anywhere in the cause chain is exit 9', () => {
  const inner = errno('ENOSPC', 'ENOSPC: no space left on device, write');
  const f = failureOf(new MsrpStreamError('MSRP_ERR_FILE_INCOMPLETE', 'the file could not be written', 0, { cause: inner }));
  assert.is(f.exitCode, EXIT.DISK_FULL);
  assert.is(f.code, 'ENOSPC');
  assert.match(f.message, /^no space left to write the file \(ENOSPC\)/);
  assert.is(failureOf(errno('EDQUOT')).exitCode, EXIT.DISK_FULL);
});

map('one line per failure; an unknown error is exit 1 with its stack', () => {
  assert.is(failureOf(new MsrpError('MSRP_ERR_X', 'first line.\nsecond line')).message, 'first line');
  const f = failureOf(new TypeError('oops'));
  assert.is(f.exitCode, EXIT.FAILURE);
  assert.match(f.message, /^unexpected failure: TypeError: oops\n    at /);
  assert.is(failureOf('a string').message, 'unexpected failure: a string');
  const looped: Error & { cause?: unknown } = new Error('loop');
  looped.cause = looped;
  assert.is(failureOf(looped).exitCode, EXIT.FAILURE, 'a cause cycle ends');
});

map.run();
