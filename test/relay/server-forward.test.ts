// MsrpRelay forwarding (RFC 4976 §6.4) over real TLS sockets between two
// endpoints that AUTHed by hand: byte-exact bodies both ways, the path
// rewrite, new transaction ids, REPORTs and other methods end to end, and
// what the relay refuses or drops.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TrafficRecord } from '../../src/log.ts';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { formatPath } from '../../src/protocol/headers.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { localPath, toPathToPeer } from '../../src/relay/use-path.ts';
import { MsrpTransport } from '../../src/transport.ts';
import { delay, receiver, RelayClient, relayedEndpoint, relayedPair, startRelay, transportTo, until } from './server-helpers.ts';

/** A body with octets that look like MSRP framing, to show nothing is interpreted. */
function trickyBody(size: number): Buffer {
  const b = randomBytes(size);
  const marks = Buffer.from('\r\n-------abcd$\r\nMSRP x SEND\r\n\r\n');
  for (let at = 0; at + marks.length < size; at += 4099) marks.copy(b, at);
  return b;
}

const both = suite('relay server: forwarding both ways (RFC 4976 §6.4.1)');

both('bodies of many sizes arrive byte-exact A -> B and B -> A, with new transaction ids and the §6.4 paths', async () => {
  const relay = await startRelay();
  const pair = await relayedPair(relay);
  try {
    const ra = receiver(pair.ta);
    const rb = receiver(pair.tb);
    for (const size of [0, 1, 2048, 2049, 70_000, 1_000_000]) {
      const body = trickyBody(size);
      const sentIds: string[] = [];
      const m = pair.ta.sendMessage({ body, contentType: 'application/octet-stream' });
      m.on('chunk', (c) => sentIds.push(c.transactionId));
      const got = await rb.next();
      assert.ok(got.body.equals(body), `A -> B ${size} octets`);
      assert.is((await m.outcome).code, 200);
      const first = got.chunks[0];
      assert.is(first.getHeader('To-Path'), String(pair.b.uri));
      assert.is(formatPath(first.fromPath as MsrpUri[]), formatPath(toPathToPeer(pair.b.usePath, localPath(pair.a.usePath, pair.a.uri))));
      for (const c of got.chunks) assert.not.ok(sentIds.includes(c.transactionId), 'a new transaction id (RFC 4976 §6.4)');
      const back = trickyBody(size);
      pair.tb.sendMessage({ body: back, contentType: 'application/octet-stream' });
      assert.ok((await ra.next()).body.equals(back), `B -> A ${size} octets`);
    }
    assert.is(relay.stats().heldBytes, 0);
  } finally {
    pair.close();
    await relay.close();
  }
});

both('a message in several chunks (+, then $) keeps its chunks in order and its Byte-Ranges', async () => {
  const relay = await startRelay();
  const pair = await relayedPair(relay);
  try {
    const rb = receiver(pair.tb);
    const messageId = randomIdent();
    const whole = randomBytes(30_000);
    const pieces = [[0, 10_000], [10_000, 20_000], [20_000, 30_000]] as const;
    for (const [i, [from, to]] of pieces.entries()) {
      const chunk = pair.ta.makeChunk({
        messageId, data: whole.subarray(from, to), start: from + 1, end: to, length: 30_000,
        continuationFlag: i === pieces.length - 1 ? '$' : '+', contentType: 'application/octet-stream',
      });
      assert.is((await pair.ta.writeChunk(chunk)).code, 200);
    }
    const got = await rb.next();
    assert.ok(got.body.equals(whole));
    const starts = got.chunks.map((c) => c.byteRange?.start);
    assert.equal(starts, [...starts].sort((x, y) => (x as number) - (y as number)), 'in order');
    assert.is(got.chunks.at(-1)?.continuationFlag, '$');
  } finally {
    pair.close();
    await relay.close();
  }
});

both.run();

const endToEnd = suite('relay server: REPORTs and other methods end to end (RFC 4976 §6.4.2, §6.4.3)');

endToEnd('a success REPORT from B reaches A along the From-Path; nobody answers it', async () => {
  const relay = await startRelay();
  const pair = await relayedPair(relay);
  try {
    const rb = receiver(pair.tb);
    const m = pair.ta.sendMessage({ body: 'report me', successReport: 'yes' });
    const got = await rb.next();
    const unknown: Chunk[] = [];
    pair.b.client.connection.on('unknown-response', (r) => unknown.push(r));
    const report = pair.tb.makeRequest('REPORT', {
      messageId: got.messageId, start: 1, end: 9, length: 9, status: { namespace: 0, code: 200, comment: 'OK' },
    });
    assert.is((await pair.tb.writeChunk(report)).code, 0, 'a REPORT waits for nothing');
    const atA = await pair.ta.readChunk();
    assert.is(atA.method, 'REPORT');
    assert.is(atA.messageId, got.messageId);
    assert.is(atA.getHeader('To-Path'), String(pair.a.uri));
    assert.is(formatPath(atA.fromPath as MsrpUri[]), formatPath(toPathToPeer(pair.a.usePath, pair.b.path)));
    assert.is((await m.outcome).code, 200);
    await delay(200);
    assert.is(unknown.length, 0, 'no response to the REPORT');
  } finally {
    pair.close();
    await relay.close();
  }
});

endToEnd('an unknown method is forwarded like a REPORT and its response comes back; refused with 501 when so configured', async () => {
  for (const unknownMethods of ['forward', 'refuse'] as const) {
    const relay = await startRelay({ unknownMethods });
    const pair = await relayedPair(relay, { tb: { methods: ['SEND', 'REPORT', 'NICKNAME'] } });
    try {
      const request = pair.ta.makeRequest('NICKNAME', { headers: [['Use-Nickname', '"alice"']] });
      const answered = pair.ta.writeChunk(request);
      if (unknownMethods === 'refuse') {
        assert.is((await answered).code, 501);
        continue;
      }
      const atB = await pair.tb.readChunk();
      assert.is(atB.method, 'NICKNAME');
      assert.is(atB.getHeader('Use-Nickname'), '"alice"');
      assert.not.equal(atB.transactionId, request.transactionId);
      pair.tb.writeResponse(atB, 200);
      const result = await answered;
      assert.is(result.code, 200);
      assert.is(result.response?.getHeader('To-Path'), String(pair.a.uri));
    } finally {
      pair.close();
      await relay.close();
    }
  }
});

endToEnd('a bodiless SEND is forwarded (a binding through relays), answered 200 hop by hop', async () => {
  const relay = await startRelay();
  const traffic: TrafficRecord[] = [];
  try {
    const a = await relayedEndpoint(relay, 'alice');
    const b = await relayedEndpoint(relay, 'bob', { trafficLog: (r) => traffic.push(r) });
    const ta = transportTo(a, b.path);
    transportTo(b, a.path);
    const bodiless = ta.makeChunk({ method: 'SEND' });
    assert.is((await ta.writeChunk(bodiless)).code, 200);
    await until(() => traffic.some((r) => r.direction === 'in' && r.head.includes(' SEND\r\n') && r.bodyLength === -1), 3000, 'the bodiless SEND at B');
    a.client.close();
    b.client.close();
  } finally {
    await relay.close();
  }
});

endToEnd.run();

const refused = suite('relay server: requests the relay does not forward (RFC 4976 §6.2, §6.3, §9.4)');

refused('a URI of ours with an unknown session: discarded, 403; a To-Path not naming this relay: connection dropped', async () => {
  const relay = await startRelay();
  try {
    const a = await relayedEndpoint(relay, 'alice');
    const bogus = relay.uri.with({ sessionId: 'notAsessionWeGaveOut' });
    const t = new MsrpTransport(a.client.connection, a.uri, [bogus, MsrpUri.parse('msrps://127.0.0.1:9/x;tcp')], { closeConnection: false });
    assert.is((await t.sendMessage({ body: 'x'.repeat(5000) }).outcome).code, 403);
    assert.is(a.client.connection.closed, false);
    const foreign = new MsrpTransport(a.client.connection, a.client.newUri(), [MsrpUri.parse('msrps://elsewhere.invalid:2855/abc;tcp'), bogus], { closeConnection: false });
    const closed = once(a.client.connection, 'close');
    foreign.sendMessage({ body: 'x' });
    await closed;
  } finally {
    await relay.close();
  }
});

refused('a request from anyone but the client goes only to the client, whatever its To-Path says next', async () => {
  const relay = await startRelay();
  try {
    const traffic: TrafficRecord[] = [];
    const b = await relayedEndpoint(relay, 'bob', { trafficLog: (r) => traffic.push(r) });
    const stranger = await RelayClient.open(relay.uri);
    const victim = 'msrps://victim.invalid:2855/v;tcp';
    const t = new MsrpTransport(stranger.connection, stranger.newUri(), [b.usePath[0], MsrpUri.parse(victim)], { closeConnection: false });
    const outcome = await t.sendMessage({ body: 'hello' }).outcome;
    assert.is(outcome.code, 200, 'the relay answers hop by hop');
    await until(() => traffic.some((r) => r.direction === 'in' && r.head.includes(`To-Path: ${victim}`)), 3000, 'the request at B');
    // B answers 481 (the To-Path is not its URI), so the relay reports the failure to the sender
    const report = await t.readChunk();
    assert.is(report.method, 'REPORT');
    assert.is(report.status?.code, 481);
    assert.is(report.getHeader('From-Path'), String(b.usePath[0]));
    stranger.close();
    b.client.close();
  } finally {
    await relay.close();
  }
});

refused.run();
