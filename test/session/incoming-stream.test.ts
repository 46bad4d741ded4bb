/**
 * IncomingStream as the reassembler's sink: order, overlaps, out-of-order
 * pieces within a bound, backpressure hooks, aborts and refusal.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunk } from '../../src/protocol/chunk.ts';
import { IncomingStream } from '../../src/session/incoming-stream.ts';
import { collect, errorOf, pattern } from './helpers.ts';

function make(options: { highWaterMark?: number; maxReorderBytes?: number; retainable?: () => boolean } = {}) {
  const calls = { wanted: 0, refused: 0 };
  const stream = new IncomingStream({
    messageId: 'msg12345', contentType: 'application/octet-stream', size: null,
    chunk: new Chunk({ transactionId: 'tid12345', method: 'SEND' }), ...options,
    onWanted: () => { calls.wanted++; },
    onRefused: () => { calls.refused++; },
  });
  return { stream, calls };
}

const order = suite('IncomingStream: message order');

order('pieces in order come out as written, copied', async () => {
  const { stream } = make();
  const data = collect(stream);
  const piece = Buffer.from(pattern(0, 10));
  stream.write(0, piece);
  piece.fill(0); // the caller's memory is reused: the stream kept a copy
  stream.write(10, pattern(10, 5));
  stream.end(15);
  assert.ok((await data).equals(pattern(0, 15)));
  assert.is(stream.received, 15);
});

order('segments the connection says are retainable are pushed as they are, not copied', async () => {
  const { stream } = make({ retainable: () => true });
  const piece = Buffer.allocUnsafeSlow(10); // its own memory, as a socket read's Buffer
  pattern(0, 10).copy(piece);
  const first = new Promise<Buffer>((resolve) => stream.once('data', resolve));
  stream.write(0, piece);
  const out = await first;
  assert.is(out.buffer, piece.buffer);
  assert.is(out.byteOffset, piece.byteOffset);
});

order('a small view of a large Buffer is copied even when retainable (it would keep the whole Buffer alive)', async () => {
  const { stream } = make({ retainable: () => true });
  const read = Buffer.from(pattern(0, 65536));
  const first = new Promise<Buffer>((resolve) => stream.once('data', resolve));
  stream.write(0, read.subarray(100, 200));
  const out = await first;
  assert.is.not(out.buffer, read.buffer);
  assert.ok(out.equals(read.subarray(100, 200)));
});

order('octets already pushed are skipped (overlaps, duplicates)', async () => {
  const { stream } = make();
  const data = collect(stream);
  stream.write(0, pattern(0, 10));
  stream.write(5, pattern(5, 10));
  stream.write(0, pattern(0, 15));
  stream.end(15);
  assert.ok((await data).equals(pattern(0, 15)));
});

order('pieces ahead of a gap wait for it', async () => {
  const { stream } = make();
  const data = collect(stream);
  stream.write(20, pattern(20, 10));
  stream.write(10, pattern(10, 10));
  assert.is(stream.received, 0);
  stream.write(0, pattern(0, 12));
  assert.is(stream.received, 30);
  stream.end(30);
  assert.ok((await data).equals(pattern(0, 30)));
});

order('end before the last piece waits for it', async () => {
  const { stream } = make();
  const data = collect(stream);
  stream.write(0, pattern(0, 5));
  stream.end(10);
  stream.write(5, pattern(5, 5));
  assert.ok((await data).equals(pattern(0, 10)));
});

order.run();

const bounds = suite('IncomingStream: bounds and endings');

bounds('write returns false at the high-water mark; reading asks for more once', async () => {
  const { stream, calls } = make({ highWaterMark: 16 });
  assert.ok(stream.write(0, pattern(0, 8)));
  assert.not.ok(stream.write(8, pattern(8, 16)));
  stream.read();
  await Promise.resolve();
  assert.is(calls.wanted, 1);
  stream.read();
  await Promise.resolve();
  assert.is(calls.wanted, 1, 'only after a write said false');
});

bounds('more out-of-order octets than maxReorderBytes: MSRP_ERR_MESSAGE_REORDER and refusal', async () => {
  const { stream, calls } = make({ maxReorderBytes: 16 });
  const failure = errorOf(collect(stream));
  stream.write(10, pattern(10, 10));
  stream.write(30, pattern(30, 10));
  assert.is((await failure)?.code, 'MSRP_ERR_MESSAGE_REORDER');
  assert.is(calls.refused, 1);
});

bounds('abort(reason) gives the consumer MSRP_ERR_MESSAGE_ABORTED or _INCOMPLETE, never a refusal', async () => {
  for (const [reason, code] of [['aborted', 'MSRP_ERR_MESSAGE_ABORTED'], ['closed', 'MSRP_ERR_MESSAGE_INCOMPLETE'],
    ['expired', 'MSRP_ERR_MESSAGE_INCOMPLETE'], ['too-large', 'MSRP_ERR_MESSAGE_INCOMPLETE']] as const) {
    const { stream, calls } = make();
    const failure = errorOf(collect(stream));
    stream.write(0, pattern(0, 4));
    stream.abort(reason);
    assert.is((await failure)?.code, code, reason);
    assert.is(calls.refused, 0);
  }
});

bounds('destroyed by its consumer before the end: refused once; after the end: not', async () => {
  const early = make();
  early.stream.write(0, pattern(0, 4));
  early.stream.destroy();
  await new Promise((r) => setImmediate(r));
  assert.is(early.calls.refused, 1);
  assert.ok(early.stream.write(4, pattern(4, 4)), 'writes after destroy are dropped');

  const late = make();
  const data = collect(late.stream);
  late.stream.write(0, pattern(0, 4));
  late.stream.end(4);
  await data;
  late.stream.destroy();
  assert.is(late.calls.refused, 0);
});

bounds.run();
