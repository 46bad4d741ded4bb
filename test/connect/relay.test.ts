/**
 * ConnectorRelay and AcceptorRelay against a scripted relay on real sockets:
 * selection by getConnector/getAcceptor, the RFC 4976 §5.1 paths (a=path and
 * To-Path from the Use-Path), one AUTH and one connection per session (§3.1),
 * binding through the relay both ways (early and late), TLS for AUTH.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AcceptorRelay, ConnectorRelay, getAcceptor, getConnector, type RelayOptions } from '../../src/connect/index.ts';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { formatPath } from '../../src/protocol/headers.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import type { MsrpConnection, MsrpTransport } from '../../src/transport.ts';
import { testCertificates } from '../helpers/tls.ts';
import { FakeRelay } from './fake-relay.ts';
import { rejectsWith } from './helpers.ts';

/** Plain-TCP settings for a fake relay. */
function plain(relay: FakeRelay, extra: Partial<RelayOptions> = {}): RelayOptions {
  return { host: '127.0.0.1', port: relay.port, insecure: true, ...extra };
}

/** A peer's a=path: its relay's Use-Path reversed, then its URI. */
const PEER_PATH = [MsrpUri.parse('msrp://relay.peer.test:2855/peerhop;tcp'), MsrpUri.parse('msrp://10.0.0.7:7777/peer;tcp')];

/** The peer's first request as the relay delivers it: To-Path our URI, From-Path the hops back to the peer. */
function deliver(connection: MsrpConnection, to: MsrpUri, fromPath: readonly MsrpUri[], body?: string): Promise<unknown> {
  const chunk = new Chunk({ transactionId: randomIdent(), method: 'SEND', body: body === undefined ? undefined : Buffer.from(body) });
  chunk.toPath = [to];
  chunk.fromPath = fromPath;
  chunk.messageId = randomIdent();
  chunk.byteRange = { start: 1, end: body?.length ?? 0, total: body?.length ?? 0 };
  if (body !== undefined) chunk.setHeader('Content-Type', 'text/plain');
  return connection.writeChunk(chunk);
}

const paths = suite('connect/relay: selection, AUTH request and RFC 4976 §5.1 paths');

paths('getConnector/getAcceptor give the relay classes when relay settings are given; settings are checked', () => {
  assert.instance(getConnector({ relay: { host: 'relay.test' } }), ConnectorRelay);
  assert.instance(getAcceptor({ relay: [{ host: 'a.test' }, { host: 'b.test', port: 2856 }] }), AcceptorRelay);
  assert.throws(() => getConnector({ relay: { host: '' } }), TypeError);
  assert.throws(() => getConnector({ relay: [] }), RangeError);
  assert.throws(() => getConnector({ relay: { host: 'r.test', port: 70000 } }), RangeError);
});

paths('AUTH: To-Path the relay, From-Path ours, nothing else; a=path is the Use-Path reversed then our URI', async () => {
  const relay = await FakeRelay.start({
    onAuth: (request, r) => r.grant(request, { usePath: [MsrpUri.parse('msrp://b.test:9000/hopB;tcp'), MsrpUri.parse('msrp://c.test:9000/hopC;tcp')] }),
  });
  const connector = new ConnectorRelay({ relay: plain(relay) });
  try {
    const path = await connector.prepare();
    const auth = relay.auths[0].chunk;
    assert.equal(auth.headers.map(([name]) => name), ['To-Path', 'From-Path']);
    assert.is(auth.getHeader('To-Path'), `msrp://127.0.0.1:${relay.port};tcp`);
    const local = connector.localUri as MsrpUri;
    assert.is(auth.getHeader('From-Path'), String(local));
    assert.is(local.scheme, 'msrp');
    assert.is(local.port, relay.auths[0].connection.stream.remotePort, 'our URI names the connection\'s local port');
    assert.is(formatPath(path), `msrp://c.test:9000/hopC;tcp msrp://b.test:9000/hopB;tcp ${local}`);
    assert.is(formatPath(connector.localPath ?? []), formatPath(path));
  } finally {
    connector.cancel();
    await relay.close();
  }
});

paths('ConnectorRelay binds with a bodiless SEND whose To-Path is our Use-Path then the peer\'s path', async () => {
  const relay = await FakeRelay.start();
  const connector = new ConnectorRelay({ relay: plain(relay), bindTimeout: 5000 });
  try {
    await connector.prepare();
    const transport = await connector.complete(PEER_PATH);
    const usePath = connector.grant?.usePath ?? [];
    const bind = relay.requests[0].chunk;
    assert.is(bind.method, 'SEND');
    assert.is(bind.body, undefined);
    assert.is(bind.getHeader('To-Path'), formatPath([...usePath, ...PEER_PATH]));
    assert.is(bind.getHeader('From-Path'), String(connector.localUri));
    assert.is(relay.requests[0].connection, relay.auths[0].connection, 'on the AUTH connection (RFC 4976 §6.3)');
    assert.is(formatPath(transport.remotePath), formatPath([...usePath, ...PEER_PATH]));
    transport.close();
  } finally {
    await relay.close();
  }
});

paths('AcceptorRelay: the peer\'s request through the relay binds it, before or after complete(); its From-Path is the way back', async () => {
  const relay = await FakeRelay.start();
  try {
    for (const early of [true, false]) {
      const acceptor = new AcceptorRelay({ relay: plain(relay), bindTimeout: 5000 });
      await acceptor.prepare();
      const usePath = acceptor.grant?.usePath ?? [];
      const conn = relay.auths[relay.auths.length - 1].connection;
      const from = [...usePath, ...PEER_PATH];
      let completing: Promise<MsrpTransport>;
      let answered: Promise<unknown> | null = null;
      if (early) {
        // a bodiless SEND binds and is answered 200 at once (RFC 4975 §5.4)
        const answer = await deliver(conn, acceptor.localUri as MsrpUri, from) as { code: number };
        assert.is(answer.code, 200);
        completing = acceptor.complete(PEER_PATH);
      } else {
        completing = acceptor.complete(PEER_PATH);
        answered = deliver(conn, acceptor.localUri as MsrpUri, from, 'first words');
      }
      const transport = await completing;
      assert.is(formatPath(transport.remotePath), formatPath(from));
      if (!early) {
        const first = await transport.readChunk();
        assert.is(String(first.body), 'first words');
        transport.writeResponse(first, 200);
        assert.is((await answered as { code: number }).code, 200);
      }
      transport.close();
    }
  } finally {
    await relay.close();
  }
});

paths('AcceptorRelay: a request from another peer is refused (481) and complete() times out', async () => {
  const relay = await FakeRelay.start();
  const acceptor = new AcceptorRelay({ relay: plain(relay), bindTimeout: 300 });
  try {
    await acceptor.prepare();
    const waiting = acceptor.complete(PEER_PATH);
    const stranger = [...(acceptor.grant?.usePath ?? []), MsrpUri.parse('msrp://10.9.9.9:1/stranger;tcp')];
    const answer = await deliver(relay.auths[0].connection, acceptor.localUri as MsrpUri, stranger) as { code: number };
    assert.is(answer.code, 481);
    await rejectsWith(waiting, 'MSRP_ERR_BIND_TIMEOUT');
  } finally {
    await relay.close();
  }
});

paths('the relay connection closing before the binding fails complete() at once with MSRP_ERR_BIND', async () => {
  const relay = await FakeRelay.start();
  try {
    for (const make of [() => new AcceptorRelay({ relay: plain(relay), bindTimeout: 60_000 }), () => new ConnectorRelay({ relay: plain(relay), bindTimeout: 60_000 })]) {
      const end = make();
      await end.prepare();
      relay.auths[relay.auths.length - 1].connection.destroy();
      await rejectsWith(end.complete(PEER_PATH), 'MSRP_ERR_BIND');
    }
  } finally {
    await relay.close();
  }
});

paths('one AUTH and one connection per session: two sessions never share a Use-Path (RFC 4976 §3.1)', async () => {
  const relay = await FakeRelay.start();
  const [a, b] = [new ConnectorRelay({ relay: plain(relay) }), new AcceptorRelay({ relay: plain(relay) })];
  try {
    await Promise.all([a.prepare(), b.prepare()]);
    assert.is(relay.auths.length, 2);
    assert.is.not(relay.auths[0].connection, relay.auths[1].connection);
    assert.is.not(String(a.grant?.usePath), String(b.grant?.usePath));
  } finally {
    a.cancel();
    b.cancel();
    await relay.close();
  }
});

paths('cancel() during prepare() rejects with MSRP_ERR_CANCELLED and closes the relay connection', async () => {
  const relay = await FakeRelay.start({ onAuth: () => null });
  const connector = new ConnectorRelay({ relay: plain(relay) });
  try {
    const preparing = connector.prepare();
    await relay.until(() => relay.auths.length === 1);
    connector.cancel();
    await rejectsWith(preparing, 'MSRP_ERR_CANCELLED');
    await relay.until(() => relay.auths[0].connection.closed);
    await rejectsWith(connector.complete(PEER_PATH), 'MSRP_ERR_CANCELLED');
  } finally {
    await relay.close();
  }
});

const secure = suite('connect/relay: AUTH over TLS (RFC 4976 §9.2)');

secure('msrps by default: the relay\'s certificate is verified, our URI is msrps; an unknown CA is MSRP_ERR_RELAY_UNREACHABLE', async () => {
  const certs = await testCertificates();
  const relay = await FakeRelay.start({ tls: certs.server });
  try {
    const connector = new ConnectorRelay({ relay: { host: '127.0.0.1', port: relay.port, tls: { ca: certs.ca.cert } } });
    await connector.prepare();
    assert.is(relay.auths[0].chunk.getHeader('To-Path'), `msrps://127.0.0.1:${relay.port};tcp`);
    assert.is(connector.localUri?.scheme, 'msrps');
    assert.ok(relay.auths[0].connection.secure);
    connector.cancel();
    const untrusted = new ConnectorRelay({ relay: { host: '127.0.0.1', port: relay.port } });
    const e = await rejectsWith(untrusted.prepare(), 'MSRP_ERR_RELAY_UNREACHABLE');
    assert.match(e.message, /certificate/);
  } finally {
    await relay.close();
  }
});

paths.run();
secure.run();
