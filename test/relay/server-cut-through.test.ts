// MsrpRelay cut-through (RFC 4976 §6.4.1, RFC 4975 §7.1): body octets
// forwarded as they arrive with bounded memory, flow control back to the
// sender, chunks split for fairness with their Byte-Ranges, and the end-line
// of a new transaction id kept out of a streamed body.
import { createHash, randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { JOB_COST } from '../../src/relay/lanes.ts';
import { DEFAULT_HIGH_WATER, DEFAULT_SLICE_SIZE } from '../../src/transport/writer.ts';
import { delay, receiver, relayedEndpoint, startRelay, transportTo, until } from './server-helpers.ts';

const memory = suite('relay server: cut-through with bounded memory');

memory('a 20 MB single chunk reaches a slow receiver byte-exact; the relay never holds more than its window', async () => {
  const window = 256 * 1024;
  const relay = await startRelay({ forwardWindow: window });
  const a = await relayedEndpoint(relay, 'alice');
  const b = await relayedEndpoint(relay, 'bob');
  try {
    const ta = transportTo(a, b.path);
    const tb = transportTo(b, a.path);
    const body = randomBytes(20 * 1024 * 1024);
    let maxHeld = 0;
    let maxQueued = 0;
    // sampled on a timer and at every piece B reads (a busy machine may starve the timer)
    const sample = (): void => {
      const s = relay.stats();
      maxHeld = Math.max(maxHeld, s.heldBytes);
      maxQueued = Math.max(maxQueued, s.queuedBytes);
    };
    const hash = createHash('sha256');
    let received = 0;
    let chunks = 0;
    let done = false;
    tb.setHandler({
      onSendHead: () => true,
      onSendBody(segment) {
        hash.update(segment);
        received += segment.length;
        sample();
        // a slow reader: a pause every 256 KiB
        if (received % (256 * 1024) < segment.length) {
          setTimeout(() => tb.resume(), 3);
          return false;
        }
        return true;
      },
      onSendEnd(chunk) {
        chunks++;
        tb.writeResponse(chunk, 200);
        if (chunk.continuationFlag === '$') done = true;
      },
    });
    const sampler = setInterval(sample, 2);
    const chunk = ta.makeChunk({ data: body, contentType: 'application/octet-stream' });
    const answered = ta.writeChunk(chunk);
    await until(() => done, 60_000, 'the whole chunk at B');
    clearInterval(sampler);
    assert.is((await answered).code, 200);
    assert.is(received, body.length);
    assert.is(hash.digest('hex'), createHash('sha256').update(body).digest('hex'));
    assert.ok(maxHeld > 0, 'the relay did hold octets while B was slow');
    assert.ok(maxHeld <= window + JOB_COST + 65536, `held at most the window: ${maxHeld}`);
    // the writer stops at its high-water mark, checked before each turn: a turn may add one slice past it
    assert.ok(maxQueued <= DEFAULT_HIGH_WATER + DEFAULT_SLICE_SIZE, `downstream socket queue bounded: ${maxQueued}`);
    assert.ok(chunks >= 1);
  } finally {
    a.client.close();
    b.client.close();
    await relay.close();
  }
});

memory.run();

const fairness = suite('relay server: fairness between sessions on a shared connection');

fairness('a chat message overtakes a large chunk on the connection to B, which is split with + and contiguous Byte-Ranges', async () => {
  const relay = await startRelay();
  try {
    const a1 = await relayedEndpoint(relay, 'alice');
    const a2 = await relayedEndpoint(relay, 'alice');
    const b1 = await relayedEndpoint(relay, 'bob');
    const b2 = await relayedEndpoint(relay, 'bob', b1.client); // two sessions on one connection
    const big = transportTo(a1, b1.path);
    const chat = transportTo(a2, b2.path);
    const rBig = receiver(transportTo(b1, a1.path));
    const rChat = receiver(transportTo(b2, a2.path));
    const body = randomBytes(8 * 1024 * 1024);
    const bigAnswered = big.writeChunk(big.makeChunk({ data: body, contentType: 'application/octet-stream' }));
    await until(() => rBig.heads.length > 0, 5000, 'the large chunk under way at B');
    chat.sendMessage({ body: 'hi while the file goes' });
    const chatMessage = await rChat.next();
    const order: string[] = ['chat'];
    const bigMessage = await rBig.next();
    order.push('big');
    assert.equal(order, ['chat', 'big']);
    assert.is(String(chatMessage.body), 'hi while the file goes');
    assert.ok(bigMessage.body.equals(body), 'the large body byte-exact');
    assert.ok(bigMessage.chunks.length >= 2, `split into ${bigMessage.chunks.length} chunks`);
    let next = 1;
    for (const [i, c] of bigMessage.chunks.entries()) {
      const r = c.byteRange!;
      assert.is(r.start, next, 'contiguous');
      assert.is(r.total, body.length);
      assert.is(c.continuationFlag, i === bigMessage.chunks.length - 1 ? '$' : '+');
      next += bigMessage.sizes[i];
    }
    assert.is((await bigAnswered).code, 200);
    for (const e of [a1, a2, b1]) e.client.close();
  } finally {
    await relay.close();
  }
});

fairness.run();

const endLine = suite('relay server: the new end-line kept out of a streamed body (RFC 4975 §7.1)');

endLine('a body that turns out to hold the forwarded chunk\'s own end-line is split before it and arrives intact', async () => {
  const relay = await startRelay();
  try {
    const a = await relayedEndpoint(relay, 'alice');
    const b = await relayedEndpoint(relay, 'bob');
    const ta = transportTo(a, b.path);
    const rb = receiver(transportTo(b, a.path));
    // A writes the chunk by hand: the head and a first part, then a part made once B has seen the new transaction id
    const tid = randomIdent();
    const head = ta.makeChunk({ transactionId: tid, data: Buffer.alloc(0), end: '*', length: '*', contentType: 'application/octet-stream' });
    const [headBytes] = Chunk.frame(head);
    const first = randomBytes(3000);
    const socket = a.client.connection.stream;
    socket.write(Buffer.concat([headBytes, first]));
    await until(() => rb.heads.length > 0, 5000, 'the forwarded head at B');
    const newTid = rb.heads[0].transactionId;
    const trap = Buffer.from(`\r\n-------${newTid}$\r\nMSRP ${newTid} 200 OK\r\n`);
    const rest = Buffer.concat([trap, randomBytes(1000), trap.subarray(0, 10)]);
    // the trap also straddles two writes
    socket.write(rest.subarray(0, 5));
    await delay(50);
    socket.write(Buffer.concat([rest.subarray(5), Buffer.from(`\r\n-------${tid}$\r\n`)]));
    const got = await rb.next();
    assert.ok(got.body.equals(Buffer.concat([first, rest])), 'byte-exact');
    assert.ok(got.chunks.length >= 2, 'split before the would-be end-line');
    assert.is(got.chunks[0].continuationFlag, '+');
    a.client.close();
    b.client.close();
  } finally {
    await relay.close();
  }
});

endLine.run();
