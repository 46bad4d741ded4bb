/**
 * TransactionTable on its own, with a hand-driven clock: the timer starts when
 * the request is written, not when it is queued; expiry gives a local 408;
 * Failure-Report no and partial settle when written; late responses to
 * partial; connection loss fails what waits.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunk } from '../../src/protocol/chunk.ts';
import { TransactionTable, type TransactionResult } from '../../src/transport.ts';

function response(transactionId: string, code: number): Chunk {
  return new Chunk({ transactionId, code, comment: null });
}

function recorder(): { results: TransactionResult[]; errors: Error[]; late: Chunk[]; handlers: Parameters<TransactionTable['add']>[2] } {
  const results: TransactionResult[] = [];
  const errors: Error[] = [];
  const late: Chunk[] = [];
  return { results, errors, late, handlers: { settle: (r) => results.push(r), fail: (e) => errors.push(e), late: (c) => late.push(c) } };
}

const table = suite('transport/transactions: the table and its timer');

table('the timer runs from start(), not from add(); expiry is a local 408', () => {
  let now = 0;
  const t = new TransactionTable(30_000, () => now);
  const r = recorder();
  t.add('aaaa1', 'yes', r.handlers);
  now = 100_000; // queued for a long time: no timer yet
  t.expire();
  assert.is(r.results.length, 0);
  t.start('aaaa1');
  now += 29_999;
  t.expire();
  assert.is(r.results.length, 0);
  now += 1;
  t.expire();
  assert.equal(r.results.map((x) => [x.code, x.local, x.response]), [[408, true, null]]);
  assert.is(t.size, 0);
});

table('a response settles its transaction, also one that overtakes its own write callback', () => {
  const t = new TransactionTable(30_000, () => 0);
  const r = recorder();
  t.add('bbbb1', 'yes', r.handlers);
  t.add('bbbb2', 'yes', r.handlers);
  t.start('bbbb1');
  assert.ok(t.settle(response('bbbb1', 200)));
  assert.ok(t.settle(response('bbbb2', 413)));
  assert.not.ok(t.settle(response('cccc1', 200)));
  assert.equal(r.results.map((x) => [x.transactionId, x.code, x.local]), [['bbbb1', 200, false], ['bbbb2', 413, false]]);
  t.start('bbbb2'); // its end-line written after all: nothing more happens
  assert.is(t.size, 0);
});

table('settled out of order: the others still time out, each once', () => {
  let now = 0;
  const t = new TransactionTable(1000, () => now);
  const r = recorder();
  for (const id of ['gggg1', 'gggg2', 'gggg3', 'gggg4']) {
    t.add(id, 'yes', r.handlers);
    t.start(id);
    now += 10;
  }
  assert.ok(t.settle(response('gggg2', 200)));
  assert.ok(t.settle(response('gggg1', 200)));
  now = 1025;
  t.expire();
  assert.equal(r.results.map((x) => [x.transactionId, x.code]), [['gggg2', 200], ['gggg1', 200], ['gggg3', 408]]);
  now = 5000;
  t.expire();
  t.expire();
  assert.equal(r.results.map((x) => x.transactionId), ['gggg2', 'gggg1', 'gggg3', 'gggg4']);
  assert.is(t.size, 0);
});

table('Failure-Report no and partial settle with code 0 when written; partial hears a late error', () => {
  const t = new TransactionTable(30_000, () => 0);
  const r = recorder();
  t.add('dddd1', 'no', r.handlers);
  t.add('dddd2', 'partial', r.handlers);
  t.start('dddd1');
  t.start('dddd2');
  assert.equal(r.results.map((x) => x.code), [0, 0]);
  assert.ok(t.settle(response('dddd2', 415)));
  assert.equal(r.late.map((c) => c.code), [415]);
  assert.not.ok(t.settle(response('dddd1', 400)), 'a `no` transaction expects nothing at all');
});

table('ids in use are refused; failAll fails what waits and stops the timer', () => {
  const t = new TransactionTable(1000, () => 0);
  const r = recorder();
  t.add('eeee1', 'yes', r.handlers);
  assert.throws(() => t.add('eeee1', 'yes', r.handlers), RangeError);
  t.add('eeee2', 'yes', r.handlers);
  t.start('eeee2');
  t.failAll(new Error('gone'));
  assert.equal(r.errors.map((e) => e.message), ['gone', 'gone']);
  t.expire(5000);
  assert.is(r.results.length, 0);
  assert.throws(() => new TransactionTable(0), RangeError);
});

table('a real timer fires by itself (unref\'d: the connection keeps the process alive, here an interval)', async () => {
  const alive = setInterval(() => {}, 1000);
  const t = new TransactionTable(20);
  const settled = new Promise<TransactionResult>((resolve) => t.add('ffff1', 'yes', { settle: resolve, fail: () => {} }));
  t.start('ffff1');
  assert.is((await settled).code, 408);
  clearInterval(alive);
});

table('tryAdd refuses an id in use, waiting or open to a late response, where add throws', () => {
  const t = new TransactionTable(30_000, () => 0);
  const r = recorder();
  const handle = t.tryAdd('aaaa1', 'yes', r.handlers);
  assert.is(handle?.transactionId, 'aaaa1');
  assert.is(t.tryAdd('aaaa1', 'yes', r.handlers), null);
  assert.throws(() => t.add('aaaa1', 'no', r.handlers), RangeError);
  const partial = t.tryAdd('bbbb2', 'partial', r.handlers);
  assert.ok(partial !== null);
  t.start(partial);
  t.start(partial);
  assert.is(r.results.length, 1, 'started by its handle, once');
  assert.is(t.tryAdd('bbbb2', 'yes', r.handlers), null, 'a settled partial transaction still waits for a late response');
  assert.ok(t.settle(response('bbbb2', 413)));
  assert.equal(r.late.map((c) => c.code), [413]);
  assert.ok(t.tryAdd('bbbb2', 'yes', r.handlers) !== null);
  assert.is(t.size, 2);
});

table.run();
