/**
 * ConnectorDirect and AcceptorDirect over real TCP on 127.0.0.1 and ::1:
 * binding (RFC 4975 §5.4) in both roles, its failures and timeouts, a
 * binding SEND with a payload, one use each, cancel, connection reuse, and
 * two ends that both believe they are active.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { once } from 'node:events';
import { AcceptorDirect, ConnectionPool, ConnectorDirect, getAcceptor, getConnector, MsrpServer } from '../../src/connect/index.ts';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { ChunkParser } from '../../src/protocol/chunk-parser.ts';
import { bindPair, localUri, rejectsWith } from './helpers.ts';
import { until } from '../helpers/until.ts';

const binding = suite('connect: binding a session (RFC 4975 §5.4)');

for (const host of ['127.0.0.1', '::1']) {
  binding(`connector and acceptor bind on ${host} and carry messages both ways`, async () => {
    const pair = await bindPair(host);
    try {
      assert.is(pair.active.remotePath[0].toString(), pair.passive.localUri.toString());
      assert.is(pair.passive.remotePath[0].toString(), pair.active.localUri.toString());
      assert.ok(pair.passive.localUri.port! > 0, 'port 0 was replaced by the real port');
      const sent = pair.active.sendMessage({ body: 'to the passive end' });
      const got = await pair.passive.readChunk();
      assert.is(got.body?.toString(), 'to the passive end');
      pair.passive.writeResponse(got, 200);
      assert.is((await sent.outcome).code, 200);
      const back = pair.passive.sendMessage({ body: 'to the active end' });
      const got2 = await pair.active.readChunk();
      assert.is(got2.body?.toString(), 'to the active end');
      pair.active.writeResponse(got2, 200);
      assert.is((await back.outcome).code, 200);
    } finally {
      pair.close();
    }
  });
}

binding('the binding SEND is bodiless, 1-0/0, Success-Report no', async () => {
  const listener = net.createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const port = (listener.address() as net.AddressInfo).port;
  const seen = new Promise<Chunk>((resolve) => listener.once('connection', (s: net.Socket) => {
    const parser = new ChunkParser({ wholeChunkLimit: 1e6, onChunk: (c) => {
      resolve(c);
      s.write(new Chunk({ transactionId: c.transactionId, code: 200, comment: 'OK', headers: [['To-Path', c.getHeader('From-Path')!], ['From-Path', c.getHeader('To-Path')!]] }).encode());
    } });
    s.on('data', (d: Buffer) => parser.push(d));
  }));
  const connector = new ConnectorDirect({ pool: null, host: '127.0.0.1' });
  const path = await connector.prepare();
  const remote = localUri('127.0.0.1', port);
  const transport = await connector.complete([remote]);
  const send = await seen;
  assert.is(send.method, 'SEND');
  assert.is(send.body, undefined);
  assert.is(send.getHeader('Byte-Range'), '1-0/0');
  assert.is(send.getHeader('Success-Report'), 'no');
  assert.is(send.getHeader('To-Path'), remote.toString());
  assert.is(send.getHeader('From-Path'), path[0].toString());
  assert.is(path[0].port, 9, 'an active end offers the discard port (RFC 6135 §4.2.2)');
  transport.close();
  listener.close();
});

binding('a refused binding rejects with MSRP_ERR_BIND and the status (481 for an unknown session)', async () => {
  const server = await MsrpServer.listen({ listenHost: '127.0.0.1' });
  try {
    const connector = new ConnectorDirect({ pool: null, host: '127.0.0.1' });
    await connector.prepare();
    await rejectsWith(connector.complete([server.makeUri()]), 'MSRP_ERR_BIND', 481);
  } finally {
    await server.close();
  }
});

binding('no listener: MSRP_ERR_CONNECT; a peer that never answers: MSRP_ERR_BIND_TIMEOUT', async () => {
  const closed = net.createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const deadPort = (closed.address() as net.AddressInfo).port;
  closed.close();
  const c1 = new ConnectorDirect({ pool: null, host: '127.0.0.1' });
  await c1.prepare();
  await rejectsWith(c1.complete([localUri('127.0.0.1', deadPort)]), 'MSRP_ERR_CONNECT');

  const silent = net.createServer((s) => s.on('error', () => {}));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const c2 = new ConnectorDirect({ pool: null, host: '127.0.0.1', bindTimeout: 150 });
  await c2.prepare();
  await rejectsWith(c2.complete([localUri('127.0.0.1', (silent.address() as net.AddressInfo).port)]), 'MSRP_ERR_BIND_TIMEOUT');
  silent.close();
});

binding('an acceptor nobody connects to times out with MSRP_ERR_BIND_TIMEOUT and frees its port', async () => {
  const acceptor = new AcceptorDirect({ bindTimeout: 150 });
  const [mine] = await acceptor.prepare(localUri('127.0.0.1', 0));
  await rejectsWith(acceptor.complete([localUri('127.0.0.1', 9)]), 'MSRP_ERR_BIND_TIMEOUT');
  const probe = net.connect(mine.port!, '127.0.0.1');
  const [error] = (await once(probe, 'error')) as [NodeJS.ErrnoException];
  assert.is(error.code, 'ECONNREFUSED');
});

/** A raw client that connects to `port` and writes one SEND to `to` from `from`. */
async function rawSend(port: number, to: string, from: string, body?: string): Promise<{ socket: net.Socket; responses: Chunk[] }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const responses: Chunk[] = [];
  const parser = new ChunkParser({ onChunk: (c) => { responses.push(c); } });
  socket.on('data', (d: Buffer) => parser.push(d));
  const n = body === undefined ? 0 : Buffer.byteLength(body);
  const headers: Array<[string, string]> = [['To-Path', to], ['From-Path', from], ['Message-ID', randomIdent()], ['Byte-Range', `1-${n}/${n}`]];
  if (body !== undefined) headers.push(['Content-Type', 'text/plain']);
  socket.write(new Chunk({ transactionId: randomIdent(), method: 'SEND', headers, body: body === undefined ? undefined : Buffer.from(body) }).encode());
  return { socket, responses };
}

binding('the passive end accepts a binding SEND with a payload and hands the payload on', async () => {
  const acceptor = new AcceptorDirect({ bindTimeout: 5000 });
  const [mine] = await acceptor.prepare(localUri('127.0.0.1', 0));
  const peer = localUri('127.0.0.1', 9);
  const completing = acceptor.complete([peer]);
  const raw = await rawSend(mine.port!, mine.toString(), peer.toString(), 'first words');
  const transport = await completing;
  const chunk = await transport.readChunk();
  assert.is(chunk.body?.toString(), 'first words');
  transport.writeResponse(chunk, 200);
  transport.close();
  raw.socket.destroy();
});

binding('a binding from a peer other than the expected one gets 481; the acceptor keeps waiting', async () => {
  const acceptor = new AcceptorDirect({ bindTimeout: 5000 });
  const [mine] = await acceptor.prepare(localUri('127.0.0.1', 0));
  const peer = localUri('127.0.0.1', 9);
  const completing = acceptor.complete([peer]);
  const intruder = await rawSend(mine.port!, mine.toString(), localUri('127.0.0.1', 9).toString());
  await until(() => intruder.responses.length > 0, 5000, 'a response to the intruder');
  assert.is(intruder.responses[0]?.code, 481);
  const good = await rawSend(mine.port!, mine.toString(), peer.toString());
  const transport = await completing;
  assert.is(transport.remotePath[0].toString(), peer.toString());
  transport.close();
  intruder.socket.destroy();
  good.socket.destroy();
});

const lifecycle = suite('connect: one use, cancel, getConnector/getAcceptor');

lifecycle('prepare and complete each work once (MSRP_ERR_USED)', async () => {
  const connector = new ConnectorDirect({ pool: null });
  await connector.prepare(localUri('127.0.0.1', 0));
  await rejectsWith(connector.prepare(), 'MSRP_ERR_USED');
  const acceptor = new AcceptorDirect();
  await acceptor.prepare(localUri('127.0.0.1', 0));
  await rejectsWith(acceptor.prepare(), 'MSRP_ERR_USED');
  acceptor.cancel();
  await rejectsWith(acceptor.complete([localUri('127.0.0.1', 9)]), 'MSRP_ERR_CANCELLED');
});

lifecycle('cancel() rejects a pending complete() with MSRP_ERR_CANCELLED', async () => {
  const acceptor = new AcceptorDirect({ bindTimeout: 5000 });
  await acceptor.prepare(localUri('127.0.0.1', 0));
  const completing = acceptor.complete([localUri('127.0.0.1', 9)]);
  acceptor.cancel();
  await rejectsWith(completing, 'MSRP_ERR_CANCELLED');

  const silent = net.createServer((s) => s.on('error', () => {}));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const connector = new ConnectorDirect({ pool: null, host: '127.0.0.1' });
  await connector.prepare();
  const connecting = connector.complete([localUri('127.0.0.1', (silent.address() as net.AddressInfo).port)]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  connector.cancel();
  await rejectsWith(connecting, 'MSRP_ERR_CANCELLED');
  silent.close();
});

lifecycle('getConnector/getAcceptor give the direct classes without relay settings (test/connect/relay.test.ts has the relay ones)', () => {
  assert.instance(getConnector(), ConnectorDirect);
  assert.instance(getAcceptor(), AcceptorDirect);
});

const sharing = suite('connect: MsrpServer and connection reuse');

sharing('one server port, many sessions routed by session id; 481 for an unknown one', async () => {
  const server = await MsrpServer.listen({ listenHost: '127.0.0.1', host: '127.0.0.1', bindTimeout: 5000 });
  const pool = new ConnectionPool();
  try {
    const acceptors = [new AcceptorDirect({ server }), new AcceptorDirect({ server })];
    const connectors = [new ConnectorDirect({ pool, host: '127.0.0.1' }), new ConnectorDirect({ pool, host: '127.0.0.1' })];
    const passive = await Promise.all(acceptors.map((a) => a.prepare()));
    assert.is(passive[0][0].port, server.port);
    assert.is(passive[1][0].port, server.port);
    const active = await Promise.all(connectors.map((c) => c.prepare()));
    const [t0, t1, p0, p1] = await Promise.all([
      connectors[0].complete(passive[0]), connectors[1].complete(passive[1]),
      acceptors[0].complete(active[0]), acceptors[1].complete(active[1]),
    ]);
    // RFC 4975 §5.4: the second session reused the first one's connection
    assert.is(t0.connection, t1.connection);
    assert.is(pool.size, 1);
    assert.is(p0.connection, p1.connection);
    t1.sendMessage({ body: 'for session 1' });
    assert.is((await p1.readChunk()).body?.toString(), 'for session 1');
    t0.sendMessage({ body: 'for session 0' });
    assert.is((await p0.readChunk()).body?.toString(), 'for session 0');
    const stranger = await rawSend(server.port, server.makeUri().toString(), localUri('127.0.0.1', 9).toString());
    await until(() => stranger.responses.length > 0, 5000, 'a response to the stranger');
    assert.is(stranger.responses[0]?.code, 481);
    stranger.socket.destroy();
    for (const t of [t0, t1, p0, p1]) t.close();
  } finally {
    await server.close();
  }
});

sharing('a session bound to one connection answers 506 on another', async () => {
  const server = await MsrpServer.listen({ listenHost: '127.0.0.1', host: '127.0.0.1' });
  try {
    const acceptor = new AcceptorDirect({ server });
    const [mine] = await acceptor.prepare();
    const peer = localUri('127.0.0.1', 9);
    const completing = acceptor.complete([peer]);
    const first = await rawSend(server.port, mine.toString(), peer.toString());
    const transport = await completing;
    const second = await rawSend(server.port, mine.toString(), peer.toString());
    await until(() => first.responses.length > 0 && second.responses.length > 0, 5000, 'responses to both bindings');
    assert.is(first.responses[0]?.code, 200);
    assert.is(second.responses[0]?.code, 506);
    transport.close();
    first.socket.destroy();
    second.socket.destroy();
  } finally {
    await server.close();
  }
});

sharing('both ends believing they are active end up bound on one connection', async () => {
  const [sa, sb] = await Promise.all([
    MsrpServer.listen({ listenHost: '127.0.0.1', host: '127.0.0.1' }),
    MsrpServer.listen({ listenHost: '127.0.0.1', host: '127.0.0.1' }),
  ]);
  try {
    const a = new ConnectorDirect({ server: sa, pool: null, bindTimeout: 3000 });
    const b = new ConnectorDirect({ server: sb, pool: null, bindTimeout: 3000 });
    const [pa, pb] = await Promise.all([a.prepare(), b.prepare()]);
    const [ta, tb] = await Promise.all([a.complete(pb), b.complete(pa)]);
    const sockA = ta.connection.stream;
    const sockB = tb.connection.stream;
    assert.is(sockA.localPort, sockB.remotePort, 'the two ends share one connection');
    assert.is(sockA.remotePort, sockB.localPort);
    const m = ta.sendMessage({ body: 'both active' });
    const got = await tb.readChunk();
    assert.is(got.body?.toString(), 'both active');
    tb.writeResponse(got, 200);
    assert.is((await m.outcome).code, 200);
    ta.close();
    tb.close();
  } finally {
    await Promise.all([sa.close(), sb.close()]);
  }
});

binding.run();
lifecycle.run();
sharing.run();
