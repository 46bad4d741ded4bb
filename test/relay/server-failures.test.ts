// MsrpRelay toward a next hop it has to connect to (RFC 4976 §6.4.1, §6.4.3):
// mutual TLS, and the failure REPORTs it owes the sender when the next hop
// answers with an error, never answers (408), cannot be reached or goes away,
// as the SEND's Failure-Report asks.
import net from 'node:net';
import tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Chunk } from '../../src/protocol/chunk.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import type { MsrpRelay } from '../../src/relay/relay.ts';
import { MsrpConnection } from '../../src/transport.ts';
import { testCertificates } from '../helpers/tls.ts';
import { relayedEndpoint, startRelay, transportTo, until } from './server-helpers.ts';

/** What the fake next hop does with each request. */
type Behaviour = (request: Chunk, connection: MsrpConnection) => void;

/** A next hop on 127.0.0.1 that wants a client certificate (a relay, RFC 4976 §9.2) and records what it saw. */
async function fakeHop(behaviour: Behaviour, secure = true) {
  const certs = await testCertificates();
  const seen: Chunk[] = [];
  const clientNames: string[] = [];
  const onSocket = (socket: net.Socket): void => {
    socket.on('error', () => {});
    if (socket instanceof tls.TLSSocket) clientNames.push(String(socket.getPeerCertificate().subject?.CN));
    const connection: MsrpConnection = new MsrpConnection(socket, {
      resolve: () => ({ methods: ['SEND', 'REPORT'], onRequest: (c: Chunk) => { seen.push(c); behaviour(c, connection); } }),
    });
  };
  const server = secure
    ? tls.createServer({ cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert, requestCert: true, rejectUnauthorized: true }, onSocket)
    : net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    uri: MsrpUri.parse(`${secure ? 'msrps' : 'msrp'}://127.0.0.1:${port}/nexthop;tcp`),
    seen, clientNames,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Alice through the relay toward `next`, with the REPORTs she gets. */
async function toward(relay: MsrpRelay, next: MsrpUri) {
  const a = await relayedEndpoint(relay, 'alice');
  const t = transportTo(a, [next]);
  const reports: Chunk[] = [];
  t.setHandler({ onRequest: (c) => { reports.push(c); } });
  /** The next REPORT, or null when none comes within `ms`. */
  const report = async (ms = 3000): Promise<Chunk | null> => {
    try {
      await until(() => reports.length > 0, ms);
    } catch {
      return null;
    }
    return reports.shift() as Chunk;
  };
  return { a, t, report };
}

const failures = suite('relay server: failures downstream become REPORTs upstream (RFC 4976 §6.4.1)');

failures('a next hop reached over mutual TLS; its 200s give no REPORT, its error gives a REPORT with its code', async () => {
  let code = 200;
  const hop = await fakeHop((c, conn) => conn.writeResponse(c, code));
  const relay = await startRelay();
  const { a, t, report } = await toward(relay, hop.uri);
  try {
    assert.is((await t.sendMessage({ body: 'fine' }).outcome).code, 200);
    await until(() => hop.seen.length === 1, 3000, 'the SEND at the next hop');
    assert.equal(hop.clientNames, ['localhost'], 'the relay presented its certificate');
    assert.is(await report(300), null);
    code = 413;
    const m = t.sendMessage({ body: 'too big for it' });
    assert.is((await m.outcome).code, 200, 'hop by hop, the relay received it');
    const r = await report();
    assert.is(r?.method, 'REPORT');
    assert.is(r?.status?.code, 413);
    assert.is(r?.messageId, m.messageId);
    assert.equal(r?.byteRange, { start: 1, end: 14, total: 14 });
    assert.is(r?.getHeader('From-Path'), String(a.usePath[0]));
  } finally {
    a.client.close();
    await relay.close();
    await hop.close();
  }
});

failures('a next hop that never answers gives a 408 REPORT; Failure-Report no gives none; partial gets no 200, and a REPORT for a late error', async () => {
  let answer: number | null = null;
  const hop = await fakeHop((c, conn) => { if (answer !== null) conn.writeResponse(c, answer); });
  const relay = await startRelay({ transactionTimeout: 300 });
  const { a, t, report } = await toward(relay, hop.uri);
  try {
    const m = t.sendMessage({ body: 'into the void' });
    const r = await report();
    assert.is(r?.status?.code, 408);
    assert.is(r?.messageId, m.messageId);
    t.sendMessage({ body: 'quiet', failureReport: 'no' });
    assert.is(await report(800), null, 'Failure-Report no: nothing');
    // RFC 4976 §6.4.1: only `yes` runs the timer; `partial` hears of errors only
    answer = 415;
    const partial = t.sendMessage({ body: 'partial', failureReport: 'partial' });
    assert.is((await partial.outcome).code, 0, 'no 200 for partial');
    const rp = await report();
    assert.is(rp?.status?.code, 415);
    assert.is(rp?.messageId, partial.messageId);
  } finally {
    a.client.close();
    await relay.close();
    await hop.close();
  }
});

failures('an unreachable next hop, one that goes away mid-chunk, and a plain TCP one without insecureNextHops: 408 REPORTs', async () => {
  const closed = await fakeHop(() => {});
  await closed.close();
  const dying = await fakeHop((_c, conn) => conn.destroy());
  const plain = await fakeHop((c, conn) => conn.writeResponse(c, 200), false);
  const relay = await startRelay();
  const e1 = await toward(relay, closed.uri);
  const e2 = await toward(relay, dying.uri);
  const e3 = await toward(relay, plain.uri);
  try {
    e1.t.sendMessage({ body: 'nobody home' });
    assert.is((await e1.report())?.status?.code, 408);
    e2.t.sendMessage({ body: 'x'.repeat(100_000) });
    assert.is((await e2.report())?.status?.code, 408);
    e3.t.sendMessage({ body: 'in clear' });
    assert.is((await e3.report())?.status?.code, 408);
    assert.is(plain.seen.length, 0, 'nothing went out over plain TCP');
  } finally {
    for (const e of [e1, e2, e3]) e.a.client.close();
    await relay.close();
    await dying.close();
    await plain.close();
  }
  const insecure = await startRelay({ insecureNextHops: true });
  const plain2 = await fakeHop((c, conn) => conn.writeResponse(c, 200), false);
  const e4 = await toward(insecure, plain2.uri);
  try {
    e4.t.sendMessage({ body: 'in clear, allowed' });
    assert.is(await e4.report(500), null);
    await until(() => plain2.seen.length === 1, 3000, 'the SEND at the plain next hop');
  } finally {
    e4.a.client.close();
    await insecure.close();
    await plain2.close();
  }
});

failures.run();
