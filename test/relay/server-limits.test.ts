// MsrpRelay limits and peers: connections, header size, non-SEND bodies
// (RFC 4975 §7.1), idle connections (RFC 4976 §6.5), and connections from
// relays proving themselves with certificates (RFC 4976 §6.1, §6.3, §9.2).
import { once } from 'node:events';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { MsrpConnection } from '../../src/transport.ts';
import { testCertificates } from '../helpers/tls.ts';
import { connectTo, delay, RelayClient, relayedEndpoint, relayedPair, startRelay } from './server-helpers.ts';

const limits = suite('relay server: limits');

limits('connections beyond maxConnections are refused; the others go on', async () => {
  const relay = await startRelay({ maxConnections: 2 });
  try {
    const one = await RelayClient.open(relay.uri);
    const two = await RelayClient.open(relay.uri);
    const three = await connectTo(relay.uri).catch(() => null);
    if (three !== null) await once(three, 'close');
    assert.is(relay.stats().accepted, 2);
    assert.is((await one.auth('alice')).response.code, 200);
    one.close();
    two.close();
  } finally {
    await relay.close();
  }
});

limits('a header block over maxHeadLength gets 400 and the connection goes on; a non-SEND body over 10240 octets gets 413', async () => {
  const relay = await startRelay({ limits: { maxHeadLength: 1024 } });
  try {
    const pair = await relayedPair(relay, { tb: { methods: ['SEND', 'REPORT', 'NICKNAME'] } });
    const big = pair.ta.makeSendRequest({ data: 'x', headers: [['X-Padding', 'p'.repeat(2000)]] });
    assert.is((await pair.ta.writeChunk(big)).code, 400);
    assert.is((await pair.ta.sendMessage({ body: 'still fine' }).outcome).code, 200);
    const fat = pair.ta.makeRequest('NICKNAME', { data: Buffer.alloc(10241, 0x61), contentType: 'text/plain' });
    assert.is((await pair.ta.writeChunk(fat)).code, 413);
    pair.close();
  } finally {
    await relay.close();
  }
});

limits('a connection without a byte either way for idleTimeout is closed; a busy one stays (RFC 4976 §6.5)', async () => {
  const relay = await startRelay({ idleTimeout: 300 });
  try {
    const idle = await relayedEndpoint(relay, 'alice');
    const busy = await relayedEndpoint(relay, 'bob');
    const closed = once(idle.client.connection, 'close');
    const started = Date.now();
    for (let i = 0; i < 8; i++) {
      // a challenge each time: traffic both ways on busy's connection only
      assert.is((await busy.client.request(busy.uri)).code, 401);
      await delay(100);
    }
    await closed;
    assert.ok(Date.now() - started >= 250, 'not before idleTimeout');
    assert.is(busy.client.connection.closed, false);
    busy.client.close();
  } finally {
    await relay.close();
  }
});

limits.run();

const relays = suite('relay server: relays as peers (mutual TLS, RFC 4976 §6.3, §9.2)');

relays('a relay certificate must name the From-Path host of its AUTH (else 403); failed AUTHs do not close a relay\'s connection', async () => {
  const certs = await testCertificates();
  const relay = await startRelay({ maxAuthFailures: 1 });
  try {
    const good = new RelayClient(new MsrpConnection(await connectTo(relay.uri, { cert: certs.server.cert, key: certs.server.key })), relay.uri);
    const asLocalhost = good.newUri().with({ host: 'localhost' });
    assert.is((await good.auth('alice', undefined, { from: asLocalhost })).response.code, 200);
    assert.is((await good.auth('alice', 'wrong')).response.code, 401);
    assert.is((await good.auth('alice', 'wrong')).response.code, 401, 'still open after failures');
    const misnamed = new RelayClient(new MsrpConnection(await connectTo(relay.uri, { cert: certs.wrongName.cert, key: certs.wrongName.key })), relay.uri);
    assert.is((await misnamed.request(misnamed.newUri())).code, 403);
    good.close();
    misnamed.close();
  } finally {
    await relay.close();
  }
});

relays('a client certificate not rooted in a trusted authority closes the connection (RFC 4976 §6.1)', async () => {
  const certs = await testCertificates();
  const relay = await startRelay();
  try {
    const socket = await connectTo(relay.uri, { cert: certs.alice.cert, key: certs.alice.key }).catch(() => null);
    if (socket !== null) {
      const request = new Chunk({ transactionId: randomIdent(), method: 'AUTH', headers: [['To-Path', String(relay.uri)], ['From-Path', 'msrps://127.0.0.1:1/a;tcp']] });
      socket.write(request.encode());
      if (!socket.destroyed) await once(socket, 'close');
    }
    assert.is(relay.stats().accepted, 0);
  } finally {
    await relay.close();
  }
});

relays.run();
