/**
 * MsrpSession between two sessions on real loopback sockets: the
 * Success-Report/Failure-Report matrix, failures (response, REPORT, 413,
 * abort), sendChunk outcomes, interleaving and interruption, backpressure,
 * the pending bound, keepalive, shutdown, a peer that disconnects and one
 * that no longer knows the session (481).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import type { Chunk } from './../src/protocol/chunk.ts';
import type { ReportValue } from '../src/protocol/headers.ts';
import type { TrafficRecord } from '../src/log.ts';
import type { IncompleteMessage, IncomingReport, MessageProgress, ReceivedMessage } from '../src/session.ts';
import type { IncomingStream } from '../src/session/incoming-stream.ts';
import { MsrpSession, type MsrpSessionOptions } from '../src/session.ts';
import { AcceptorDirect, ConnectorDirect, MsrpServer } from '../src/connect/index.ts';
import { MsrpSessionError } from '../src/errors.ts';
import { collect, errorOf, delay, next, pattern, patternStream, rawPeer, sessionPair } from './session/helpers.ts';
import { rawPeer as transportRawPeer } from './transport/helpers.ts';
import { bindPair } from './connect/helpers.ts';
import { testCertificates } from './helpers/tls.ts';

const matrix = suite('sendMessage: Success-Report x Failure-Report');

const expected: Record<string, [status: string, confirmedBy: string | null]> = {
  'no/yes': ['delivered', 'response'],
  'no/no': ['sent', null],
  'no/partial': ['sent', null],
  'yes/yes': ['delivered', 'report'],
  'yes/no': ['delivered', 'report'],
  'yes/partial': ['delivered', 'report'],
};

for (const [key, [status, confirmedBy]] of Object.entries(expected)) {
  const [successReport, failureReport] = key.split('/') as ['yes' | 'no', ReportValue];
  for (const size of [5, 300_000]) {
    matrix(`Success-Report ${successReport}, Failure-Report ${failureReport}, ${size} octets: ${status}${confirmedBy ? ` by ${confirmedBy}` : ''}`, async () => {
      const pair = await sessionPair({ b: { inlineLimit: 1 << 20 } });
      try {
        const got = next<ReceivedMessage>(pair.b, 'message');
        const body = pattern(0, size);
        const sent = pair.a.sendMessage(body, 'application/octet-stream', { successReport, failureReport });
        const outcome = await sent.done;
        assert.is(outcome.status, status);
        assert.is(outcome.confirmedBy, confirmedBy);
        assert.is(outcome.bytes, size);
        if (successReport === 'yes') assert.is(outcome.reportedBytes, size);
        assert.ok((await got).body.equals(body));
        assert.is(pair.a.pendingMessages, 0);
      } finally {
        await pair.close();
      }
    });
  }
}

matrix('an empty message with Success-Report yes is delivered by its REPORT', async () => {
  const pair = await sessionPair();
  try {
    const got = next<ReceivedMessage>(pair.b, 'message');
    const outcome = await pair.a.sendMessage(Buffer.alloc(0), 'text/plain', { successReport: 'yes' }).done;
    assert.is(outcome.status, 'delivered');
    assert.is(outcome.confirmedBy, 'report');
    assert.is((await got).body.length, 0);
  } finally {
    await pair.close();
  }
});

matrix('Success-Report yes from a peer that never reports: unconfirmed after reportTimeout', async () => {
  const peer = await rawPeer({ connecting: true, session: { reportTimeout: 50 } });
  try {
    const sent = peer.session.sendMessage('hi', 'text/plain', { successReport: 'yes' });
    const send = await peer.next((c) => c.method === 'SEND');
    peer.respond(send, 200);
    const outcome = await sent.done;
    assert.is(outcome.status, 'unconfirmed');
    assert.is(outcome.code, 0);
  } finally {
    await peer.close();
  }
});

matrix.run();

const failures = suite('sendMessage: failures');

failures('a 415 response fails the message', async () => {
  const pair = await sessionPair({ b: { acceptTypes: ['text/plain'] } });
  try {
    const outcome = await pair.a.sendMessage('<p/>', 'text/html').done;
    assert.is(outcome.status, 'failed');
    assert.is(outcome.code, 415);
    assert.is(outcome.response?.code, 415);
  } finally {
    await pair.close();
  }
});

failures('a 413 from the receiver stops a large message: the chunk in flight ends with #', async () => {
  const traffic: TrafficRecord[] = [];
  const pair = await sessionPair({ b: { maxMessageSize: 200_000 }, aConnection: { trafficLog: (r) => traffic.push(r), sliceSize: 16384 } });
  try {
    pair.b.on('incoming', (s: IncomingStream) => { s.resume(); s.on('error', () => {}); });
    const incomplete = next<IncompleteMessage>(pair.b, 'incomplete');
    const size = 256 << 20;
    const sent = pair.a.sendMessage(patternStream(size), 'application/octet-stream');
    const outcome = await sent.done;
    assert.is(outcome.status, 'failed');
    assert.is(outcome.code, 413);
    assert.ok(outcome.bytes < size, `stopped after ${outcome.bytes} octets`);
    // the sender ended the chunk in flight with `#` on the early 413: the receiver saw it abort
    assert.is((await incomplete).reason, 'aborted');
    await delay(20);
    const sends = traffic.filter((r) => r.direction === 'out' && r.head.includes(' SEND'));
    assert.is(sends[sends.length - 1].endLine.slice(-1), '#');
  } finally {
    await pair.close();
  }
});

/** Consumers that give up on an incoming stream mid-message, by how. */
const refusing: Array<[how: string, consume: (s: IncomingStream) => void]> = [
  ['destroys its incoming stream', (s) => s.once('data', () => s.destroy())],
  ['destroys the incoming stream it borrows', (s) => {
    let views = 0;
    s.borrow(() => { if (++views === 2) s.destroy(); });
  }],
  ['borrows the incoming stream and throws', (s) => {
    const failure = new Error('no room for it');
    s.once('error', (e) => { if (e !== failure) throw e; });
    let views = 0;
    s.borrow(() => { if (++views === 2) throw failure; });
  }],
];

for (const [how, consume] of refusing) failures(`the receiver ${how} mid-message: the sender fails with 413, the tracker slot is freed`, async () => {
  const pair = await sessionPair({ b: { inlineLimit: 1000 } });
  try {
    const incomplete = next<IncompleteMessage>(pair.b, 'incomplete');
    pair.b.on('incoming', consume);
    const size = 64 << 20;
    const sent = pair.a.sendMessage(patternStream(size), 'application/octet-stream', { size });
    const outcome = await sent.done;
    assert.is(outcome.status, 'failed');
    assert.is(outcome.code, 413);
    assert.ok(outcome.bytes < size, `stopped after ${outcome.bytes} octets`);
    assert.is((await incomplete).reason, 'refused');
    assert.is(pair.b.receivingMessages, 0);
    assert.is(pair.a.pendingMessages, 0);
  } finally {
    await pair.close();
  }
});

failures('abort(): the message ends with #, the receiver discards it', async () => {
  const pair = await sessionPair({ b: { inlineLimit: 1000 } });
  try {
    const incoming = next<IncomingStream>(pair.b, 'incoming');
    const incomplete = next<IncompleteMessage>(pair.b, 'incomplete');
    const source = new Readable({ read() {} });
    source.push(pattern(0, 5000));
    const sent = pair.a.sendMessage(source, 'application/octet-stream', { size: 1_000_000 });
    const stream = await incoming;
    const failure = errorOf(collect(stream));
    sent.abort();
    const outcome = await sent.done;
    assert.is(outcome.status, 'aborted');
    assert.is((await incomplete).reason, 'aborted');
    const error = await failure;
    assert.is(error?.code, 'MSRP_ERR_MESSAGE_ABORTED');
  } finally {
    await pair.close();
  }
});

failures('a failure REPORT without Byte-Range fails the message; with one it fails the session (RFC 4975 §7.3.2)', async () => {
  const peer = await rawPeer({ connecting: true });
  try {
    const first = peer.session.sendMessage('one', 'text/plain');
    const send1 = await peer.next((c) => c.method === 'SEND');
    peer.request({ method: 'REPORT', headers: [['Message-ID', send1.messageId as string], ['Status', '000 415 Nope']] });
    const o1 = await first.done;
    assert.is(o1.status, 'failed');
    assert.is(o1.code, 415);
    assert.is(o1.report?.method, 'REPORT');
    assert.not.ok(peer.session.closed);

    const second = peer.session.sendMessage('two', 'text/plain');
    const send2 = await peer.next((c) => c.method === 'SEND');
    const failed = next<Error & { code: string }>(peer.session, 'failed');
    const closed = next<Error | null>(peer.session, 'close');
    peer.request({ method: 'REPORT', headers: [['Message-ID', send2.messageId as string], ['Byte-Range', '1-3/3'], ['Status', '000 408 Timeout']] });
    assert.is((await failed).code, 'MSRP_ERR_SESSION_FAILED');
    assert.is((await closed as unknown as { code: string }).code, 'MSRP_ERR_SESSION_FAILED');
    assert.is((await second.done).code, 408);
    assert.ok(peer.session.closed);
  } finally {
    await peer.close();
  }
});

failures('a message sent again under a pending Message-ID takes its place; the first settling leaves it pending', async () => {
  const peer = await rawPeer({ connecting: true });
  try {
    const first = peer.session.sendMessage('one', 'text/plain', { messageId: 'again123' });
    const send1 = await peer.next((c) => c.method === 'SEND' && c.body?.toString() === 'one');
    const second = peer.session.sendMessage('two', 'text/plain', { messageId: 'again123' });
    const send2 = await peer.next((c) => c.method === 'SEND' && c.body?.toString() === 'two');
    peer.respond(send1, 200);
    assert.is((await first.done).status, 'delivered');
    assert.is(peer.session.pendingMessages, 1);
    // a REPORT for the Message-ID now belongs to the second message
    peer.request({ method: 'REPORT', headers: [['Message-ID', 'again123'], ['Status', '000 415 Nope']] });
    const o2 = await second.done;
    assert.is(o2.status, 'failed');
    assert.is(o2.code, 415);
    assert.is(peer.session.pendingMessages, 0);
    peer.respond(send2, 200);
  } finally {
    await peer.close();
  }
});

failures('a success REPORT for an unknown Message-ID is ignored but emitted', async () => {
  const peer = await rawPeer({ connecting: true });
  try {
    const got = next<IncomingReport>(peer.session, 'report');
    peer.request({ method: 'REPORT', headers: [['Message-ID', 'nobody1'], ['Status', '000 200 OK']] });
    const r = await got;
    assert.is(r.message, null);
    assert.is(r.status.code, 200);
    assert.not.ok(peer.session.closed);
  } finally {
    await peer.close();
  }
});

failures('a peer that disconnects mid-message: the pending send fails with a connection error', async () => {
  const pair = await sessionPair({ b: { inlineLimit: 1000 } });
  try {
    pair.b.on('incoming', (s: IncomingStream) => {
      s.on('error', () => {});
      s.once('data', () => pair.sockets.b.destroy());
    });
    const closed = next<Error | null>(pair.a, 'close');
    const sent = pair.a.sendMessage(patternStream(50_000_000), 'application/octet-stream', { size: 50_000_000 });
    const error = await sent.done.then(() => null, (e: Error & { code?: string }) => e);
    assert.ok(error !== null);
    assert.is(error?.name, 'MsrpConnectionError');
    await closed;
    assert.throws(() => pair.a.sendMessage('late'), (e: Error & { code?: string }) => e.code === 'MSRP_ERR_SESSION_CLOSED');
  } finally {
    await pair.close();
  }
});

failures.run();

const chunks = suite('sendChunk');

chunks('resolves with the 200, with code 0 for Failure-Report no, and late errors for partial', async () => {
  const peer = await rawPeer({ connecting: true });
  try {
    const s = peer.session;
    const yes = s.sendChunk(s.makeMessage('hi'));
    const c1 = await peer.next((c) => c.method === 'SEND');
    peer.respond(c1, 200);
    assert.is((await yes).code, 200);

    const no = s.makeMessage('hi');
    no.failureReport = 'no';
    assert.is((await s.sendChunk(no)).code, 0);

    const partial = s.makeMessage('hi');
    partial.failureReport = 'partial';
    const result = await s.sendChunk(partial);
    assert.is(result.code, 0);
    const late = next<Chunk>(s, 'late-response');
    const c3 = await peer.next((c) => c.transactionId === partial.transactionId);
    peer.respond(c3, 400);
    assert.is((await late).code, 400);
  } finally {
    await peer.close();
  }
});

chunks('a peer that never answers: a local 408 after the transaction timeout', async () => {
  const peer = await rawPeer({ connecting: true, connection: { transactionTimeout: 60 } });
  try {
    const result = await peer.session.sendChunk(peer.session.makeMessage('anyone?'));
    assert.is(result.code, 408);
    assert.ok(result.local);
    const outcome = await peer.session.sendMessage('still there?').done;
    assert.is(outcome.status, 'failed');
    assert.is(outcome.code, 408);
  } finally {
    await peer.close();
  }
});

chunks.run();

const flow = suite('interleaving, interruption, backpressure');

flow('a chat message and a response overtake a 50 MB message (RFC 4975 §7.1.1)', async () => {
  const traffic: TrafficRecord[] = [];
  const pair = await sessionPair({ b: { inlineLimit: 1 << 20 }, aConnection: { trafficLog: (r) => traffic.push(r) } });
  try {
    const size = 50_000_000;
    let streamDone = false;
    const incoming = next<IncomingStream>(pair.b, 'incoming');
    const big = pair.a.sendMessage(patternStream(size), 'application/octet-stream', { size });
    const stream = await incoming;
    let receivedLarge = 0;
    stream.on('data', (d: Buffer) => { receivedLarge += d.length; });
    stream.on('end', () => { streamDone = true; });
    // a chat message from a, queued behind 50 MB on the same connection
    const chat = next<ReceivedMessage>(pair.b, 'message');
    const fromA = pair.a.sendMessage('overtaking', 'text/plain');
    // and a message from b, whose 200 a must send while its 50 MB goes out
    const fromB = pair.b.sendMessage('hello a', 'text/plain');
    assert.is((await chat).body.toString(), 'overtaking');
    assert.not.ok(streamDone, 'the chat message came before the end of the large one');
    assert.ok(receivedLarge < size);
    assert.is((await fromB.done).status, 'delivered');
    assert.not.ok(streamDone, 'the response came before the end of the large one');
    assert.is((await fromA.done).status, 'delivered');
    assert.is((await big.done).status, 'delivered');
    // the large message went out in more than one chunk, interrupted with `+`, range-end `*`
    const sends = traffic.filter((r) => r.direction === 'out' && r.head.includes('Byte-Range: ') && r.bodyLength > 2048);
    assert.ok(sends.length > 1, `${sends.length} chunks`);
    assert.ok(sends.every((r) => /Byte-Range: \d+-\*\/50000000/.test(r.head)));
    assert.ok(sends.slice(0, -1).every((r) => r.endLine.endsWith('+')));
  } finally {
    await pair.close();
  }
});

flow('a message of unknown size becomes an incoming stream once it passes inlineLimit, intact', async () => {
  const pair = await sessionPair({ b: { inlineLimit: 1 << 20 } });
  try {
    const size = 3_000_000;
    const incoming = next<IncomingStream>(pair.b, 'incoming');
    const sent = pair.a.sendMessage(patternStream(size, 100_000), 'application/octet-stream');
    const stream = await incoming;
    assert.is(stream.size, null);
    assert.ok((await collect(stream)).equals(pattern(0, size)));
    assert.is((await sent.done).status, 'delivered');
  } finally {
    await pair.close();
  }
});

flow('a slow reader slows the sender: the source is read only as the consumer reads', async () => {
  const pair = await sessionPair({ b: { inlineLimit: 1000, streamHighWaterMark: 65536 } });
  try {
    const size = 64 << 20;
    let produced = 0;
    const source = new Readable({
      highWaterMark: 65536,
      read() {
        if (produced >= size) return void this.push(null);
        this.push(pattern(produced, 65536));
        produced += 65536;
      },
    });
    const incoming = next<IncomingStream>(pair.b, 'incoming');
    const sent = pair.a.sendMessage(source, 'application/octet-stream', { size });
    const stream = await incoming;
    stream.pause();
    await delay(300);
    const held = produced;
    // socket buffers on both sides plus the stream's highWaterMark and the writer's slice: far below 64 MiB
    assert.ok(held < 16 << 20, `the source gave ${held} octets while the reader was paused`);
    await delay(100);
    assert.is(produced, held, 'nothing more is read while the reader stays paused');
    let received = 0;
    stream.on('data', (d: Buffer) => { received += d.length; });
    stream.resume();
    const outcome = await sent.done;
    assert.is(outcome.status, 'delivered');
    await delay(10);
    assert.is(received, size);
  } finally {
    await pair.close();
  }
});

flow('progress: written, acknowledged and reported octets grow to the total', async () => {
  const pair = await sessionPair({ b: { inlineLimit: 1000, progressReports: 100_000 }, aConnection: { maxChunkSize: 100_000 } });
  try {
    pair.b.on('incoming', (s: IncomingStream) => s.resume());
    const size = 1_000_000;
    const sent = pair.a.sendMessage(pattern(0, size), 'application/octet-stream', { successReport: 'yes' });
    const seen: MessageProgress[] = [];
    sent.on('progress', (p) => seen.push(p));
    const outcome = await sent.done;
    assert.is(outcome.status, 'delivered');
    const last = seen[seen.length - 1];
    assert.is(last.total, size);
    assert.is(last.written, size);
    assert.is(last.reported, size);
    assert.ok(seen.some((p) => p.reported > 0 && p.reported < size), 'an incremental REPORT came before the end');
  } finally {
    await pair.close();
  }
});

flow('maxPendingMessages: sendMessage refuses beyond it, then drain', async () => {
  const peer = await rawPeer({ connecting: true, session: { maxPendingMessages: 2 } });
  try {
    const s = peer.session;
    s.sendMessage('1');
    s.sendMessage('2');
    assert.not.ok(s.writable);
    assert.throws(() => s.sendMessage('3'), (e: Error & { code?: string }) => e.code === 'MSRP_ERR_QUEUE_FULL');
    const drain = next<void>(s, 'drain');
    const c = await peer.next((x) => x.method === 'SEND');
    peer.respond(c, 200);
    await drain;
    assert.ok(s.writable);
  } finally {
    await peer.close();
  }
});

flow.run();

const lifecycle = suite('keepalive and shutdown');

lifecycle('keepalive: bodiless SENDs with Success-Report no, a silent peer fails the session with 408', async () => {
  const peer = await rawPeer({ connecting: true, session: { keepalive: 40 }, connection: { transactionTimeout: 60 } });
  try {
    const failed = next<Error & { code: string; statusCode: number }>(peer.session, 'failed');
    const ka = await peer.next((c) => c.method === 'SEND');
    assert.is(ka.body, undefined);
    assert.is(ka.successReport, 'no');
    assert.equal(ka.byteRange, { start: 1, end: 0, total: 0 });
    const error = await failed;
    assert.is(error.statusCode, 408);
    assert.ok(peer.session.closed);
  } finally {
    await peer.close();
  }
});

lifecycle('keepalive answered: the session stays up', async () => {
  const pair = await sessionPair({ a: { keepalive: 20 } });
  try {
    await delay(120);
    assert.not.ok(pair.a.closed);
  } finally {
    await pair.close();
  }
});

lifecycle('shutdown flushes pending messages, then closes', async () => {
  const pair = await sessionPair({ b: { inlineLimit: 1000 } });
  try {
    pair.b.on('incoming', (s: IncomingStream) => s.resume());
    const sent = pair.a.sendMessage(pattern(0, 2_000_000), 'application/octet-stream', { successReport: 'yes' });
    const chat = pair.a.sendMessage('bye');
    const closed = next<Error | null>(pair.a, 'close');
    await pair.a.shutdown();
    assert.is((await sent.done).status, 'delivered');
    assert.is((await chat.done).status, 'delivered');
    assert.is(await closed, null);
    assert.throws(() => pair.a.sendMessage('after'), (e: Error & { code?: string }) => e.code === 'MSRP_ERR_SESSION_CLOSED');
  } finally {
    await pair.close();
  }
});

lifecycle('shutdown against a silent peer fails what is pending after its timeout', async () => {
  const peer = await rawPeer({ connecting: true });
  try {
    const sent = peer.session.sendMessage('hello?');
    const chunk = peer.session.sendChunk(peer.session.makeMessage('anyone?'));
    await peer.session.shutdown({ timeout: 50 });
    const e1 = await sent.done.then(() => null, (e: Error & { code?: string }) => e);
    const e2 = await chunk.then(() => null, (e: Error & { code?: string }) => e);
    assert.is(e1?.code, 'MSRP_ERR_SESSION_CLOSED');
    assert.ok(e2 !== null, 'the chunk failed too');
    assert.ok(peer.session.closed);
  } finally {
    await peer.close();
  }
});

lifecycle.run();

const gone = suite('a 481 ends the session (RFC 4975 §10.8)');

/** A session bound through an MsrpServer whose peer session has ended since: the server answers its requests 481. */
async function orphanedSession(options: MsrpSessionOptions = {}): Promise<{ session: MsrpSession; close(): Promise<void> }> {
  const server = await MsrpServer.listen({ listenHost: '127.0.0.1', host: '127.0.0.1' });
  // the passive end's connection outlives its session, so the server is still there to answer
  const acceptor = new AcceptorDirect({ server, bindTimeout: 5000, transport: { closeConnection: false } });
  const connector = new ConnectorDirect({ pool: null, host: '127.0.0.1', bindTimeout: 5000 });
  const [passivePath, activePath] = [await acceptor.prepare(), await connector.prepare()];
  const [active, passive] = await Promise.all([connector.complete(passivePath), acceptor.complete(activePath)]);
  passive.close();
  const session = new MsrpSession(active, { keepalive: 0, ...options });
  return { session, async close() { session.close(); await server.close(); } };
}

gone('a 481 to a SEND: that message fails with 481, pending ones with MSRP_ERR_SESSION_FAILED, and the session closes', async () => {
  const { session, close } = await orphanedSession();
  try {
    let failed: Error | null = null;
    session.on('failed', (e) => { failed = e; });
    const closed = next<MsrpSessionError>(session, 'close', 5000);
    const chat = session.sendMessage('anyone there?');
    // a message with nothing written yet: pending when the 481 comes
    const waiting = session.sendMessage(new Readable({ read() {} }), 'application/octet-stream');
    const outcome = await chat.done;
    assert.equal([outcome.status, outcome.code, outcome.response?.code], ['failed', 481, 481]);
    const error = await closed;
    assert.instance(error, MsrpSessionError);
    assert.equal([error.code, error.statusCode], ['MSRP_ERR_SESSION_FAILED', 481]);
    assert.is(failed, error);
    assert.is(await errorOf(waiting.done), error);
    assert.ok(session.closed);
    assert.throws(() => session.sendMessage('after'), (e: Error & { code?: string }) => e.code === 'MSRP_ERR_SESSION_CLOSED');
  } finally {
    await close();
  }
});

for (const how of ['keepalive', 'sendChunk', 'sendChunk with Failure-Report partial (a late 481)'] as const) {
  gone(`a 481 to a ${how} closes the session`, async () => {
    const { session, close } = await orphanedSession({ keepalive: how === 'keepalive' ? 20 : 0 });
    try {
      const closed = next<MsrpSessionError>(session, 'close', 5000);
      if (how !== 'keepalive') {
        const chunk = session.makeMessage('hello?');
        if (how !== 'sendChunk') chunk.failureReport = 'partial';
        // partial: settled with code 0 once written, the 481 comes after as a late response
        assert.is((await session.sendChunk(chunk)).code, how === 'sendChunk' ? 481 : 0);
      }
      const error = await closed;
      assert.equal([error?.code, error?.statusCode], ['MSRP_ERR_SESSION_FAILED', 481]);
    } finally {
      await close();
    }
  });
}

gone.run();

const connected = suite('sessions over the connectors (TCP, TLS, IPv4, IPv6)');

/** A chat message and 2 MB each way between the sessions of a bound pair. */
async function exchange(a: MsrpSession, b: MsrpSession): Promise<void> {
  for (const [from, to] of [[a, b], [b, a]]) {
    const chat = next<ReceivedMessage>(to, 'message');
    const big = next<IncomingStream>(to, 'incoming');
    const c = from.sendMessage('hi there', 'text/plain');
    const f = from.sendMessage(pattern(0, 2_000_000), 'application/octet-stream', { successReport: 'yes' });
    assert.is((await chat).body.toString(), 'hi there');
    assert.ok((await collect(await big)).equals(pattern(0, 2_000_000)));
    assert.is((await c.done).status, 'delivered');
    assert.is((await f.done).confirmedBy, 'report');
  }
}

for (const host of ['127.0.0.1', '::1']) {
  for (const scheme of ['msrp', 'msrps'] as const) {
    connected(`${scheme} on ${host}: both directions, active and passive ends`, async () => {
      const certs = scheme === 'msrps' ? await testCertificates() : null;
      const pair = await bindPair(host, certs === null ? {} : {
        scheme, acceptor: { tls: { cert: certs.server.cert, key: certs.server.key } }, connector: { tls: { ca: certs.ca.cert } },
      });
      const active = new MsrpSession(pair.active, { keepalive: 0, inlineLimit: 100_000 });
      const passive = new MsrpSession(pair.passive, { keepalive: 0, inlineLimit: 100_000 });
      try {
        assert.is(pair.active.connection.secure, scheme === 'msrps');
        await exchange(active, passive);
      } finally {
        active.close();
        passive.close();
      }
    });
  }
}

connected('a SEND that came before the session (a binding payload) is delivered and answered', async () => {
  const peer = await transportRawPeer({ accepting: true });
  try {
    const t = peer.request({ headers: [['Message-ID', 'early123'], ['Byte-Range', '1-5/5'], ['Content-Type', 'text/plain']], body: 'early' });
    await delay(50);
    const session = new MsrpSession(peer.transport, { keepalive: 0 });
    const m = await next<ReceivedMessage>(session, 'message');
    assert.is(m.body.toString(), 'early');
    assert.is((await peer.next((c) => c.transactionId === t)).code, 200);
    session.close();
  } finally {
    peer.close();
  }
});

connected.run();
