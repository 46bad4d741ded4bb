/**
 * Connect tests' plumbing: an acceptor and a connector bound to each other
 * over loopback, and a rejection matcher for MsrpConnectError codes.
 */
import * as assert from 'uvu/assert';
import { AcceptorDirect, ConnectionPool, ConnectorDirect, makeLocalUri, type ConnectOptions } from '../../src/connect/index.ts';
import { MsrpConnectError } from '../../src/errors.ts';
import type { MsrpUri } from '../../src/protocol/uri.ts';
import type { MsrpTransport } from '../../src/transport.ts';

/** A bound pair: `active` made by the connector, `passive` by the acceptor. */
export interface BoundPair {
  active: MsrpTransport;
  passive: MsrpTransport;
  close(): void;
}

/** Binds a ConnectorDirect to an AcceptorDirect listening on `host`. */
export async function bindPair(host = '127.0.0.1', options: { connector?: ConnectOptions; acceptor?: ConnectOptions; scheme?: 'msrp' | 'msrps' } = {}): Promise<BoundPair> {
  const acceptor = new AcceptorDirect({ bindTimeout: 5000, ...options.acceptor });
  const connector = new ConnectorDirect({ pool: new ConnectionPool(), bindTimeout: 5000, connectTimeout: 5000, host, ...options.connector });
  const secure = options.scheme === 'msrps';
  const passivePath = await acceptor.prepare(localUri(host, 0, secure));
  const activePath = await connector.prepare(localUri(host, 0, secure));
  const [active, passive] = await Promise.all([connector.complete(passivePath), acceptor.complete(activePath)]);
  return {
    active, passive,
    close() {
      active.close();
      passive.close();
    },
  };
}

/** A local URI for tests: `host`, `port`, a fresh session id. */
export function localUri(host: string, port: number, secure = false): MsrpUri {
  return makeLocalUri({ host, port, secure });
}

/** Asserts that `promise` rejects with an MsrpConnectError of `code` (and `status` when given). */
export async function rejectsWith(promise: Promise<unknown>, code: string, status?: number): Promise<MsrpConnectError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, MsrpConnectError, `expected MsrpConnectError ${code}, got ${String(err)}`);
    const e = err as MsrpConnectError;
    assert.is(e.code, code, e.message);
    if (status !== undefined) assert.is(e.statusCode, status);
    return e;
  }
  return assert.unreachable(`expected a rejection with ${code}`) as never;
}
