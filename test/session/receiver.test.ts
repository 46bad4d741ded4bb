/**
 * The session's receiving side against a raw peer writing MSRP by hand:
 * responses per Failure-Report, success REPORTs (whole and incremental) with
 * their Byte-Range and Status, `#`, 413, refused streams, expiry.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Chunk } from '../../src/protocol/chunk.ts';
import type { IncompleteMessage, ReceivedMessage } from '../../src/session.ts';
import type { IncomingStream } from '../../src/session/incoming-stream.ts';
import { collect, errorOf, delay, next, pattern, rawPeer, type SessionRawPeer } from './helpers.ts';

const isResponse = (tid: string) => (c: Chunk) => c.isResponse && c.transactionId === tid;
const isReport = (c: Chunk) => c.method === 'REPORT';

function send(messageId: string, range: string, extra: Array<[string, string]> = []): Array<[string, string]> {
  return [['Message-ID', messageId], ['Byte-Range', range], ...extra, ['Content-Type', 'text/plain']];
}

/** Writes a SEND's head and the first octets of its body, no end-line: a chunk still arriving. */
function startChunk(peer: SessionRawPeer, transactionId: string, messageId: string, range: string, body: Buffer): void {
  const head = `MSRP ${transactionId} SEND\r\nTo-Path: ${peer.local}\r\nFrom-Path: ${peer.peer}\r\n`
    + `Message-ID: ${messageId}\r\nByte-Range: ${range}\r\nContent-Type: application/octet-stream\r\n\r\n`;
  peer.write(Buffer.concat([Buffer.from(head), body]));
}

const responses = suite('receiver: responses and Failure-Report (RFC 4975 §7.1.4, §7.2)');

responses('Failure-Report absent: every chunk is answered 200 with the request transaction id', async () => {
  const peer = await rawPeer();
  try {
    const got = next<ReceivedMessage>(peer.session, 'message');
    const t1 = peer.request({ headers: send('m1abcd', '1-5/10'), body: 'hello', flag: '+' });
    const t2 = peer.request({ headers: send('m1abcd', '6-10/10'), body: 'world' });
    const r1 = await peer.next(isResponse(t1));
    const r2 = await peer.next(isResponse(t2));
    assert.is(r1.code, 200);
    assert.is(r2.code, 200);
    // RFC 4975 §7.2: a SEND's response goes to the previous hop only, from this endpoint
    assert.is(r1.getHeader('To-Path'), peer.peer.toString());
    assert.is(r1.getHeader('From-Path'), peer.local.toString());
    const m = await got;
    assert.is(m.body.toString(), 'helloworld');
    assert.is(m.messageId, 'm1abcd');
  } finally {
    await peer.close();
  }
});

responses('Failure-Report no: no response at all, the message still arrives', async () => {
  const peer = await rawPeer();
  try {
    const got = next<ReceivedMessage>(peer.session, 'message');
    const t = peer.request({ headers: send('m2abcd', '1-2/2', [['Failure-Report', 'no']]), body: 'hi' });
    assert.is((await got).body.toString(), 'hi');
    assert.ok(await peer.none(isResponse(t), 150));
  } finally {
    await peer.close();
  }
});

responses('Failure-Report partial: no 200, but a 413 when the message is too large', async () => {
  const peer = await rawPeer({ session: { maxMessageSize: 4 } });
  try {
    const got = next<ReceivedMessage>(peer.session, 'message');
    const ok = peer.request({ headers: send('m3abcd', '1-2/2', [['Failure-Report', 'partial']]), body: 'hi' });
    assert.is((await got).body.toString(), 'hi');
    assert.ok(await peer.none(isResponse(ok), 100));
    const big = peer.request({ headers: send('m4abcd', '1-10/10', [['Failure-Report', 'partial']]), body: '0123456789' });
    assert.is((await peer.next(isResponse(big))).code, 413);
  } finally {
    await peer.close();
  }
});

responses('a REPORT is never answered, even for an unknown Message-ID (RFC 4975 §7.1.2)', async () => {
  const peer = await rawPeer();
  try {
    const got = next<{ messageId: string; message: unknown }>(peer.session, 'report');
    const t = peer.request({ method: 'REPORT', headers: [['Message-ID', 'unknown1'], ['Byte-Range', '1-3/3'], ['Status', '000 200 OK']] });
    const report = await got;
    assert.is(report.messageId, 'unknown1');
    assert.is(report.message, null);
    assert.ok(await peer.none(isResponse(t), 100));
    assert.not.ok(peer.session.closed);
  } finally {
    await peer.close();
  }
});

responses('a method the session takes but nobody listens for is answered 501', async () => {
  const peer = await rawPeer({ transport: { methods: ['SEND', 'REPORT', 'NICKNAME'] } });
  try {
    const t = peer.request({ method: 'NICKNAME', headers: [['Use-Nickname', '"bob"']] });
    assert.is((await peer.next(isResponse(t))).code, 501);
    peer.session.on('request', (c) => peer.session.respond(c, 200));
    const t2 = peer.request({ method: 'NICKNAME', headers: [['Use-Nickname', '"bob"']] });
    assert.is((await peer.next(isResponse(t2))).code, 200);
  } finally {
    await peer.close();
  }
});

responses.run();

const reports = suite('receiver: success REPORTs (RFC 4975 §7.1.3)');

reports('Success-Report yes: one REPORT for the whole message, back along the From-Path, Status 000 200', async () => {
  const peer = await rawPeer();
  try {
    peer.request({ headers: send('r1abcd', '1-4/8', [['Success-Report', 'yes']]), body: 'abcd', flag: '+' });
    peer.request({ headers: send('r1abcd', '5-8/8', [['Success-Report', 'yes']]), body: 'efgh' });
    const report = await peer.next(isReport);
    assert.is(report.messageId, 'r1abcd');
    assert.equal(report.byteRange, { start: 1, end: 8, total: 8 });
    assert.equal(report.status, { namespace: 0, code: 200, comment: 'OK' });
    assert.is(report.getHeader('To-Path'), peer.peer.toString());
    assert.is(report.getHeader('From-Path'), peer.local.toString());
    // RFC 4975 §7.1.2: REPORTs carry neither Success-Report nor Failure-Report
    assert.is(report.getHeader('Success-Report'), undefined);
    assert.is(report.getHeader('Failure-Report'), undefined);
    assert.ok(await peer.none(isReport, 100), 'only one REPORT');
    // no transaction waits for an answer to a REPORT
    assert.is(peer.session.transport.connection.transactions.size, 0);
  } finally {
    await peer.close();
  }
});

reports('Success-Report no or absent: no REPORT', async () => {
  const peer = await rawPeer();
  try {
    const got = next<ReceivedMessage>(peer.session, 'message');
    peer.request({ headers: send('r2abcd', '1-2/2', [['Success-Report', 'no']]), body: 'hi' });
    await got;
    const got2 = next<ReceivedMessage>(peer.session, 'message');
    peer.request({ headers: send('r3abcd', '1-2/2'), body: 'hi' });
    await got2;
    assert.ok(await peer.none(isReport, 100));
  } finally {
    await peer.close();
  }
});

reports('incremental REPORTs cover 1..N as the message arrives, then the whole', async () => {
  const peer = await rawPeer({ session: { progressReports: 4 } });
  try {
    const sr: Array<[string, string]> = [['Success-Report', 'yes']];
    peer.request({ headers: send('r4abcd', '1-4/12', sr), body: 'abcd', flag: '+' });
    assert.equal((await peer.next(isReport)).byteRange, { start: 1, end: 4, total: 12 });
    peer.request({ headers: send('r4abcd', '5-6/12', sr), body: 'ef', flag: '+' });
    assert.ok(await peer.none(isReport, 80), 'fewer than progressReports new octets: no REPORT');
    peer.request({ headers: send('r4abcd', '7-10/12', sr), body: 'ghij', flag: '+' });
    assert.equal((await peer.next(isReport)).byteRange, { start: 1, end: 10, total: 12 });
    peer.request({ headers: send('r4abcd', '11-12/12', sr), body: 'kl' });
    assert.equal((await peer.next(isReport)).byteRange, { start: 1, end: 12, total: 12 });
  } finally {
    await peer.close();
  }
});

reports('a message sent whole without Byte-Range is reported as 1-len/len', async () => {
  const peer = await rawPeer();
  try {
    peer.request({ headers: [['Message-ID', 'r5abcd'], ['Success-Report', 'yes'], ['Content-Type', 'text/plain']], body: 'xyz' });
    assert.equal((await peer.next(isReport)).byteRange, { start: 1, end: 3, total: 3 });
  } finally {
    await peer.close();
  }
});

reports.run();

const failures = suite('receiver: aborts, 413, refusal, expiry');

failures('an incoming # discards the partial message (no message, an incomplete event)', async () => {
  const peer = await rawPeer();
  try {
    const incomplete = next<IncompleteMessage>(peer.session, 'incomplete');
    let delivered = false;
    peer.session.on('message', () => { delivered = true; });
    peer.request({ headers: send('a1abcd', '1-3/6', [['Success-Report', 'yes']]), body: 'abc', flag: '+' });
    const t = peer.request({ headers: send('a1abcd', '4-5/6', [['Success-Report', 'yes']]), body: 'de', flag: '#' });
    assert.is((await peer.next(isResponse(t))).code, 200);
    const i = await incomplete;
    assert.is(i.messageId, 'a1abcd');
    assert.is(i.reason, 'aborted');
    assert.ok(await peer.none(isReport, 100), 'no REPORT for an aborted message');
    assert.not.ok(delivered);
  } finally {
    await peer.close();
  }
});

failures('an incoming # ends a large message stream with MSRP_ERR_MESSAGE_ABORTED', async () => {
  const peer = await rawPeer({ session: { inlineLimit: 1000 } });
  try {
    const got = next<IncomingStream>(peer.session, 'incoming');
    peer.request({ headers: send('a2abcd', '1-*/5000'), body: pattern(0, 2000), flag: '+' });
    const stream = await got;
    const failure = errorOf(collect(stream));
    peer.request({ headers: send('a2abcd', '2001-*/5000'), body: pattern(2000, 10), flag: '#' });
    const error = await failure;
    assert.is(error?.code, 'MSRP_ERR_MESSAGE_ABORTED');
  } finally {
    await peer.close();
  }
});

failures('a bodiless # discards the partial message as a # with a body does (RFC 4975 §7.1)', async () => {
  // expiry would end the message too, as 'expired': kept short so a missed # fails soon
  const peer = await rawPeer({ session: { inlineLimit: 1000, expireMs: 5000 } });
  try {
    const incomplete = next<IncompleteMessage>(peer.session, 'incomplete');
    peer.request({ headers: send('a3abcd', '1-3/6', [['Success-Report', 'yes']]), body: 'abc', flag: '+' });
    const t = peer.request({ headers: [['Message-ID', 'a3abcd'], ['Byte-Range', '4-3/6']], flag: '#' });
    assert.is((await peer.next(isResponse(t))).code, 200);
    assert.equal([(await incomplete).messageId, (await incomplete).reason], ['a3abcd', 'aborted']);
    assert.is(peer.session.receivingMessages, 0);
    assert.ok(await peer.none(isReport, 100), 'no REPORT for an aborted message');
    const got = next<IncomingStream>(peer.session, 'incoming');
    peer.request({ headers: send('a4abcd', '1-*/5000'), body: pattern(0, 2000), flag: '+' });
    const failure = errorOf(collect(await got));
    peer.request({ headers: [['Message-ID', 'a4abcd'], ['Byte-Range', '2001-2000/5000']], flag: '#' });
    assert.is((await failure)?.code, 'MSRP_ERR_MESSAGE_ABORTED');
    assert.is(peer.session.receivingMessages, 0);
  } finally {
    await peer.close();
  }
});

failures('a message over maxMessageSize gets 413 for its chunks and ends incomplete', async () => {
  const peer = await rawPeer({ session: { maxMessageSize: 10 } });
  try {
    const t1 = peer.request({ headers: send('b1abcd', '1-8/*'), body: '12345678', flag: '+' });
    assert.is((await peer.next(isResponse(t1))).code, 200);
    const incomplete = next<IncompleteMessage>(peer.session, 'incomplete');
    const t2 = peer.request({ headers: send('b1abcd', '9-16/*'), body: '9abcdefg', flag: '+' });
    assert.is((await peer.next(isResponse(t2))).code, 413);
    const i = await incomplete;
    assert.is(i.reason, 'too-large');
    assert.equal(i.ranges, [{ start: 1, end: 8 }]);
    const t3 = peer.request({ headers: send('b1abcd', '17-18/*'), body: 'hi' });
    assert.is((await peer.next(isResponse(t3))).code, 413, 'later chunks of a stopped message get 413 too');
  } finally {
    await peer.close();
  }
});

failures('destroying an incoming stream refuses the rest of the message with 413', async () => {
  const peer = await rawPeer({ session: { inlineLimit: 100 } });
  try {
    const got = next<IncomingStream>(peer.session, 'incoming');
    const t1 = peer.request({ headers: send('c1abcd', '1-*/1000'), body: pattern(0, 300), flag: '+' });
    const stream = await got;
    assert.is((await peer.next(isResponse(t1))).code, 200);
    const incomplete = next<IncompleteMessage>(peer.session, 'incomplete');
    stream.destroy();
    const i = await incomplete;
    assert.is(i.reason, 'refused');
    const t2 = peer.request({ headers: send('c1abcd', '301-*/1000'), body: pattern(300, 300), flag: '+' });
    assert.is((await peer.next(isResponse(t2))).code, 413);
  } finally {
    await peer.close();
  }
});

failures('a destroyed incoming stream frees its tracker slot at once; later chunks get 413 and hold nothing', async () => {
  const peer = await rawPeer({ session: { inlineLimit: 100 } });
  try {
    const got = next<IncomingStream>(peer.session, 'incoming');
    const t1 = peer.request({ headers: send('c3abcd', '1-*/1000'), body: pattern(0, 300), flag: '+' });
    const stream = await got;
    assert.is((await peer.next(isResponse(t1))).code, 200);
    assert.is(peer.session.receivingMessages, 1);
    const incomplete = next<IncompleteMessage>(peer.session, 'incomplete');
    stream.destroy();
    assert.is(peer.session.receivingMessages, 0, 'released when destroyed, not at expiry');
    const i = await incomplete;
    assert.is(i.reason, 'refused');
    assert.equal(i.ranges, [{ start: 1, end: 300 }]);
    for (const start of [301, 601]) {
      const t = peer.request({ headers: send('c3abcd', `${start}-*/1000`), body: pattern(start - 1, 300), flag: '+' });
      assert.is((await peer.next(isResponse(t))).code, 413);
      assert.is(peer.session.receivingMessages, 0);
    }
  } finally {
    await peer.close();
  }
});

failures('a stream destroyed while a chunk arrives: that chunk gets 413 before its end-line', async () => {
  const peer = await rawPeer({ session: { inlineLimit: 100 } });
  try {
    const got = next<IncomingStream>(peer.session, 'incoming');
    startChunk(peer, 'tx23456', 'c4abcd', '1-*/100000', pattern(0, 400));
    const stream = await got;
    stream.destroy();
    assert.is(peer.session.receivingMessages, 0);
    peer.write(pattern(400, 400));
    // the end-line is not written yet: this 413 is the early answer that stops the chunk (RFC 4975 §10.5)
    assert.is((await peer.next(isResponse('tx23456'))).code, 413);
    peer.write('\r\n-------tx23456#\r\n');
    assert.ok(await peer.none(isResponse('tx23456'), 100), 'answered once');
  } finally {
    await peer.close();
  }
});

failures('large messages with no incoming listener are refused with 413', async () => {
  const peer = await rawPeer({ session: { inlineLimit: 100 } });
  try {
    const t = peer.request({ headers: send('c2abcd', '1-*/1000'), body: pattern(0, 300), flag: '+' });
    assert.is((await peer.next(isResponse(t))).code, 413);
  } finally {
    await peer.close();
  }
});

failures('a stalled message expires: failure REPORT 408 when Failure-Report is yes, none for partial', async () => {
  const peer = await rawPeer({ session: { expireMs: 60 } });
  try {
    const incomplete = next<IncompleteMessage>(peer.session, 'incomplete');
    peer.request({ headers: send('e1abcd', '1-3/9'), body: 'abc', flag: '+' });
    const i = await incomplete;
    assert.is(i.reason, 'expired');
    const report = await peer.next(isReport);
    assert.is(report.status?.code, 408);
    assert.equal(report.byteRange, { start: 1, end: 3, total: 9 });
    const incomplete2 = next<IncompleteMessage>(peer.session, 'incomplete');
    peer.request({ headers: send('e2abcd', '1-3/9', [['Failure-Report', 'partial']]), body: 'abc', flag: '+' });
    await incomplete2;
    assert.ok(await peer.none(isReport, 100), 'partial asks for no timeout reports (RFC 4975 §5.3)');
  } finally {
    await peer.close();
  }
});

failures('a peer that disconnects mid-chunk: the partial message is reported with what arrived', async () => {
  const peer = await rawPeer({ session: { inlineLimit: 100 } });
  try {
    const got = next<IncomingStream>(peer.session, 'incoming');
    startChunk(peer, 'tx12345', 'd1abcd', '1-*/1000', pattern(0, 400));
    const stream = await got;
    const failure = errorOf(collect(stream));
    const incomplete = next<IncompleteMessage>(peer.session, 'incomplete');
    await delay(30);
    peer.socket.destroy();
    const i = await incomplete;
    assert.is(i.reason, 'closed');
    assert.equal(i.ranges, [{ start: 1, end: 400 }]);
    const error = await failure;
    assert.is(error?.code, 'MSRP_ERR_MESSAGE_INCOMPLETE');
  } finally {
    await peer.close();
  }
});

failures.run();
