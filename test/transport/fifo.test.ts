/**
 * Fifo on its own: items come out in the order they went in across ring
 * growth and wrap-around, remove/filter/clear keep the order of the rest,
 * and an item that left is no longer held (a queue of messages in flight must
 * not keep settled messages alive). A model-based property checks every
 * operation against a plain array.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Fifo } from '../../src/transport/fifo.ts';
import { checkProperty } from '../../fuzz/settings.ts';

const fifo = suite('Fifo');

fifo('an empty queue gives undefined and length 0', () => {
  const q = new Fifo<number>();
  assert.is(q.length, 0);
  assert.is(q.peek(), undefined);
  assert.is(q.shift(), undefined);
  assert.is(q.at(0), undefined);
  assert.equal(q.toArray(), []);
});

fifo('order holds across growth and wrap-around', () => {
  const q = new Fifo<number>();
  let next = 0;
  let expect = 0;
  // push and shift at different paces so the ring wraps and grows with its head mid-way
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 37; i++) q.push(next++);
    for (let i = 0; i < 29; i++) assert.is(q.shift(), expect++);
  }
  assert.is(q.length, next - expect);
  assert.is(q.peek(), expect);
  assert.is(q.at(q.length - 1), next - 1);
  assert.is(q.at(q.length), undefined);
  while (q.length > 0) assert.is(q.shift(), expect++);
  assert.is(expect, next);
});

fifo('remove takes an item out from anywhere, keeping the order of the rest', () => {
  const q = new Fifo<string>();
  for (const s of ['a', 'b', 'c', 'd']) q.push(s);
  assert.ok(q.remove('c'));
  assert.not.ok(q.remove('x'));
  assert.ok(q.remove('a'));
  assert.equal(q.toArray(), ['b', 'd']);
  q.push('e');
  assert.equal(q.toArray(), ['b', 'd', 'e']);
});

fifo('filter keeps what passes, in order; clear empties', () => {
  const q = new Fifo<number>();
  for (let i = 0; i < 40; i++) q.push(i);
  q.filter((n) => n % 3 === 0);
  assert.equal(q.toArray(), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39]);
  q.clear();
  assert.is(q.length, 0);
  q.push(7);
  assert.equal(q.toArray(), [7]);
});

fifo('a large burst drained to empty leaves the queue usable (the ring is given up for a small one)', () => {
  const q = new Fifo<number>();
  for (let i = 0; i < 40_000; i++) q.push(i);
  for (let i = 0; i < 40_000; i++) assert.is(q.shift(), i);
  q.push(1);
  q.push(2);
  assert.equal(q.toArray(), [1, 2]);
});

fifo('an item that left by shift, remove or clear is not held by the queue', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const q = new Fifo<object>();
  const refs: Array<WeakRef<object>> = [];
  const fill = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const item = { i };
      refs.push(new WeakRef(item));
      q.push(item);
    }
  };
  fill(100);
  for (let i = 0; i < 60; i++) q.shift();
  q.remove(q.at(10) as object);
  const kept = q.toArray();
  // a WeakRef target stays alive until the end of the job that made it
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const alive = refs.filter((r) => r.deref() !== undefined).length;
  assert.is(alive, kept.length, 'only the items still queued are alive');
  q.clear();
  kept.length = 0;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  assert.is(refs.filter((r) => r.deref() !== undefined).length, 0, 'nothing after clear');
});

type Op = { op: 'push'; value: number } | { op: 'shift' } | { op: 'remove'; index: number } | { op: 'filter'; mod: number } | { op: 'clear' };

fifo('any sequence of operations matches an array', () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map((value) => ({ op: 'push' as const, value })) },
    { weight: 4, arbitrary: fc.constant({ op: 'shift' as const }) },
    { weight: 1, arbitrary: fc.nat(64).map((index) => ({ op: 'remove' as const, index })) },
    { weight: 1, arbitrary: fc.integer({ min: 2, max: 5 }).map((mod) => ({ op: 'filter' as const, mod })) },
    { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  );
  checkProperty('fifo model', fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
    const q = new Fifo<number>();
    let model: number[] = [];
    for (const o of ops) {
      if (o.op === 'push') {
        q.push(o.value);
        model.push(o.value);
      } else if (o.op === 'shift') {
        assert.is(q.shift(), model.shift());
      } else if (o.op === 'remove') {
        const value = model[o.index];
        // values may repeat: remove takes the first one, as indexOf finds it
        if (value !== undefined) model.splice(model.indexOf(value), 1);
        assert.is(q.remove(value as number), value !== undefined);
      } else if (o.op === 'filter') {
        q.filter((n) => n % o.mod !== 0);
        model = model.filter((n) => n % o.mod !== 0);
      } else {
        q.clear();
        model = [];
      }
      assert.is(q.length, model.length);
      assert.is(q.peek(), model[0]);
    }
    assert.equal(q.toArray(), model);
  }));
});

fifo.run();
