/**
 * SegmentQueue on its own: segments come out in order, the first one sliced
 * in place (views of the Buffers pushed, never copies) when less is wanted,
 * the octet count follows every push and take, and clear empties it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SegmentQueue } from '../../src/transport/segment-queue.ts';

const queue = suite('SegmentQueue');

queue('an empty queue gives null', () => {
  const q = new SegmentQueue();
  assert.is(q.take(10), null);
  assert.is(q.bytes, 0);
});

queue('segments come out in order; a larger max takes one segment, never two joined', () => {
  const q = new SegmentQueue();
  q.push(Buffer.from('abc'));
  q.push(Buffer.from('defg'));
  assert.is(q.bytes, 7);
  assert.is(q.take(100)?.toString(), 'abc');
  assert.is(q.bytes, 4);
  assert.is(q.take(100)?.toString(), 'defg');
  assert.is(q.bytes, 0);
  assert.is(q.take(100), null);
});

queue('a smaller max takes the start of the first segment as a view; the rest stays first', () => {
  const q = new SegmentQueue();
  const first = Buffer.from('abcdef');
  q.push(first);
  q.push(Buffer.from('gh'));
  const piece = q.take(4) as Buffer;
  assert.is(piece.toString(), 'abcd');
  assert.is(piece.buffer, first.buffer, 'a view, not a copy');
  assert.is(piece.byteOffset, first.byteOffset);
  assert.is(q.bytes, 4);
  assert.is(q.take(4)?.toString(), 'ef');
  assert.is(q.take(1)?.toString(), 'g');
  assert.is(q.take(1)?.toString(), 'h');
  assert.is(q.bytes, 0);
});

queue('pushes after the queue ran empty, and after clear, start afresh', () => {
  const q = new SegmentQueue();
  q.push(Buffer.from('one'));
  q.take(3);
  q.push(Buffer.from('two'));
  assert.is(q.take(10)?.toString(), 'two');
  q.push(Buffer.from('three'));
  q.push(Buffer.from('four'));
  q.clear();
  assert.is(q.bytes, 0);
  assert.is(q.take(10), null);
  q.push(Buffer.from('five'));
  assert.is(q.take(10)?.toString(), 'five');
});

queue.run();
