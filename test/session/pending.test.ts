import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PendingMessages } from '../../src/session/pending.ts';

interface M { readonly messageId: string; readonly n: number }
const m = (messageId: string, n = 0): M => ({ messageId, n });
const ids = (p: PendingMessages<M>): string[] => p.values().map((x) => `${x.messageId}${x.n || ''}`);

const pending = suite('session/pending: messages sent and not yet settled');

pending('settling in order, out of order, and looking up by Message-ID before and after the index exists', () => {
  const p = new PendingMessages<M>();
  const [a, b, c, d] = [m('a'), m('b'), m('c'), m('d')];
  for (const x of [a, b, c]) p.add(x, false);
  assert.is(p.size, 3);
  p.settled(b);
  assert.equal(ids(p), ['a', 'c']);
  assert.is(p.get('b'), undefined);
  assert.is(p.get('c'), c);
  p.add(d, false);
  assert.is(p.get('d'), d, 'the index follows messages added after it was made');
  p.settled(a);
  assert.equal(ids(p), ['c', 'd']);
  assert.is(p.get('a'), undefined);
  p.settled(c);
  p.settled(d);
  assert.is(p.size, 0);
  assert.equal(ids(p), []);
  p.add(a, false);
  assert.is(p.get('a'), a);
});

pending('a message sent again under a pending Message-ID takes its place; the earlier one settling changes nothing', () => {
  const p = new PendingMessages<M>();
  const first = m('same', 1);
  const again = m('same', 2);
  p.add(first, true);
  p.add(m('other'), false);
  p.add(again, true);
  assert.is(p.size, 2);
  assert.equal(ids(p), ['other', 'same2']);
  p.settled(first);
  assert.is(p.size, 2);
  assert.is(p.get('same'), again);
  p.settled(again);
  assert.is(p.get('same'), undefined);
  assert.is(p.size, 1);
});

pending('one message that stays at the front does not keep thousands of settled ones behind it', () => {
  const p = new PendingMessages<M>();
  const long = m('long');
  p.add(long, false);
  for (let i = 0; i < 50_000; i++) {
    const x = m(`chat${i}`);
    p.add(x, false);
    p.settled(x);
  }
  assert.is(p.size, 1);
  assert.equal(ids(p), ['long']);
  p.settled(long);
  assert.is(p.size, 0);
  assert.equal(ids(p), []);
});

pending('clear empties everything', () => {
  const p = new PendingMessages<M>();
  p.add(m('a'), false);
  p.add(m('b'), true);
  p.get('a');
  p.clear();
  assert.is(p.size, 0);
  assert.is(p.get('a'), undefined);
  assert.equal(ids(p), []);
});

pending.run();
