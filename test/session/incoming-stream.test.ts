/**
 * IncomingStream as the reassembler's sink: order, overlaps, out-of-order
 * pieces within a bound, backpressure hooks, aborts and refusal.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunk } from '../../src/protocol/chunk.ts';
import { IncomingStream } from '../../src/session/incoming-stream.ts';
import { collect, errorOf, next, pattern } from './helpers.ts';

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

/** Lets queued microtasks (the session's resume is one) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
  await settle();
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

const borrow = suite('IncomingStream: borrow() and proceed()');

/** Borrows `stream`'s octets into one list; `answer` is what the borrower returns for each view. */
function borrowAll(stream: IncomingStream, answer: (view: Buffer) => boolean | void = () => true) {
  const views: Buffer[] = [];
  stream.borrow((view) => {
    views.push(Buffer.from(view)); // valid only during the call: a borrower copies what it keeps
    return answer(view);
  });
  return { views, octets: () => Buffer.concat(views) };
}

borrow('views in message order, held pieces when their gap fills; the written memory itself, during the call', () => {
  const { stream } = make();
  const seen: Buffer[] = [];
  const { octets } = borrowAll(stream, (view) => { seen.push(view); });
  const piece = Buffer.from(pattern(0, 12));
  stream.write(20, pattern(20, 10));
  stream.write(10, pattern(10, 10));
  assert.is(octets().length, 0, 'nothing before the gap at 0 is filled');
  stream.write(0, piece);
  assert.ok(octets().equals(pattern(0, 30)));
  assert.is(seen[0].buffer, piece.buffer, 'no copy of an in-order write');
  assert.is(seen[0].byteOffset, piece.byteOffset);
  assert.is(stream.readableLength, 0, 'nothing went through the Readable');
});

borrow('false pauses the session\'s reader; proceed() resumes it once, and reading the Readable does not', async () => {
  const { stream, calls } = make();
  let answer = false;
  borrowAll(stream, () => answer);
  assert.not.ok(stream.write(0, pattern(0, 8)), 'write says pause');
  stream.read();
  await settle();
  assert.is(calls.wanted, 0, 'still paused: only the borrower says when');
  answer = true;
  stream.proceed();
  await settle();
  assert.is(calls.wanted, 1);
  stream.proceed();
  await settle();
  assert.is(calls.wanted, 1, 'proceed() without a pause does nothing');
  assert.ok(stream.write(8, pattern(8, 8)));
});

borrow('octets the Readable buffered before borrow() come first, then the rest, in order', async () => {
  const { stream, calls } = make({ highWaterMark: 16 });
  stream.write(0, pattern(0, 10));
  assert.not.ok(stream.write(10, pattern(10, 10)), 'the Readable is full: the session pauses');
  const { octets } = borrowAll(stream);
  stream.write(20, pattern(20, 5));
  assert.ok(octets().equals(pattern(0, 25)));
  await settle();
  assert.is(calls.wanted, 1, 'the buffered octets taken, the session reads on');
});

borrow('a borrower that says false to the buffered octets keeps the session paused until proceed()', async () => {
  const { stream, calls } = make({ highWaterMark: 16 });
  assert.not.ok(stream.write(0, pattern(0, 20)), 'the Readable is full: the session pauses');
  const { octets } = borrowAll(stream, () => false);
  assert.ok(octets().equals(pattern(0, 20)));
  await settle();
  assert.is(calls.wanted, 0, 'not resumed behind the borrower\'s back');
  stream.proceed();
  await settle();
  assert.is(calls.wanted, 1);
});

borrow('false means nothing more until proceed(): held pieces and buffered octets wait, then come in order', async () => {
  const { stream, calls } = make({ highWaterMark: 4 });
  // buffered in the Readable before borrow(), lent at once (read() gives them in one piece)
  stream.write(0, pattern(0, 4));
  stream.write(4, pattern(4, 4));
  let answer = false;
  const { octets } = borrowAll(stream, () => answer);
  assert.ok(octets().equals(pattern(0, 8)));
  answer = true;
  stream.proceed();
  await settle();
  assert.is(calls.wanted, 1);
  // held pieces behind a gap: the borrower says false to the piece that fills it
  stream.write(20, pattern(20, 10));
  stream.write(12, pattern(12, 8));
  answer = false;
  assert.not.ok(stream.write(8, pattern(8, 4)), 'write says pause');
  assert.ok(octets().equals(pattern(0, 12)), 'the held pieces wait');
  stream.end(30);
  let ended = false;
  stream.on('end', () => { ended = true; });
  await settle();
  assert.not.ok(ended, 'no end before the held octets were lent');
  answer = true;
  stream.proceed();
  assert.ok(octets().equals(pattern(0, 30)));
  await settle();
  assert.ok(ended);
});

borrow('\'end\' comes after the last octet, also when the message ended before borrow()', async () => {
  const live = make().stream;
  const log: string[] = [];
  live.borrow((view) => { log.push(`octets ${view.length}`); });
  live.once('end', () => log.push('end'));
  const ended = next(live, 'end', 2000);
  live.write(0, pattern(0, 6));
  live.write(6, pattern(6, 4));
  live.end(10);
  await ended;
  assert.equal(log, ['octets 6', 'octets 4', 'end']);

  const done = make().stream;
  done.write(0, pattern(0, 10));
  done.end(10);
  const { octets } = borrowAll(done);
  await next(done, 'end', 2000);
  assert.ok(octets().equals(pattern(0, 10)));
});

borrow('a borrower that throws destroys the stream with its error: the rest is refused (413)', async () => {
  const { stream, calls } = make();
  const failure = new Error('disk full');
  let taken = 0;
  stream.borrow((view) => {
    taken += view.length;
    if (taken > 8) throw failure;
  });
  const error = new Promise<Error>((resolve) => stream.once('error', resolve));
  assert.ok(stream.write(0, pattern(0, 8)));
  assert.ok(stream.write(8, pattern(8, 8)), 'the session reads on, to refuse the rest');
  assert.is(await error, failure);
  assert.ok(stream.destroyed);
  assert.is(calls.refused, 1);
  stream.write(16, pattern(16, 8));
  assert.is(taken, 16, 'nothing more is lent');
});

borrow('a borrower that throws on the buffered octets: borrow() returns, the stream is destroyed, the paused session reads on', async () => {
  const { stream, calls } = make({ highWaterMark: 16 });
  assert.not.ok(stream.write(0, pattern(0, 20)), 'the Readable is full: the session pauses');
  const failure = new Error('not now');
  const error = next(stream, 'error', 2000);
  stream.borrow(() => { throw failure; });
  assert.is(await error, failure);
  assert.is(calls.refused, 1);
  assert.is(calls.wanted, 1, 'resumed, to refuse the rest');
});

borrow('destroy() while borrowing refuses the rest and resumes a session the borrower paused', async () => {
  const { stream, calls } = make();
  const { octets } = borrowAll(stream, () => false);
  stream.on('error', () => {});
  assert.not.ok(stream.write(0, pattern(0, 8)));
  stream.destroy();
  await settle();
  assert.is(calls.refused, 1);
  assert.is(calls.wanted, 1, 'the session reads on, to answer the rest 413');
  assert.ok(stream.write(8, pattern(8, 8)));
  assert.ok(octets().equals(pattern(0, 8)), 'nothing lent after destroy()');
});

borrow('a second borrower is refused', () => {
  const { stream } = make();
  stream.borrow(() => {});
  assert.throws(() => stream.borrow(() => {}), /already has a borrower/);
});

borrow.run();
