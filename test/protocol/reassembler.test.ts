import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Flag, HeaderId } from '../../src/core/constants.ts';
import { createFramingEngine } from '../../src/core/index.ts';
import { JsRangeTracker, type RangeTracker, WasmRangeTracker } from '../../src/core/ranges.ts';
import { type ByteRange, parseByteRange } from '../../src/protocol/headers.ts';
import {
  type ChunkOutcome, type FailedMessage, type IncomingChunk, type IncomingMessage, MessageReassembler,
  type ReassemblerOptions, type ReassemblySink,
} from '../../src/protocol/reassembler.ts';
import { loadCore } from '../../src/core/wasm.ts';

const { END, MORE, ABORT } = Flag;
const core = loadCore()!.exports;
const BACKENDS: Array<[string, (o: { maxMessages?: number; maxIntervals?: number }) => RangeTracker]> = [
  ['wasm', (o) => new WasmRangeTracker(core, o)],
  ['js', (o) => new JsRangeTracker(o)],
];

/** A sink that keeps what it is given, for checking. */
class RecordingSink implements ReassemblySink {
  bytes = Buffer.alloc(0);
  writes: Array<[number, number]> = [];
  ended: number | null = null;
  aborted: string | null = null;
  pauseAfter = Infinity;
  write(offset: number, bytes: Buffer): boolean {
    this.writes.push([offset, bytes.length]);
    if (offset + bytes.length > this.bytes.length) {
      const grown = Buffer.alloc(offset + bytes.length);
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    bytes.copy(this.bytes, offset);
    return this.writes.length < this.pauseAfter;
  }
  end(total: number): void { this.ended = total; }
  abort(reason: string): void { this.aborted = reason; }
}

const RFC_DIR = '/work/shared/vectors/rfc/';

/** Frames RFC example files with the framing engine and feeds each SEND chunk to `r`, as a session would. */
function feedRfc(r: MessageReassembler<string>, files: string[]): ChunkOutcome<string>[] {
  const outcomes: ChunkOutcome<string>[] = [];
  for (const file of files) {
    let chunk: IncomingChunk<string> | null = null;
    const engine = createFramingEngine();
    engine.feed(readFileSync(RFC_DIR + file), {
      onHead(head) {
        const value = (id: number) => head.values[head.ids.indexOf(id)];
        const range = value(HeaderId.BYTE_RANGE);
        chunk = r.begin(value(HeaderId.MESSAGE_ID), range === undefined ? null : parseByteRange(range), file);
      },
      onBody(segment) { chunk!.write(segment); },
      onEnd(flag) { outcomes.push(chunk!.end(flag)); },
      onError(error) { throw new Error(`${file}: framing error ${error.code}`); },
    });
    engine.free();
  }
  return outcomes;
}

for (const [backend, makeTracker] of BACKENDS) {
  function setup(options: ReassemblerOptions<string> & { maxMessages?: number; maxIntervals?: number } = {}) {
    const r = new MessageReassembler<string>({
      sweepIntervalMs: 0, ...options,
      tracker: makeTracker({ maxMessages: options.maxMessages, maxIntervals: options.maxIntervals }),
    });
    const messages: IncomingMessage<string>[] = [];
    const failed: FailedMessage<string>[] = [];
    r.on('message', (m) => messages.push(m));
    r.on('failed', (f) => failed.push(f));
    /** One chunk: head, body in `pieces` segments, end-line. */
    function send(id: string, range: ByteRange | null, body: string | Buffer, flag: number, pieces = 1, meta = 'm') {
      const bytes = Buffer.from(body);
      const chunk = r.begin(id, range, meta);
      const step = Math.max(1, Math.ceil(bytes.length / pieces));
      for (let at = 0; at < bytes.length; at += step) chunk.write(bytes.subarray(at, at + step));
      return chunk.end(flag);
    }
    return { r, messages, failed, send };
  }
  const br = (start: number, end: number | '*', total: number | '*'): ByteRange => ({ start, end, total });
  const text = (m: IncomingMessage<string>) => m.body!.toString();

  const whole = suite(`MessageReassembler (${backend}): whole and chunked messages`);

  whole('one chunk with $ is delivered whole from memory, and nothing stays held', () => {
    const { r, messages, send } = setup();
    const out = send('a', br(1, 5, 5), 'hello', END, 3);
    assert.equal([out.status, out.newBytes, out.duplicateBytes, out.aborted], [200, 5, 0, false]);
    assert.is(out.message, messages[0]);
    assert.equal([messages.length, text(messages[0]), messages[0].total, messages[0].meta], [1, 'hello', 5, 'm']);
    assert.equal([r.size, r.bufferedBytes], [0, 0]);
  });

  whole('a body far smaller than its announced total is not delivered as a view of the big buffer', () => {
    const { messages, send } = setup();
    send('a', br(1, 3, 100_000), 'abc', END);
    send('b', br(1, 3, 3), 'xyz', END);
    assert.equal([text(messages[0]), messages[0].body!.buffer.byteLength < 100_000], ['abc', true]);
    assert.is(text(messages[1]), 'xyz');
  });

  whole('a SEND with no Byte-Range starts at 1 (RFC 4975 §7.3.1)', () => {
    const { messages, send } = setup();
    send('a', null, 'Hey Bob', END);
    assert.is(text(messages[0]), 'Hey Bob');
  });

  whole('an empty message 1-0/0 is delivered empty', () => {
    const { messages, send } = setup();
    send('a', br(1, 0, 0), '', END);
    assert.equal([messages[0].total, messages[0].body!.length], [0, 0]);
  });

  whole('a wrong Byte-Range total: the $ chunk sets the real length (RFC 4975 §4 Figure 2)', () => {
    const { messages, send } = setup();
    send('a', br(1, 25, 25), 'Hey Bob, are you there?', END);
    assert.equal([messages[0].total, text(messages[0])], [23, 'Hey Bob, are you there?']);
  });

  whole('chunks out of order, two messages interleaved', () => {
    const { r, messages, send } = setup();
    send('x', br(5, 8, 8), 'EFGH', END);
    send('y', br(1, '*', '*'), 'one ', MORE);
    assert.equal(r.ranges('x'), [{ start: 5, end: 8 }]);
    send('x', br(1, '*', 8), 'abcd', MORE);
    send('y', br(5, 7, 7), 'two', END);
    assert.equal(messages.map(text), ['abcdEFGH', 'one two']);
    assert.is(r.ranges('x'), null);
  });

  whole('overlapping chunks: the last one received wins (RFC 4975 §7.3.1)', () => {
    const { messages, send } = setup();
    const first = send('a', br(1, 10, 12), 'aaaaaaaaaa', MORE);
    const second = send('a', br(5, 12, 12), 'BBBBBBBB', END);
    assert.equal([first.newBytes, second.newBytes, second.duplicateBytes], [10, 2, 6]);
    assert.is(text(messages[0]), 'aaaaBBBBBBBB');
    send('b', br(5, 12, 12), 'BBBBBBBB', END);
    send('b', br(1, 10, 12), 'aaaaaaaaaa', MORE);
    assert.is(text(messages[1]), 'aaaaaaaaaaBB');
  });

  whole('an interrupted chunk ends where its body ends, not at range-end', () => {
    const { messages, send } = setup();
    send('a', br(1, '*', 10), 'abc', MORE); // interrupted after 3 of 10
    send('a', br(4, 10, 10), 'defghij', END);
    assert.is(text(messages[0]), 'abcdefghij');
  });

  whole('a later $ with a smaller total cuts the message there', () => {
    const { messages, send } = setup();
    send('a', br(1, '*', '*'), 'abcdefgh', MORE);
    send('a', br(4, 5, 5), 'DE', END);
    assert.equal([text(messages[0]), messages[0].total], ['abcDE', 5]);
  });

  whole('bytes past a known total are dropped; bytes before it overwrite', () => {
    const { messages, send } = setup();
    send('a', br(3, 4, 4), 'cd', END);
    const out = send('a', br(1, '*', '*'), 'abXYZ', MORE);
    assert.equal([out.newBytes, out.duplicateBytes], [2, 2]);
    assert.is(text(messages[0]), 'abXY');
  });

  whole('a later $ chunk past the total an earlier $ set moves the total and keeps its bytes', () => {
    const { messages, send } = setup();
    send('a', br(3, 4, 4), 'cd', END);
    send('a', br(5, 8, 8), 'efgh', END);
    send('a', br(1, 2, 8), 'ab', MORE);
    assert.is(text(messages[0]), 'abcdefgh');
  });

  whole('# discards the message; the same Message-ID then starts afresh', () => {
    const { r, messages, failed, send } = setup();
    send('a', br(1, '*', '*'), 'abc', MORE);
    const out = send('a', br(4, '*', '*'), 'de', ABORT);
    assert.equal([out.status, out.aborted, r.size, r.bufferedBytes], [200, true, 0, 0]);
    assert.equal(failed.map((f) => [f.reason, f.status]), [['aborted', 0]]);
    send('a', br(1, 2, 2), 'ok', END);
    assert.is(text(messages[0]), 'ok');
  });

  whole('ranges() lists what arrived, for an incremental success REPORT (RFC 4975 §7.1.3)', () => {
    const { r, send } = setup();
    send('a', br(1, 3, 20), 'abc', MORE);
    send('a', br(11, 15, 20), 'klmno', MORE);
    assert.equal(r.ranges('a'), [{ start: 1, end: 3 }, { start: 11, end: 15 }]);
    assert.is(r.ranges('nope'), null);
  });

  const bad = suite(`MessageReassembler (${backend}): bad input and bounds`);

  bad('a Byte-Range that cannot be tracked gets 400 and leaves the message alone', () => {
    const { r, send } = setup();
    send('a', br(1, 3, 6), 'abc', MORE);
    for (const range of [br(0, 3, 6), br(2 ** 53, '*', '*'), br(1.5, '*', '*'), br(5, 2, 6)]) {
      assert.is(send('a', range, 'zz', MORE).status, 400);
    }
    assert.equal(r.ranges('a'), [{ start: 1, end: 3 }]);
  });

  bad('an announced size past maxMessageSize gets 413 at once, and so does every later chunk', () => {
    const { r, failed, send } = setup({ maxMessageSize: 100 });
    send('a', br(1, 10, '*'), 'x'.repeat(10), MORE);
    const chunk = r.begin('a', br(11, 20, 200), 'm');
    assert.is(chunk.status, 413);
    chunk.write(Buffer.from('y'.repeat(10)));
    assert.is(chunk.end(MORE).status, 413);
    assert.equal(failed.map((f) => [f.reason, f.status, f.ranges]), [['too-large', 413, [{ start: 1, end: 10 }]]]);
    assert.is(send('a', br(21, 21, '*'), 'z', END).status, 413);
    assert.is(r.size, 0);
  });

  bad('a body growing past maxMessageSize stops the message with 413 at its end-line', () => {
    const { r, failed, send } = setup({ maxMessageSize: 8 });
    assert.is(send('a', br(1, '*', '*'), '0123456789', MORE, 5).status, 413);
    assert.equal([failed.length, failed[0].reason, r.size, r.bufferedBytes], [1, 'too-large', 0, 0]);
    const abort = send('b', br(1, '*', '*'), '0123456789', ABORT, 5);
    assert.equal([abort.status, abort.aborted, failed[1].reason], [200, true, 'aborted']);
  });

  bad('more messages than maxMessages: the extra one gets 413', () => {
    const { r, send } = setup({ maxMessages: 2 });
    send('a', br(1, 1, 2), 'a', MORE);
    send('b', br(1, 1, 2), 'b', MORE);
    assert.is(send('c', br(1, 1, 2), 'c', MORE).status, 413);
    assert.is(r.size, 2);
  });

  bad('more gaps than maxIntervals: 413, and the failure carries the ranges held', () => {
    const { r, failed, send } = setup({ maxIntervals: 2 });
    send('a', br(1, 1, 9), 'a', MORE);
    send('a', br(3, 3, 9), 'c', MORE);
    assert.is(send('a', br(5, 5, 9), 'e', MORE).status, 413);
    assert.equal(failed[0].ranges, [{ start: 1, end: 1 }, { start: 3, end: 3 }]);
    assert.equal([r.size, r.bufferedBytes], [0, 0]);
  });

  bad('memory never holds more than maxBufferedBytes: without a sink the overflow gets 413', () => {
    const { r, send } = setup({ maxBufferedBytes: 64, inlineLimit: 48 });
    send('a', br(1, 40, 40), 'a'.repeat(40), MORE);
    assert.ok(r.bufferedBytes <= 64);
    assert.is(send('b', br(1, 30, 30), 'b'.repeat(30), MORE).status, 413);
    assert.ok(r.bufferedBytes <= 64);
    assert.is(send('c', br(1, 20, 20), 'c'.repeat(20), MORE).status, 200);
    assert.ok(r.bufferedBytes <= 64);
  });

  const sinks = suite(`MessageReassembler (${backend}): sinks`);

  sinks('a message announced larger than inlineLimit goes to the sink at offsets, never to memory', () => {
    const made: RecordingSink[] = [];
    const hints: Array<number | null> = [];
    const { r, messages, send } = setup({
      inlineLimit: 16,
      createSink: (_id, _meta, hint) => { hints.push(hint); made.push(new RecordingSink()); return made[0]; },
    });
    send('big', br(21, 40, 40), 'B'.repeat(20), END, 4);
    assert.is(r.bufferedBytes, 0);
    send('big', br(1, 20, 40), 'A'.repeat(20), MORE, 3);
    assert.equal(hints, [40]);
    assert.is(messages[0].body, null);
    assert.is(messages[0].sink, made[0]);
    assert.equal([made[0].ended, made[0].bytes.toString()], [40, 'A'.repeat(20) + 'B'.repeat(20)]);
    assert.equal(made[0].writes.slice(0, 4), [[20, 5], [25, 5], [30, 5], [35, 5]]);
  });

  sinks('a message of unknown size moves from memory to the sink when it outgrows inlineLimit', () => {
    const sink = new RecordingSink();
    const { r, messages, send } = setup({ inlineLimit: 10, createSink: () => sink });
    send('a', br(1, '*', '*'), 'abcdef', MORE);
    assert.is(r.bufferedBytes > 0, true);
    send('a', br(9, '*', '*'), 'ijklmn', END, 2);
    assert.is(r.bufferedBytes, 0);
    send('a', br(7, 8, 14), 'gh', MORE);
    assert.equal([sink.bytes.toString(), sink.ended, messages[0].sink === sink], ['abcdefghijklmn', 14, true]);
  });

  sinks('gaps spilled from memory to a sink are zeros, never earlier memory', () => {
    for (let k = 0; k < 64; k++) Buffer.allocUnsafe(2000).fill(0xee); // leave garbage in the allocation pool
    const sink = new RecordingSink();
    const { send } = setup({ inlineLimit: 30, createSink: () => sink });
    send('a', br(21, 25, '*'), 'xxxxx', MORE);
    send('a', br(26, 40, '*'), 'y'.repeat(15), MORE);
    assert.equal(sink.writes[0], [0, 25]);
    assert.ok(sink.bytes.subarray(0, 20).every((b) => b === 0));
    assert.is(sink.bytes.subarray(20, 40).toString(), 'xxxxx' + 'y'.repeat(15));
  });

  sinks('with no sink (factory returns null) a message too large for memory gets 413', () => {
    const { failed, send } = setup({ inlineLimit: 4, createSink: () => null });
    assert.is(send('a', br(1, 5, 5), 'abcde', END).status, 413);
    assert.is(failed[0].reason, 'too-large');
  });

  sinks('a sink asking to pause makes write return false', () => {
    const sink = new RecordingSink();
    sink.pauseAfter = 2;
    const { r } = setup({ inlineLimit: 1, createSink: () => sink });
    const chunk = r.begin('a', br(1, 3, 3), 'm');
    assert.is(chunk.write(Buffer.from('a')), true);
    assert.is(chunk.write(Buffer.from('b')), false);
    chunk.write(Buffer.from('c'));
    assert.is(chunk.end(END).status, 200);
    assert.is(sink.ended, 3);
  });

  sinks('a failed or aborted message aborts its sink', () => {
    const sinks: RecordingSink[] = [];
    const { send } = setup({ inlineLimit: 1, createSink: () => { sinks.push(new RecordingSink()); return sinks.at(-1)!; } });
    send('a', br(1, 3, 9), 'abc', MORE);
    send('a', br(4, 4, 9), 'd', ABORT);
    assert.is(sinks[0].aborted, 'aborted');
  });

  sinks('refuse frees the tracker slot at once; the chunk arriving and later ones get 413', () => {
    const sink = new RecordingSink();
    const { r, failed, send } = setup({ inlineLimit: 1, createSink: () => sink });
    send('a', br(1, 3, 9), 'abc', MORE);
    const arriving = r.begin('a', br(4, 6, 9), 'm');
    arriving.write(Buffer.from('d'));
    assert.is(r.trackedMessages, 1);
    r.refuse('a');
    assert.is(r.trackedMessages, 0);
    assert.is(r.size, 0);
    assert.equal(failed.map((f) => [f.messageId, f.reason, f.status, f.ranges]), [['a', 'refused', 413, [{ start: 1, end: 3 }]]]);
    arriving.write(Buffer.from('e'));
    assert.is(arriving.status, 413, 'answered before its end-line');
    assert.is(arriving.end(MORE).status, 413);
    assert.is(send('a', br(7, 9, 9), 'ghi', END).status, 413);
    assert.is(r.trackedMessages, 0);
    assert.equal(sink.writes, [[0, 3], [3, 1]]);
    r.refuse('b');
    assert.is(send('b', br(1, 1, 1), 'x', END).status, 413, 'a Message-ID refused before it started');
  });

  const life = suite(`MessageReassembler (${backend}): expiry and close`);

  life('a stalled partial message expires with 408 and its ranges; one with a body arriving does not', () => {
    let now = 1000;
    const { r, failed, send } = setup({ expireMs: 500, now: () => now });
    send('stalled', br(1, 2, 4), 'ab', MORE);
    const arriving = r.begin('arriving', br(1, 4, 4), 'm');
    arriving.write(Buffer.from('ab'));
    now = 1400;
    r.expire();
    assert.is(failed.length, 0);
    now = 1600;
    r.expire();
    assert.equal(failed.map((f) => [f.messageId, f.reason, f.status, f.ranges]),
      [['stalled', 'expired', 408, [{ start: 1, end: 2 }]]]);
    arriving.write(Buffer.from('cd'));
    assert.is(arriving.end(END).status, 200);
    assert.is(send('stalled', br(3, 4, 4), 'cd', END).status, 200, 'a late chunk starts a new message');
    assert.equal(r.ranges('stalled'), [{ start: 3, end: 4 }]);
  });

  life('the sweep timer expires stalled messages by itself', async () => {
    let now = 0;
    const { r, failed, send } = setup({ expireMs: 1000, sweepIntervalMs: 1, now: () => now });
    send('a', br(1, 1, 2), 'a', MORE);
    now = 5000;
    // waits for the timer's sweep; the guard only turns a missing timer into a failure instead of a hang
    let guard: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise((resolve) => r.once('failed', resolve)),
      new Promise((_, reject) => { guard = setTimeout(() => reject(new Error('no sweep')), 10_000); }),
    ]);
    clearTimeout(guard);
    assert.equal(failed.map((f) => [f.messageId, f.reason]), [['a', 'expired']]);
    r.close();
  });

  life('close gives up everything in progress and refuses new chunks', () => {
    const sink = new RecordingSink();
    const { r, failed, send } = setup({ inlineLimit: 2, createSink: () => sink });
    send('a', br(1, 3, 9), 'abc', MORE);
    send('b', br(1, 1, 2), 'x', MORE);
    r.close();
    assert.equal(failed.map((f) => [f.messageId, f.reason]).sort(), [['a', 'closed'], ['b', 'closed']]);
    assert.is(sink.aborted, 'closed');
    assert.throws(() => r.begin('c', null, 'm'), /closed/);
  });

  const rfc = suite(`MessageReassembler (${backend}): RFC examples`);

  rfc('RFC 4975 §5.1 Figure 3: abcd (1-*/8) and EFGH (5-8/8) make one message', () => {
    const { r, messages } = setup();
    feedRfc(r, ['rfc4975-5.1-fig3-chunk1-send.msrp', 'rfc4975-5.1-fig3-chunk2-send.msrp']);
    assert.equal(messages.map((m) => [m.messageId, text(m), m.total]), [['4564dpWd', 'abcdEFGH', 8]]);
  });

  rfc('RFC 4975 §11.4: 1-137/148 then 138-148/148 carrying 10 octets completes at 147, in either order', () => {
    const files = ['rfc4975-11.4-fig14-cpim-chunk1-send.msrp', 'rfc4975-11.4-fig15-cpim-chunk2-send.msrp'];
    const bodies: string[] = [];
    for (const order of [files, [...files].reverse()]) {
      const { r, messages } = setup();
      feedRfc(r, order);
      assert.equal([messages.length, messages[0].total], [1, 147]);
      assert.ok(text(messages[0]).endsWith('1234567890'));
      bodies.push(text(messages[0]));
    }
    assert.is(bodies[0], bodies[1]);
  });

  rfc('single-chunk SENDs whose Byte-Range disagrees with the body complete with the body\'s length', () => {
    const { r, messages } = setup();
    const cases: Array<[string, number]> = [
      ['rfc4975-4-fig2-send.msrp', 23], ['rfc4975-11.1-step4-send.msrp', 14], ['rfc4975-11.1-step6-send.msrp', 20],
      ['rfc4975-11.2-fig13-xhtml-send.msrp', 384], ['rfc4975-11.5-system-send.msrp', 37],
      ['rfc4975-11.6-fig16-send.msrp', 121], ['rfc4976-3-send-6aef.msrp', 39], ['rfc5547-9.2-fig17-send.msrp', 437],
    ];
    const outcomes = feedRfc(r, cases.map(([file]) => file));
    assert.ok(outcomes.every((o) => o.status === 200));
    assert.equal(messages.map((m) => [m.meta, m.total, m.body!.length]), cases.map(([f, n]) => [f, n, n]));
    assert.is(text(messages[0]), 'Hey Bob, are you there?');
  });

  rfc('RFC 5547 §9.1 placeholder bodies leave a gap: the message stays open and a REPORT names what came', () => {
    const { r, messages } = setup();
    feedRfc(r, ['rfc5547-9.1-fig10-send-chunk1.msrp', 'rfc5547-9.1-fig11-send-chunk2.msrp']);
    assert.is(messages.length, 0);
    assert.equal(r.ranges('12339sdqwer'), [{ start: 1, end: 338 }, { start: 2049, end: 2093 }]);
  });

  rfc('RFC 5547 §9.2 Figure 21 ends in + although 1-2027/2027: not complete until a $ chunk', () => {
    const { r, messages } = setup();
    feedRfc(r, ['rfc5547-9.2-fig21-send.msrp']);
    assert.is(messages.length, 0);
    assert.equal(r.size, 1);
  });

  for (const s of [whole, bad, sinks, life, rfc]) s.run();
}
