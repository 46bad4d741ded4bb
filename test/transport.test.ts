/**
 * MsrpTransport, the session's view of a connection (msrplib's MSRPTransport):
 * makeChunk/makeSendRequest/makeRequest defaults, makeResponse and the
 * Failure-Report rules of writeResponse, readChunk and async iteration,
 * resuming a message at an offset, REPORTs that wait for nothing, and a
 * closed transport's errors.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpConnectionError } from '../src/errors.ts';
import { Chunk } from '../src/protocol/chunk.ts';
import { MsrpUri } from '../src/protocol/uri.ts';
import { MsrpTransport } from '../src/transport.ts';
import { rawPeer, sendHeaders, transportPair, uri } from './transport/helpers.ts';
import { until } from './helpers/until.ts';

const make = suite('transport: making requests and responses');

make('makeChunk: a bodiless SEND by default, 1-0/0, fresh ids, the session paths', async () => {
  const pair = await transportPair();
  try {
    const c = pair.a.makeChunk();
    assert.is(c.method, 'SEND');
    assert.is(c.body, undefined);
    assert.is(c.getHeader('Byte-Range'), '1-0/0');
    assert.is(c.getHeader('To-Path'), pair.b.localUri.toString());
    assert.is(c.getHeader('From-Path'), pair.a.localUri.toString());
    assert.match(c.transactionId, /^[0-9a-f]{20}$/);
    assert.match(c.messageId!, /^[0-9a-f]{20}$/);
    assert.is.not(pair.a.makeChunk().transactionId, c.transactionId);
    assert.is(c.getHeader('Content-Type'), undefined);
  } finally {
    pair.close();
  }
});

make('makeChunk: data, range, flag, reports and extra headers; Content-Type last', async () => {
  const pair = await transportPair();
  try {
    const c = pair.a.makeSendRequest({
      data: 'chunk two', start: 11, end: '*', length: 30, continuationFlag: '+', successReport: 'yes',
      failureReport: 'partial', contentType: 'text/html', messageId: 'msg-1', headers: [['Content-Disposition', 'inline']],
    });
    assert.equal(c.byteRange, { start: 11, end: '*', total: 30 });
    assert.is(c.continuationFlag, '+');
    assert.is(c.successReport, 'yes');
    assert.is(c.failureReport, 'partial');
    assert.is(c.messageId, 'msg-1');
    assert.is(c.headers.at(-1)![0], 'Content-Type');
    assert.match(c.encode().toString(), /Content-Disposition: inline\r\nContent-Type: text\/html\r\n\r\nchunk two\r\n-------\w+\+\r\n$/);
    const r = pair.a.makeRequest('REPORT', { messageId: 'msg-1', status: { namespace: 0, code: 200, comment: 'OK' }, start: 1, end: 9, length: 9 });
    assert.is(r.getHeader('Status'), '000 200 OK');
    assert.is(r.getHeader('Byte-Range'), '1-9/9');
    const n = pair.a.makeRequest('NICKNAME');
    assert.is(n.messageId, undefined);
    assert.is(n.getHeader('Byte-Range'), undefined);
  } finally {
    pair.close();
  }
});

make('makeResponse: To-Path is the previous hop for a SEND, the whole path otherwise (RFC 4975 §7.2)', async () => {
  const pair = await transportPair();
  try {
    const hop = MsrpUri.parse('msrp://relay.example.com:2855;tcp');
    const send = pair.a.makeChunk({ fromPath: [hop, pair.a.localUri] });
    const r = pair.b.makeResponse(send, 200);
    assert.is(r.transactionId, send.transactionId);
    assert.is(r.comment, 'OK');
    assert.is(r.getHeader('To-Path'), hop.toString());
    assert.is(r.getHeader('From-Path'), pair.b.localUri.toString());
    const other = pair.a.makeRequest('NICKNAME', { fromPath: [hop, pair.a.localUri] });
    assert.is(pair.b.makeResponse(other, 501, null).getHeader('To-Path'), `${hop} ${pair.a.localUri}`);
    assert.is(pair.b.makeResponse(other, 501, null).comment, null);
    assert.throws(() => pair.b.makeResponse(r, 200), TypeError);
  } finally {
    pair.close();
  }
});

make('writeResponse follows the Failure-Report rules and never answers a REPORT', async () => {
  const pair = await transportPair();
  try {
    const t = pair.b;
    const yes = pair.a.makeChunk();
    const no = pair.a.makeChunk({ failureReport: 'no' });
    const partial = pair.a.makeChunk({ failureReport: 'partial' });
    const report = pair.a.makeRequest('REPORT', { messageId: 'm1m2', status: { namespace: 0, code: 200, comment: null } });
    assert.ok(t.mayRespond(yes, 200));
    assert.not.ok(t.mayRespond(no, 400));
    assert.not.ok(t.mayRespond(partial, 200));
    assert.ok(t.mayRespond(partial, 413));
    assert.not.ok(t.mayRespond(report, 400));
    assert.not.ok(t.writeResponse(no, 200));
    assert.not.ok(t.writeResponse(report, 200));
    assert.ok(t.writeResponse(partial, 415));
    // header names in any case, values with spaces and capitals (RFC 4975 §9 hname is case-insensitive)
    const oddNo = pair.a.makeChunk({ headers: [['failure-report', ' No ']] });
    assert.not.ok(t.mayRespond(oddNo, 400));
    assert.not.ok(t.writeResponse(oddNo, 400));
    const oddPartial = pair.a.makeChunk({ headers: [['FAILURE-REPORT', 'PARTIAL']] });
    assert.not.ok(t.writeResponse(oddPartial, 200));
    assert.ok(t.writeResponse(oddPartial, 413));
    // an unreadable value counts as yes (RFC 4975 §7.1.1: absent or unknown means a response is wanted)
    assert.ok(t.writeResponse(pair.a.makeChunk({ headers: [['Failure-Report', 'maybe']] }), 200));
  } finally {
    pair.close();
  }
});

const io = suite('transport: reading and writing');

io('writeChunk resolves with the response; a REPORT resolves once written', async () => {
  const pair = await transportPair();
  try {
    const result = await pair.a.writeChunk(pair.a.makeChunk());
    assert.is(result.code, 200);
    assert.is(result.response?.getHeader('From-Path'), pair.b.localUri.toString());
    const report = pair.a.makeRequest('REPORT', { messageId: 'm1m2', status: { namespace: 0, code: 200, comment: null }, start: 1, end: 0, length: 0 });
    assert.is((await pair.a.writeChunk(report)).code, 0);
    assert.is((await pair.b.readChunk()).method, 'REPORT');
  } finally {
    pair.close();
  }
});

io('async iteration yields requests in order and ends quietly when the transport closes', async () => {
  const pair = await transportPair();
  try {
    for (const text of ['one', 'two', 'three']) pair.a.sendMessage({ body: text, failureReport: 'no' });
    const seen: string[] = [];
    for await (const chunk of pair.b) {
      seen.push(chunk.body!.toString());
      if (seen.length === 3) pair.b.close();
    }
    assert.equal(seen, ['one', 'two', 'three']);
    try {
      await pair.b.readChunk();
      assert.unreachable();
    } catch (err) {
      assert.instance(err, MsrpConnectionError);
    }
  } finally {
    pair.close();
  }
});

io('messages of one transport with changing media types each carry their own Content-Type, last', async () => {
  const p = await rawPeer();
  try {
    const types = ['text/plain', 'text/html', 'text/html', 'message/cpim', 'text/plain'];
    const ids = types.map((contentType, i) => p.transport.sendMessage({ body: `m${i}`, contentType, failureReport: 'no' }).messageId);
    for (let i = 0; i < types.length; i++) {
      const c = await p.next((x) => x.messageId === ids[i]);
      assert.is(c.getHeader('Content-Type'), types[i]);
      assert.is(c.headers.at(-1)![0], 'Content-Type');
    }
  } finally {
    p.close();
  }
});

io('sendMessage resumes at an offset with the right Byte-Range (RFC 4975 §5.4)', async () => {
  const p = await rawPeer();
  try {
    const body = Buffer.from('0123456789'.repeat(500));
    const m = p.transport.sendMessage({ body, offset: 3000, messageId: 'resumed-1', failureReport: 'no' });
    const c = await p.next((x) => x.isRequest);
    assert.is(c.messageId, 'resumed-1');
    assert.is(c.getHeader('Byte-Range'), '3001-5000/5000');
    assert.ok(c.body!.equals(body.subarray(3000)));
    assert.is((await m.outcome).bytes, 2000);
    assert.throws(() => p.transport.sendMessage({ body, offset: 5001 }), RangeError);
  } finally {
    p.close();
  }
});

io('setHandler(null) sends requests back to readChunk; a closed transport fails sends', async () => {
  const p = await rawPeer();
  try {
    const heads: string[] = [];
    p.transport.setHandler({ onSendHead: (c) => { heads.push(c.transactionId); }, onRequest: () => {} });
    const t1 = p.request({ headers: sendHeaders('a'), body: 'a' });
    await until(() => heads.length > 0, 5000, 'the first request at the handler');
    p.transport.setHandler(null);
    p.request({ headers: sendHeaders('b'), body: 'b' });
    assert.is((await p.transport.readChunk()).body?.toString(), 'b');
    assert.equal(heads, [t1]);
    p.transport.close();
    try {
      await p.transport.writeChunk(new Chunk({ transactionId: 'abcd', method: 'SEND' }));
      assert.unreachable();
    } catch (err) {
      assert.instance(err, MsrpConnectionError);
      assert.is((err as MsrpConnectionError).code, 'MSRP_ERR_CONNECTION_CLOSED');
    }
    await p.transport.sendMessage({ body: 'late' }).outcome.then(() => assert.unreachable(), (err) => assert.instance(err, MsrpConnectionError));
  } finally {
    p.close();
  }
});

io('a message of a closed transport never reaches a connection its other sessions still use', async () => {
  const p = await rawPeer();
  try {
    const other = new MsrpTransport(p.connection, uri('127.0.0.1', p.local.port as number), [p.peer]);
    p.transport.close();
    assert.not.ok(p.connection.closed);
    const late = p.transport.sendMessage({ body: 'must not be sent', failureReport: 'no' });
    await late.outcome.then(() => assert.unreachable(), (err) => assert.instance(err, MsrpConnectionError));
    other.sendMessage({ body: 'still here', failureReport: 'no' });
    const c = await p.next((x) => x.isRequest);
    assert.is(c.body?.toString(), 'still here');
    assert.not.ok(p.received.some((x) => x.body?.toString() === 'must not be sent'));
  } finally {
    p.close();
  }
});

make.run();
io.run();
