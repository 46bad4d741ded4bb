/**
 * MsrpConnection over real sockets: the answers every incoming request gets
 * from the transport layer (RFC 4975 §7.3, §7.1.2, §7.1.4, §7.2), routing by
 * session id, framing loss, and the connection staying up for its other
 * sessions after a non-fatal error.
 */
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { JsFramingEngine, sharedReadBuffer, type FramingLimits } from '../../src/core/index.ts';
import { MsrpConnectionError } from '../../src/errors.ts';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { MsrpTransport } from '../../src/transport.ts';
import { MsrpConnection } from '../../src/transport/connection.ts';
import { until } from '../helpers/until.ts';
import { delay, rawPeer, sendHeaders, socketPair, uri } from './helpers.ts';

const isResponse = (c: Chunk): boolean => c.isResponse;

const rules = suite('connection: mandatory answers to incoming requests');

rules('a bodiless SEND (binding, keepalive) is answered 200 with the paths of RFC 4975 §7.2', async () => {
  const p = await rawPeer();
  try {
    const tid = p.request({ headers: sendHeaders() });
    const r = await p.next(isResponse);
    assert.is(r.transactionId, tid);
    assert.is(r.code, 200);
    assert.is(r.getHeader('To-Path'), p.peer.toString());
    assert.is(r.getHeader('From-Path'), p.local.toString());
    assert.is(r.body, undefined);
  } finally {
    p.close();
  }
});

rules('a bodiless SEND ending in # (an abort, RFC 4975 §7.1) is the target\'s: head and end, or whole without onSendHead', async () => {
  const p = await rawPeer();
  try {
    const events: string[] = [];
    p.transport.setHandler({
      onSendHead: (c) => { events.push(`head ${c.messageId} ${c.body === undefined}`); },
      onSendEnd: (c) => { events.push(`end ${c.continuationFlag}`); },
    });
    const keepalive = p.request({ headers: sendHeaders() });
    assert.is((await p.next(isResponse)).transactionId, keepalive, 'a bodiless $ is still answered here');
    const abort = p.request({ headers: [['Message-ID', 'ab12'], ['Byte-Range', '1-0/0']], flag: '#' });
    assert.ok(await p.none((c) => c.transactionId === abort, 100), 'not answered by the connection');
    assert.equal(events, ['head ab12 true', 'end #']);
    p.transport.setHandler(null);
    p.request({ headers: [['Message-ID', 'ab13'], ['Byte-Range', '1-0/0']], flag: '#' });
    const whole = await p.transport.readChunk();
    assert.equal([whole.messageId, whole.continuationFlag, whole.body], ['ab13', '#', undefined]);
  } finally {
    p.close();
  }
});

rules('header names in any case: a lower-case request is routed and answered with its paths', async () => {
  const p = await rawPeer();
  try {
    p.write(`MSRP lc01lc01 SEND\r\nto-path: ${p.local}\r\nfrom-path: ${p.peer}\r\nmessage-id: lc01lc01\r\nbyte-range: 1-0/0\r\n-------lc01lc01$\r\n`);
    const r = await p.next(isResponse);
    assert.is(r.code, 200);
    assert.is(r.getHeader('To-Path'), p.peer.toString());
    assert.is(r.getHeader('From-Path'), p.local.toString());
  } finally {
    p.close();
  }
});

rules('481 for a session id not on this connection, a To-Path of two URIs, or a URI that differs (RFC 4975 §6.1)', async () => {
  const p = await rawPeer();
  try {
    p.request({ toPath: uri('127.0.0.1', 9).toString(), headers: sendHeaders() });
    assert.is((await p.next(isResponse)).code, 481);
    p.request({ toPath: `${uri('127.0.0.1', 9)} ${p.local}`, headers: sendHeaders() });
    assert.is((await p.next(isResponse)).code, 481);
    p.request({ toPath: p.local.with({ port: 1 }).toString(), headers: sendHeaders() });
    assert.is((await p.next(isResponse)).code, 481);
    p.request({ toPath: p.local.with({ transport: 'ws' }).toString(), headers: sendHeaders() });
    assert.is((await p.next(isResponse)).code, 481);
  } finally {
    p.close();
  }
});

rules('506 when the resolver says the session is bound to another connection', async () => {
  const p = await rawPeer({ connection: { resolve: () => 'elsewhere' } });
  try {
    p.request({ toPath: uri('127.0.0.1', 9).toString(), headers: sendHeaders() });
    assert.is((await p.next(isResponse)).code, 506);
  } finally {
    p.close();
  }
});

rules('501 for a method the session does not implement; a method it lists is delivered', async () => {
  const p = await rawPeer({ transport: { methods: ['SEND', 'REPORT', 'NICKNAME'] } });
  try {
    p.request({ method: 'FOO', headers: [['Message-ID', 'abcd']] });
    assert.is((await p.next(isResponse)).code, 501);
    const tid = p.request({ method: 'NICKNAME', headers: [['Use-Nickname', '"bob"']] });
    const got = await p.transport.readChunk();
    assert.is(got.method, 'NICKNAME');
    assert.is(got.transactionId, tid);
    assert.is(got.useNickname, 'bob');
  } finally {
    p.close();
  }
});

rules('400 for a malformed request; the connection stays up and answers the next one', async () => {
  const p = await rawPeer();
  try {
    p.request({ headers: [['Byte-Range', '1-0/0']] }); // no Message-ID (RFC 4975 §7.1.1)
    const r = await p.next(isResponse);
    assert.is(r.code, 400);
    assert.match(r.comment ?? '', /Message-ID/);
    p.request({ headers: [['Message-ID', 'x1x2'], ['Byte-Range', '1-2/1-'], ['Content-Type', 'text/plain']], body: 'hi' });
    assert.is((await p.next(isResponse)).code, 400);
    p.request({ headers: sendHeaders('hi'), body: 'hi' });
    assert.equal((await p.transport.readChunk()).body?.toString(), 'hi');
    assert.not.ok(p.connection.closed);
  } finally {
    p.close();
  }
});

rules('415 for a SEND type outside accept-types, with `*`, `type/*` and parameters as RFC 4975 §8.6 says', async () => {
  const p = await rawPeer({ transport: { acceptTypes: ['text/plain;charset=utf-8', 'image/*'] } });
  try {
    const send = (type: string): string => p.request({
      headers: [['Message-ID', 'm1m2'], ['Byte-Range', '1-1/1'], ['Content-Type', type]], body: 'x',
    });
    send('application/pdf');
    assert.is((await p.next(isResponse)).code, 415);
    send('text/plain;charset=iso-8859-1');
    assert.is((await p.next(isResponse)).code, 415);
    send('image/png');
    assert.is((await p.transport.readChunk()).getHeader('Content-Type'), 'image/png');
    send('text/plain');
    assert.is((await p.transport.readChunk()).getHeader('Content-Type'), 'text/plain');
    p.transport.acceptTypes = ['*'];
    send('application/pdf');
    assert.is((await p.transport.readChunk()).getHeader('Content-Type'), 'application/pdf');
  } finally {
    p.close();
  }
});

rules('413 for a non-SEND body over 10240 octets (RFC 4975 §7.1)', async () => {
  const p = await rawPeer({ transport: { methods: ['SEND', 'REPORT', 'NOTE'] } });
  try {
    p.request({ method: 'NOTE', headers: [['Content-Type', 'text/plain']], body: Buffer.alloc(10241, 0x61) });
    assert.is((await p.next(isResponse)).code, 413);
    p.request({ method: 'NOTE', headers: [['Content-Type', 'text/plain']], body: Buffer.alloc(10240, 0x61) });
    assert.is((await p.transport.readChunk()).body?.length, 10240);
  } finally {
    p.close();
  }
});

rules('no response to a REPORT, even one for an unknown session (RFC 4975 §7.1.2)', async () => {
  const p = await rawPeer();
  try {
    const report = [['Message-ID', 'abcd'], ['Byte-Range', '1-1/1'], ['Status', '000 200 OK']] as Array<[string, string]>;
    p.request({ method: 'REPORT', toPath: uri('127.0.0.1', 9).toString(), headers: report });
    p.request({ method: 'REPORT', headers: report });
    assert.is((await p.transport.readChunk()).method, 'REPORT');
    assert.ok(await p.none(isResponse, 100));
  } finally {
    p.close();
  }
});

rules('Failure-Report no: no response at all; partial: errors but no 200 (RFC 4975 §7.1.4)', async () => {
  const p = await rawPeer({ transport: { acceptTypes: ['text/plain'] } });
  try {
    p.request({ toPath: uri('127.0.0.1', 9).toString(), headers: sendHeaders(undefined, [['Failure-Report', 'no']]) });
    p.request({ headers: sendHeaders(undefined, [['Failure-Report', 'no']]) });
    p.request({ headers: sendHeaders(undefined, [['Failure-Report', 'partial']]) });
    assert.ok(await p.none(isResponse, 100));
    p.request({ toPath: uri('127.0.0.1', 9).toString(), headers: sendHeaders(undefined, [['Failure-Report', 'partial']]) });
    assert.is((await p.next(isResponse)).code, 481);
    const tid = p.request({
      headers: [['Message-ID', 'm1m2'], ['Byte-Range', '1-1/1'], ['Failure-Report', 'partial'], ['Content-Type', 'image/png']], body: 'x',
    });
    const r = await p.next(isResponse);
    assert.is(r.code, 415);
    assert.is(r.transactionId, tid);
  } finally {
    p.close();
  }
});

rules('a response to a non-SEND carries the whole From-Path as its To-Path (RFC 4975 §7.2)', async () => {
  const p = await rawPeer();
  try {
    const relay = uri('127.0.0.1', 2855).with({ sessionId: null });
    p.request({ method: 'FOO', fromPath: `${relay} ${p.peer}` });
    const r = await p.next(isResponse);
    assert.is(r.code, 501);
    assert.is(r.getHeader('To-Path'), `${relay} ${p.peer}`);
    p.request({ fromPath: `${relay} ${p.peer}`, headers: [['Message-ID', 'm1m2'], ['Byte-Range', '1-0/0']] });
    assert.is((await p.next(isResponse)).getHeader('To-Path'), relay.toString());
  } finally {
    p.close();
  }
});

const framing = suite('connection: framing and routing');

framing("a socket's Nagle algorithm is turned off, unless noDelay is false", async () => {
  const { client, server, close } = await socketPair();
  try {
    // the real sockets' own setNoDelay, watched
    const calls = (socket: net.Socket): boolean[] => {
      const seen: boolean[] = [];
      const own = socket.setNoDelay.bind(socket);
      socket.setNoDelay = (noDelay?: boolean) => {
        seen.push(noDelay ?? true);
        return own(noDelay);
      };
      return seen;
    };
    const byDefault = calls(client);
    const off = calls(server);
    const a = new MsrpConnection(client);
    const b = new MsrpConnection(server, { noDelay: false });
    assert.equal(byDefault, [true]);
    assert.equal(off, []);
    a.close();
    b.close();
  } finally {
    close();
  }
});

framing('framing lost closes the connection and fails pending transactions with a clear error', async () => {
  const p = await rawPeer();
  try {
    const pending = p.transport.writeChunk(p.transport.makeChunk({ data: 'hello' }));
    await p.next((c) => c.isRequest);
    const closed = new Promise<Error | null>((resolve) => p.connection.once('close', resolve));
    p.write('HTTP/1.1 200 OK\r\n\r\n');
    const error = await closed;
    assert.instance(error, MsrpConnectionError);
    assert.is((error as MsrpConnectionError).code, 'MSRP_ERR_FRAMING_LOST');
    try {
      await pending;
      assert.unreachable('the transaction should fail');
    } catch (err) {
      assert.instance(err, MsrpConnectionError);
      assert.is((err as MsrpConnectionError).code, 'MSRP_ERR_FRAMING_LOST');
    }
    assert.ok(p.transport.closed);
  } finally {
    p.close();
  }
});

framing('two sessions on one connection are routed by session id; one closing leaves the other up', async () => {
  const p = await rawPeer();
  try {
    const second = uri('127.0.0.1', p.local.port as number);
    const t2 = new MsrpTransport(p.connection, second, [p.peer]);
    p.request({ toPath: second.toString(), headers: sendHeaders('two'), body: 'two' });
    p.request({ headers: sendHeaders('one'), body: 'one' });
    assert.is((await t2.readChunk()).body?.toString(), 'two');
    assert.is((await p.transport.readChunk()).body?.toString(), 'one');
    t2.close();
    assert.ok(t2.closed);
    assert.not.ok(p.connection.closed);
    p.request({ toPath: second.toString(), headers: sendHeaders() });
    assert.is((await p.next(isResponse)).code, 481);
    p.transport.close();
    await new Promise((resolve) => p.connection.once('close', resolve));
    assert.ok(p.connection.closed);
  } finally {
    p.close();
  }
});

framing('a response that matches no transaction is reported, not fatal', async () => {
  const p = await rawPeer();
  try {
    const seen = new Promise<Chunk>((resolve) => p.connection.once('unknown-response', resolve));
    p.write(`MSRP abcd1234 200 OK\r\nTo-Path: ${p.local}\r\nFrom-Path: ${p.peer}\r\n-------abcd1234$\r\n`);
    assert.is((await seen).transactionId, 'abcd1234');
    p.request({ headers: sendHeaders('still up'), body: 'still up' });
    assert.is((await p.transport.readChunk()).body?.toString(), 'still up');
  } finally {
    p.close();
  }
});

framing('a SEND body streams to the handler as segments; a peer leaving mid-chunk truncates it', async () => {
  const p = await rawPeer();
  try {
    const events: string[] = [];
    let octets = 0;
    const truncated = new Promise<Error>((resolve) => {
      p.transport.setHandler({
        onSendHead: (c) => { events.push(`head ${c.getHeader('Byte-Range')}`); },
        onSendBody: (s) => { octets += s.length; },
        onSendEnd: (c) => { events.push(`end ${c.continuationFlag}`); },
        onSendTruncated: (_c, e) => resolve(e),
      });
    });
    p.request({ headers: [['Message-ID', 'm1m2'], ['Byte-Range', '1-*/*'], ['Content-Type', 'text/plain']], body: 'abc', flag: '+' });
    p.write(`MSRP t1t2t3t4 SEND\r\nTo-Path: ${p.local}\r\nFrom-Path: ${p.peer}\r\nMessage-ID: m1m2\r\nByte-Range: 4-*/*\r\nContent-Type: text/plain\r\n\r\n0123456789`);
    await delay(50);
    p.socket.destroy();
    const error = await truncated;
    assert.instance(error, MsrpConnectionError);
    assert.equal(events, ['head 1-*/*', 'end +', 'head 4-*/*']);
    assert.is(octets, 13);
  } finally {
    p.close();
  }
});

framing('IPv6 loopback: a request and its response', async () => {
  const p = await rawPeer({ host: '::1' });
  try {
    assert.is(p.local.host, '::1');
    const tid = p.request({ headers: sendHeaders() });
    assert.is((await p.next(isResponse)).transactionId, tid);
  } finally {
    p.close();
  }
});

framing('a peer that sends requests but never reads the answers is no longer read: queued answers stay bounded', async () => {
  const p = await rawPeer({ connection: { maxQueuedBytes: 32 * 1024 } });
  try {
    p.socket.pause(); // the peer reads nothing, so the answers pile up on our side
    const one = (): string => {
      const tid = randomIdent();
      return `MSRP ${tid} SEND\r\nTo-Path: ${p.local}\r\nFrom-Path: ${p.peer}\r\nMessage-ID: ${randomIdent()}\r\nByte-Range: 1-0/0\r\n-------${tid}$\r\n`;
    };
    const burst = Array.from({ length: 150_000 }, one).join('');
    p.socket.write(burst);
    await delay(400);
    const queued = p.connection.writer.queuedBytes;
    assert.ok(queued < 32 * 1024 + 512 * 1024, `answers queued: ${queued} octets`);
    assert.ok(p.socket.writableLength > 0, 'the peer\'s requests wait in its own socket: we stopped reading');
  } finally {
    p.close();
  }
});

framing('a connection made with paused: true reads nothing until start()', async () => {
  const p = await rawPeer({ connection: { paused: true } });
  try {
    const tid = p.request({ headers: sendHeaders() });
    assert.ok(await p.none(isResponse, 100));
    p.connection.start();
    assert.is((await p.next(isResponse)).transactionId, tid);
  } finally {
    p.close();
  }
});

// the default engine keeps views of the read in the events it queued behind the pause, the js one in the unread rest
for (const [label, engine] of [['default', undefined], ['js', (limits: FramingLimits) => new JsFramingEngine(limits)]] as const) {
  framing(`push(), ${label} engine: reads into one reused buffer, overwritten while a target that paused on a body waits a tick, arrive intact`, async () => {
    const p = await rawPeer({ connection: { engine } });
    try {
      // several chunks per read, so the target pauses with octets of the read still unread
      const bodies = [300_000, 5, 70_000, 1, 1000, 20_000, 3, 100, 40_000, 7].map((n) => randomBytes(n));
      const got: Buffer[][] = bodies.map(() => []);
      let at = -1;
      let segments = 0;
      let ends = 0;
      /** resumes scheduled and not yet run */
      let waiting = 0;
      p.transport.setHandler({
        onSendHead: () => { at++; },
        onSendBody: (segment) => {
          // a view valid only during the call: the target copies what it keeps
          got[at].push(Buffer.from(segment));
          segments++;
          waiting++;
          setImmediate(() => {
            waiting--;
            p.transport.resume();
          });
          return false;
        },
        onSendEnd: () => { ends++; },
      });
      const wire = Buffer.concat(bodies.map((body) => new Chunk({
        transactionId: randomIdent(), method: 'SEND', body,
        headers: [['To-Path', p.local.toString()], ['From-Path', p.peer.toString()], ...sendHeaders(body)],
      }).encode()));
      // the socket's side of dial(): each read lands in the same memory, and nothing is read while paused
      const shared = sharedReadBuffer();
      const sizes = [65536, 1000, 17, 40_000, 8192];
      for (let from = 0, read = 0; from < wire.length; read++) {
        if (waiting > 0) {
          shared.fill(0xee); // another socket's read while this connection waits
          await until(() => waiting === 0, 5000, 'the target resumed');
        }
        const n = Math.min(sizes[read % sizes.length], shared.length, wire.length - from);
        shared.fill(0xee);
        wire.copy(shared, 0, from, from + n);
        from += n;
        p.connection.push(shared.subarray(0, n));
      }
      await until(() => ends === bodies.length, 5000, 'every end-line');
      bodies.forEach((body, i) => assert.ok(Buffer.concat(got[i]).equals(body), `body ${i} intact`));
    } finally {
      p.close();
    }
  });
}

rules.run();
framing.run();
