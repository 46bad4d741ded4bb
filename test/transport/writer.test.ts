/**
 * ChunkWriter through MsrpTransport.sendMessage, seen from a raw peer on a
 * real socket: range-ends and chunking (RFC 4975 §7.1.1), interruption with
 * `+` when other traffic waits, responses and chat messages overtaking a
 * 50 MB message, fair turns between sessions, `#` on abort and on a 413,
 * Readable bodies, the chunk-size cap, and backpressure.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import type { Chunk } from '../../src/protocol/chunk.ts';
import { MsrpTransport, type BodySource } from '../../src/transport.ts';
import fc from 'fast-check';
import { DEFAULT_HIGH_WATER, hasDashRun } from '../../src/transport/writer.ts';
import { checkProperty } from '../../fuzz/settings.ts';
import { delay, rawPeer, sendHeaders, uri } from './helpers.ts';

const isSend = (c: Chunk): boolean => c.method === 'SEND';

/** The bytes of `message` from the chunks carrying it, checking each chunk starts where the last ended. */
function reassemble(chunks: Chunk[], messageId: string): Buffer {
  const parts: Buffer[] = [];
  let next = 1;
  for (const c of chunks) {
    if (c.messageId !== messageId) continue;
    const range = c.byteRange!;
    assert.is(range.start, next, `chunk ${c.transactionId} starts at ${range.start}, expected ${next}`);
    parts.push(c.body!);
    next += c.body!.length;
  }
  return Buffer.concat(parts);
}

/** Answers every SEND the transport writes with 200. */
function answerAll(p: Awaited<ReturnType<typeof rawPeer>>): void {
  void (async () => {
    for (;;) {
      let c: Chunk;
      try {
        c = await p.next(isSend, 60_000);
      } catch {
        return;
      }
      p.respond(c, 200);
    }
  })();
}

const chunking = suite('writer: chunking and range-ends (RFC 4975 §7.1.1)');

chunking('a message of at most 2048 octets goes whole with an exact range-end', async () => {
  const p = await rawPeer();
  try {
    answerAll(p);
    const m = p.transport.sendMessage({ body: Buffer.alloc(2048, 0x61), contentType: 'text/plain' });
    const outcome = await m.outcome;
    assert.is(outcome.code, 200);
    assert.is(outcome.chunks, 1);
    const c = p.received.find(isSend)!;
    assert.is(c.getHeader('Byte-Range'), '1-2048/2048');
    assert.is(c.continuationFlag, '$');
    assert.is(c.getHeader('Content-Type'), 'text/plain');
    assert.is(c.headers.at(-1)![0], 'Content-Type');
  } finally {
    p.close();
  }
});

chunking('a larger message alone on the connection goes as one interruptible chunk with `*`', async () => {
  const p = await rawPeer();
  try {
    answerAll(p);
    const body = Buffer.alloc(300_000, 0x62);
    const outcome = await p.transport.sendMessage({ body }).outcome;
    assert.is(outcome.chunks, 1);
    assert.is(outcome.bytes, body.length);
    const c = p.received.find(isSend)!;
    assert.is(c.getHeader('Byte-Range'), '1-*/300000');
    assert.ok(c.body!.equals(body));
  } finally {
    p.close();
  }
});

chunking('an empty message is one chunk 1-0/0 with an empty body', async () => {
  const p = await rawPeer();
  try {
    answerAll(p);
    await p.transport.sendMessage({ body: Buffer.alloc(0) }).outcome;
    const c = p.received.find(isSend)!;
    assert.is(c.getHeader('Byte-Range'), '1-0/0');
    assert.is(c.body?.length, 0);
  } finally {
    p.close();
  }
});

chunking('maxChunkSize caps every chunk; the pieces join up byte for byte', async () => {
  const p = await rawPeer({ connection: { maxChunkSize: 10_000 } });
  try {
    answerAll(p);
    const body = Buffer.from(Array.from({ length: 45_000 }, (_, i) => i % 251));
    const m = p.transport.sendMessage({ body });
    const outcome = await m.outcome;
    assert.is(outcome.chunks, 5);
    const sends = p.received.filter(isSend);
    for (const c of sends) assert.ok(c.body!.length <= 10_000);
    assert.equal(sends.map((c) => c.continuationFlag), ['+', '+', '+', '+', '$']);
    assert.ok(reassemble(sends, m.messageId).equals(body));
  } finally {
    p.close();
  }
});

chunking('a Readable of unknown size: `*` total, each chunk continues at the next octet', async () => {
  const p = await rawPeer();
  try {
    answerAll(p);
    const pieces = [Buffer.alloc(5000, 1), Buffer.alloc(7000, 2), Buffer.alloc(100, 3)];
    const m = p.transport.sendMessage({ body: Readable.from(pieces) });
    const outcome = await m.outcome;
    assert.is(outcome.bytes, 12_100);
    const sends = p.received.filter(isSend);
    for (const c of sends) assert.match(c.getHeader('Byte-Range')!, /^\d+-[\d*]+\/\*$/);
    assert.is(sends.at(-1)!.continuationFlag, '$');
    assert.ok(reassemble(sends, m.messageId).equals(Buffer.concat(pieces)));
  } finally {
    p.close();
  }
});

chunking('small chunks and responses queued in one tick reach the socket in one write, in order', async () => {
  const p = await rawPeer();
  try {
    const stream = p.connection.stream as unknown as { write: (...args: unknown[]) => boolean };
    const write = stream.write;
    let writes = 0;
    stream.write = function (this: unknown, ...args: unknown[]) {
      writes++;
      return write.apply(this, args);
    };
    const asked = [p.request({ headers: sendHeaders() }), p.request({ headers: sendHeaders() })];
    await p.next((c) => c.isResponse && c.transactionId === asked[1], 5000);
    writes = 0;
    const messages = Array.from({ length: 100 }, (_, i) => p.transport.sendMessage({ body: `message ${i}`, failureReport: 'no' }));
    const outcomes = await Promise.all(messages.map((m) => m.outcome));
    assert.ok(outcomes.every((o) => o.code === 0 && o.chunks === 1));
    assert.is(writes, 1);
    const last = messages.at(-1)!.messageId;
    await p.next((c) => c.messageId === last, 5000);
    const bodies = p.received.filter(isSend).map((c) => c.body!.toString());
    assert.equal(bodies, messages.map((_, i) => `message ${i}`));
  } finally {
    p.close();
  }
});

chunking('alone on the connection a message writes up to the high-water mark a turn; beside another, a slice', async () => {
  const p = await rawPeer({ connection: { sliceSize: 16384 } });
  try {
    answerAll(p);
    const stream = p.connection.stream as unknown as { write: (data: Buffer, ...rest: unknown[]) => boolean };
    const write = stream.write;
    let largest = 0;
    stream.write = function (this: unknown, data: Buffer, ...rest: unknown[]) {
      largest = Math.max(largest, data.length);
      return write.call(this, data, ...rest);
    };
    const alone = p.transport.sendMessage({ body: Buffer.alloc(600_000, 3) });
    await alone.outcome;
    assert.ok(largest > 4 * 16384, `largest write ${largest}`);
    largest = 0;
    const t2 = new MsrpTransport(p.connection, uri('127.0.0.1', p.local.port as number), [p.peer]);
    const one = p.transport.sendMessage({ body: Buffer.alloc(200_000, 1) });
    const two = t2.sendMessage({ body: Buffer.alloc(200_000, 2) });
    await Promise.all([one.outcome, two.outcome]);
    // the last turn of the two is alone again, and may be larger
    assert.ok(largest <= 200_000 - 16384, `largest write ${largest}`);
    const sends = p.received.filter(isSend).filter((c) => c.messageId !== alone.messageId);
    assert.ok(sends.slice(0, -2).every((c) => c.body!.length <= 16384), 'chunks of a slice while both had octets left');
    assert.ok(reassemble(p.received, alone.messageId).equals(Buffer.alloc(600_000, 3)));
  } finally {
    p.close();
  }
});

chunking('hasDashRun finds seven dashes in a row wherever they are, as a search does', () => {
  for (const text of ['-------', 'x-------', '------', '------x-------', 'ab------cd-------', '-'.repeat(13), 'x'.repeat(200)]) {
    assert.is(hasDashRun(Buffer.from(text)), text.includes('-------'), JSON.stringify(text));
  }
  // mostly dashes with a few other octets: runs of every length at every offset
  const body = fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant(0x2d) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
    { maxLength: 120 }).map((octets) => Buffer.from(octets));
  checkProperty('dash runs', fc.property(body, (b) => hasDashRun(b) === b.includes('-------')), 2000);
});

chunking('responses with comments beyond ASCII, batched or written alone, go out as their exact UTF-8', async () => {
  const p = await rawPeer();
  try {
    // short: into the batch; long (over a batch frame at three octets a unit): a write of its own
    const comments = ['Überprüfung fehlgeschlagen ✓ 失敗', `${'ü'.repeat(1500)}✓`];
    for (const comment of comments) {
      const asked = p.request({ body: 'x', headers: sendHeaders('x') });
      const request = await p.transport.readChunk();
      assert.ok(p.transport.writeResponse(request, 400, comment));
      const response = await p.next((c) => c.isResponse && c.transactionId === asked, 5000);
      assert.is(response.code, 400);
      assert.is(response.comment, comment);
    }
    const wire = p.bytes();
    for (const comment of comments) assert.ok(wire.includes(Buffer.from(` 400 ${comment}\r\n`, 'utf8')));
  } finally {
    p.close();
  }
});

const interruption = suite('writer: interruption and fairness');

interruption('a response and a chat message overtake a 50 MB message, which resumes at the next octet', async () => {
  const p = await rawPeer();
  try {
    const big = Buffer.alloc(50 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff;
    const large = p.transport.sendMessage({ body: big, failureReport: 'no' });
    // once the large message is on the wire, the peer asks something and the session has a chat message
    await p.nextHead((c) => c.messageId === large.messageId, 10_000);
    const tid = p.request({ headers: sendHeaders() });
    const chat = p.transport.sendMessage({ body: 'hi there', failureReport: 'no' });
    const response = await p.next((c) => c.isResponse && c.transactionId === tid, 10_000);
    assert.is(response.code, 200);
    await chat.outcome;
    const outcome = await large.outcome;
    assert.is(outcome.code, 0);
    await p.next((c) => c.messageId === large.messageId && c.continuationFlag === '$', 10_000);
    const sends = p.received.filter(isSend);
    const bigChunks = sends.filter((c) => c.messageId === large.messageId);
    assert.ok(bigChunks.length >= 2, 'the large message was interrupted');
    assert.is(bigChunks[0].continuationFlag, '+');
    assert.is(bigChunks[0].getHeader('Byte-Range')!.split('/')[0].split('-')[1], '*');
    assert.is(bigChunks.at(-1)!.continuationFlag, '$');
    assert.ok(reassemble(sends, large.messageId).equals(big));
    // the chat message went out before the large message was done
    const chatAt = p.received.findIndex((c) => c.messageId === chat.messageId);
    const lastBig = p.received.indexOf(bigChunks.at(-1)!);
    assert.ok(chatAt < lastBig, 'the chat message overtook the large one');
    // and every transaction id is fresh
    assert.is(new Set(sends.map((c) => c.transactionId)).size, sends.length);
  } finally {
    p.close();
  }
});

interruption('two sessions on one connection take turns slice by slice', async () => {
  const p = await rawPeer({ connection: { sliceSize: 16384 } });
  try {
    answerAll(p);
    const t2 = new MsrpTransport(p.connection, uri('127.0.0.1', p.local.port as number), [p.peer]);
    const one = p.transport.sendMessage({ body: Buffer.alloc(200_000, 1) });
    const two = t2.sendMessage({ body: Buffer.alloc(200_000, 2) });
    await Promise.all([one.outcome, two.outcome]);
    const order = p.received.filter(isSend).map((c) => (c.messageId === one.messageId ? 1 : 2));
    // strict alternation while both have octets left: no message holds the connection for two slices
    let runs = 1;
    for (let i = 1; i < order.length; i++) if (order[i] !== order[i - 1]) runs++;
    assert.ok(runs >= order.length - 2, `turns were ${order.join('')}`);
    assert.ok(reassemble(p.received, one.messageId).equals(Buffer.alloc(200_000, 1)));
    assert.ok(reassemble(p.received, two.messageId).equals(Buffer.alloc(200_000, 2)));
  } finally {
    p.close();
  }
});

const stopping = suite('writer: abort, 413, failures');

stopping('a 413 for the chunk in flight ends it with `#` and stops the message (RFC 4975 §10.5)', async () => {
  const p = await rawPeer();
  try {
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(4096, 7));
    const m = p.transport.sendMessage({ body: source });
    const first = await p.nextHead(isSend);
    p.respond(first, 413);
    const outcome = await m.outcome;
    assert.is(outcome.code, 413);
    assert.is(outcome.aborted, false);
    source.push(Buffer.alloc(4096, 8));
    const end = await p.next((c) => c.messageId === m.messageId);
    assert.is(end.continuationFlag, '#');
    assert.ok(await p.none((c) => c.messageId === m.messageId, 100));
  } finally {
    p.close();
  }
});

stopping('abort() ends the open chunk with `#`; nothing more is sent for the message', async () => {
  const p = await rawPeer();
  try {
    answerAll(p);
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(3000, 7));
    const m = p.transport.sendMessage({ body: source, size: 100_000 });
    await delay(30);
    m.abort();
    const outcome = await m.outcome;
    assert.ok(outcome.aborted);
    const mine = p.received.filter((c) => c.messageId === m.messageId);
    assert.is(mine.length, 1);
    assert.is(mine[0].continuationFlag, '#');
    assert.is(mine[0].body?.length, 3000);
    assert.is(mine[0].getHeader('Byte-Range'), '1-*/100000');
  } finally {
    p.close();
  }
});

stopping('abort() after an interruption sends an empty `#` chunk at the next octet', async () => {
  const p = await rawPeer({ connection: { maxChunkSize: 4096 } });
  try {
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(4096, 7));
    const m = p.transport.sendMessage({ body: source, failureReport: 'no' });
    await p.next((c) => c.messageId === m.messageId && c.continuationFlag === '+');
    m.abort();
    assert.ok((await m.outcome).aborted);
    const last = await p.next((c) => c.messageId === m.messageId);
    assert.is(last.continuationFlag, '#');
    assert.is(last.body?.length, 0);
    assert.is(last.getHeader('Byte-Range'), '4097-*/*');
  } finally {
    p.close();
  }
});

stopping('a local 408 when the peer never answers; Failure-Report no and partial settle when written', async () => {
  const p = await rawPeer({ connection: { transactionTimeout: 100 } });
  try {
    const yes = await p.transport.sendMessage({ body: 'a' }).outcome;
    assert.is(yes.code, 408);
    const no = await p.transport.sendMessage({ body: 'b', failureReport: 'no' }).outcome;
    assert.is(no.code, 0);
    const partialMessage = p.transport.sendMessage({ body: 'c', failureReport: 'partial' });
    assert.is((await partialMessage.outcome).code, 0);
    const late = new Promise<Chunk>((resolve) => partialMessage.on('late-response', (_s, r) => resolve(r)));
    p.respond(await p.next((c) => c.messageId === partialMessage.messageId), 415);
    assert.is((await late).code, 415);
  } finally {
    p.close();
  }
});

stopping('the peer leaving fails queued messages with MsrpConnectionError', async () => {
  const p = await rawPeer();
  try {
    const m = p.transport.sendMessage({ body: Buffer.alloc(10_000_000) });
    await p.next(isSend);
    p.socket.destroy();
    try {
      await m.outcome;
      assert.unreachable();
    } catch (err) {
      assert.is((err as { code?: string }).code, 'MSRP_ERR_CONNECTION_LOST');
    }
  } finally {
    p.close();
  }
});

const pressure = suite('writer: backpressure');

pressure('a peer that does not read stops the writer; a Readable source is not drained ahead', async () => {
  const p = await rawPeer();
  try {
    p.socket.pause();
    let produced = 0;
    const source = new Readable({
      read() {
        produced += 65536;
        this.push(Buffer.alloc(65536));
      },
    });
    const m = p.transport.sendMessage({ body: source, failureReport: 'no' });
    await delay(300);
    // kernel buffers on both ends plus one slice and the stream's own buffer, never the whole source
    assert.ok(produced < 64 * 1024 * 1024, `the source produced ${produced} octets`);
    // the writer stops once the socket holds highWater octets: at most one more slice goes in
    assert.ok(p.connection.stream.writableLength <= DEFAULT_HIGH_WATER + 65536 + 1024, `socket holds ${p.connection.stream.writableLength}`);
    const before = produced;
    await delay(100);
    assert.is(produced, before, 'nothing more is read while the peer does not read');
    m.abort();
  } finally {
    p.close();
  }
});

pressure('a source that reuses its memory hears which octets the socket has written, never ahead of it', async () => {
  const p = await rawPeer();
  try {
    p.socket.pause();
    const size = 8 * 1024 * 1024;
    let taken = 0;
    let written = 0;
    const source: BodySource = {
      size,
      get done() { return taken >= size; },
      take(max: number) {
        if (taken >= size) return null;
        const n = Math.min(max, size - taken);
        taken += n;
        return Buffer.alloc(n, 0x62);
      },
      onReady: () => {},
      onError: () => {},
      close() {},
      written(octets: number) {
        written += octets;
        assert.ok(written <= taken, `${written} octets written of ${taken} taken`);
      },
    };
    const m = p.transport.sendMessage({ body: source, size });
    await delay(300);
    assert.ok(taken > 0 && taken < size, `taken ${taken}`);
    // what the socket still holds is not yet written
    assert.ok(written <= taken - p.connection.stream.writableLength, `written ${written}, taken ${taken}`);
    p.socket.resume();
    answerAll(p);
    assert.is((await m.outcome).code, 200);
    assert.is(written, size);
  } finally {
    p.close();
  }
});

chunking.run();
interruption.run();
stopping.run();
pressure.run();
