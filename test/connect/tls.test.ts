/**
 * msrps over real TLS with certificates made at test time: CA trust,
 * verification on by default (unknown CA, wrong name), RFC 8122 fingerprint
 * pinning both ways (the passive end asks for the client certificate), SNI,
 * and IPv6.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type tls from 'node:tls';
import { AcceptorDirect, certificateFingerprint, ConnectionPool, ConnectorDirect, fingerprintMatches, MsrpServer, parseFingerprint } from '../../src/connect/index.ts';
import { MsrpConnectError } from '../../src/errors.ts';
import { testCertificates } from '../helpers/tls.ts';
import { bindPair, localUri, rejectsWith } from './helpers.ts';

const trust = suite('connect/tls: msrps with verification on by default');

trust('a certificate from a trusted CA binds; messages flow both ways over TLS', async () => {
  const certs = await testCertificates();
  const pair = await bindPair('127.0.0.1', {
    scheme: 'msrps',
    acceptor: { tls: { cert: certs.server.cert, key: certs.server.key } },
    connector: { tls: { ca: certs.ca.cert } },
  });
  try {
    assert.ok(pair.active.connection.secure);
    assert.is(pair.passive.localUri.scheme, 'msrps');
    const there = pair.active.sendMessage({ body: 'over tls' });
    const got = await pair.passive.readChunk();
    assert.is(got.body?.toString(), 'over tls');
    pair.passive.writeResponse(got, 200);
    assert.is((await there.outcome).code, 200);
    const back = pair.passive.sendMessage({ body: 'and back' });
    const reply = await pair.active.readChunk();
    assert.is(reply.body?.toString(), 'and back');
    pair.active.writeResponse(reply, 200);
    assert.is((await back.outcome).code, 200);
    assert.ok((pair.active.connection.stream as tls.TLSSocket).authorized);
  } finally {
    pair.close();
  }
});

trust('msrps over IPv6 ::1', async () => {
  const certs = await testCertificates();
  const pair = await bindPair('::1', {
    scheme: 'msrps',
    acceptor: { tls: { cert: certs.server.cert, key: certs.server.key } },
    connector: { tls: { ca: certs.ca.cert } },
  });
  try {
    assert.is(pair.active.connection.stream.remoteAddress, '::1');
  } finally {
    pair.close();
  }
});

trust('an unknown CA or a name the certificate does not carry is refused (MSRP_ERR_CONNECT)', async () => {
  const certs = await testCertificates();
  for (const [server, clientTls] of [
    [certs.server, {}], // Node's CA list does not know the test CA
    [certs.wrongName, { ca: certs.ca.cert }], // RFC 4975 §5.4: SubjectAltName must match the host
  ] as Array<[{ cert: string; key: string }, { ca?: string }]>) {
    const acceptor = new AcceptorDirect({ tls: { cert: server.cert, key: server.key }, bindTimeout: 2000 });
    const passive = await acceptor.prepare(localUri('127.0.0.1', 0, true));
    const connector = new ConnectorDirect({ pool: null, tls: clientTls, host: '127.0.0.1' });
    await connector.prepare(localUri('127.0.0.1', 0, true));
    await rejectsWith(connector.complete(passive), 'MSRP_ERR_CONNECT');
    acceptor.cancel();
  }
});

trust('SNI carries the URI host name', async () => {
  const certs = await testCertificates();
  let sni: string | undefined;
  const server = await MsrpServer.listen({
    listenHost: '::', host: 'localhost',
    tls: { cert: certs.server.cert, key: certs.server.key, extra: { SNICallback: (name, cb) => { sni = name; cb(null, undefined); } } },
  });
  try {
    const acceptor = new AcceptorDirect({ server });
    const passive = await acceptor.prepare();
    assert.is(passive[0].host, 'localhost');
    const connector = new ConnectorDirect({ pool: null, tls: { ca: certs.ca.cert }, host: 'localhost' });
    const active = await connector.prepare(localUri('localhost', 0, true));
    const [t, p] = await Promise.all([connector.complete(passive), acceptor.complete(active)]);
    assert.is(sni, 'localhost');
    t.close();
    p.close();
  } finally {
    await server.close();
  }
});

const pins = suite('connect/tls: a=fingerprint pinning (RFC 8122)');

pins('fingerprints: computed, parsed, matched', async () => {
  const certs = await testCertificates();
  const fp = certificateFingerprint(certs.alice.cert);
  assert.match(fp, /^SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const parsed = parseFingerprint(fp.toLowerCase());
  assert.is(parsed.hash, 'sha-256');
  assert.is(`SHA-256 ${parsed.value}`, fp);
  const der = Buffer.from(certs.alice.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  assert.ok(fingerprintMatches(der, [certificateFingerprint(certs.bob.cert), fp]));
  assert.not.ok(fingerprintMatches(der, certificateFingerprint(certs.bob.cert)));
  assert.ok(fingerprintMatches(der, certificateFingerprint(der, 'sha-1')));
  assert.throws(() => parseFingerprint('MD5 AB:CD'), (e: unknown) => e instanceof MsrpConnectError);
  assert.throws(() => parseFingerprint('SHA-256 ABCD'), (e: unknown) => e instanceof MsrpConnectError);
});

pins('self-signed certificates pinned both ways bind; the passive end checks the client certificate', async () => {
  const certs = await testCertificates();
  const pair = await bindPair('127.0.0.1', {
    scheme: 'msrps',
    acceptor: { tls: { cert: certs.alice.cert, key: certs.alice.key, fingerprint: certificateFingerprint(certs.bob.cert) } },
    connector: { tls: { cert: certs.bob.cert, key: certs.bob.key, fingerprint: certificateFingerprint(certs.alice.cert) } },
  });
  try {
    assert.ok(pair.passive.connection.secure);
    pair.passive.sendMessage({ body: 'pinned', failureReport: 'no' });
    assert.is((await pair.active.readChunk()).body?.toString(), 'pinned');
  } finally {
    pair.close();
  }
});

pins('a server certificate matching no pin: MSRP_ERR_TLS_FINGERPRINT', async () => {
  const certs = await testCertificates();
  const acceptor = new AcceptorDirect({ tls: { cert: certs.alice.cert, key: certs.alice.key }, bindTimeout: 2000 });
  const passive = await acceptor.prepare(localUri('127.0.0.1', 0, true));
  const connector = new ConnectorDirect({ pool: null, host: '127.0.0.1', tls: { fingerprint: certificateFingerprint(certs.bob.cert) } });
  await connector.prepare(localUri('127.0.0.1', 0, true));
  await rejectsWith(connector.complete(passive), 'MSRP_ERR_TLS_FINGERPRINT');
  acceptor.cancel();
});

pins('a client certificate matching no pin: the binding gets 481 and the acceptor keeps waiting', async () => {
  const certs = await testCertificates();
  const acceptor = new AcceptorDirect({
    tls: { cert: certs.alice.cert, key: certs.alice.key, fingerprint: certificateFingerprint(certs.bob.cert) }, bindTimeout: 3000,
  });
  const passive = await acceptor.prepare(localUri('127.0.0.1', 0, true));
  const pinAlice = { fingerprint: certificateFingerprint(certs.alice.cert) };
  // an impostor presenting alice's certificate instead of bob's
  const impostor = new ConnectorDirect({ pool: null, host: '127.0.0.1', tls: { ...pinAlice, cert: certs.alice.cert, key: certs.alice.key } });
  const bob = new ConnectorDirect({ pool: new ConnectionPool(), host: '127.0.0.1', tls: { ...pinAlice, cert: certs.bob.cert, key: certs.bob.key } });
  const bobPath = await bob.prepare(localUri('127.0.0.1', 0, true));
  const accepting = acceptor.complete(bobPath);
  await impostor.prepare(bobPath[0]);
  await rejectsWith(impostor.complete(passive), 'MSRP_ERR_BIND', 481);
  const [t, p] = await Promise.all([bob.complete(passive), accepting]);
  assert.ok(t.connection.secure);
  t.close();
  p.close();
});

pins('a pooled TLS connection is reused only by sessions whose checks it passed (RFC 4975 §5.4)', async () => {
  const certs = await testCertificates();
  const server = await MsrpServer.listen({ listenHost: '127.0.0.1', host: '127.0.0.1', tls: { cert: certs.alice.cert, key: certs.alice.key } });
  const pool = new ConnectionPool();
  try {
    const pinAlice = { fingerprint: certificateFingerprint(certs.alice.cert) };
    const bind = async (tlsOptions: { fingerprint?: string; ca?: string }) => {
      const acceptor = new AcceptorDirect({ server });
      const passive = await acceptor.prepare();
      const connector = new ConnectorDirect({ pool, host: '127.0.0.1', tls: tlsOptions });
      const active = await connector.prepare(localUri('127.0.0.1', 0, true));
      try {
        const [t] = await Promise.all([connector.complete(passive), acceptor.complete(active)]);
        return t;
      } catch (err) {
        // no binding will come: the acceptor's 30 s bind timer would outlive the test
        acceptor.cancel();
        throw err;
      }
    };
    const first = await bind(pinAlice);
    const second = await bind(pinAlice);
    assert.is(second.connection, first.connection, 'same pin: the connection is reused');
    // a session that asks for CA verification does not ride on a connection checked only by pin
    const third = bind({ ca: certs.ca.cert });
    await rejectsWith(third, 'MSRP_ERR_CONNECT');
    assert.is(pool.size, 1);
    first.close();
    second.close();
  } finally {
    await server.close();
  }
});

trust.run();
pins.run();
