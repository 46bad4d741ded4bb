/**
 * The is-composing timers of a ChatStream (RFC 3994 §3.2, §3.3) on a
 * hand-driven clock, without sockets.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ComposingIn, ComposingOut } from '../../src/streams/chat-composing.ts';
import type { ComposingState, IsComposing } from '../../src/streams/is-composing.ts';
import { FakeClock } from './stream-helpers.ts';

const composer = suite('chat composing: the local composer');

composer('active once, refreshed at 60 s while typing, idle 15 s after the last keystroke', () => {
  const clock = new FakeClock();
  const sent: IsComposing[] = [];
  const out = new ComposingOut(clock, (ic) => sent.push(ic));
  assert.ok(out.indicate('active'));
  assert.not.ok(out.indicate('active'));
  for (let i = 0; i < 6; i++) {
    clock.advance(10_000);
    out.indicate('active');
  }
  assert.equal(sent.map((s) => s.state), ['active', 'active'], 'one refresh at 60 s');
  clock.advance(14_999);
  assert.is(sent.length, 2);
  clock.advance(1);
  assert.equal(sent.map((s) => s.state), ['active', 'active', 'idle']);
  assert.is(sent[2].lastActive?.getTime(), clock.time - 15_000);
  assert.is(clock.pending, 0);
  assert.not.ok(out.indicate('idle'), 'already idle');
});

composer('a sent message makes the composer idle silently; refresh null sends no refreshes; refresh < 60 s throws', () => {
  const clock = new FakeClock();
  const sent: IsComposing[] = [];
  const out = new ComposingOut(clock, (ic) => sent.push(ic), { refresh: null, idleTimeout: 5 });
  out.indicate('active');
  out.messageSent();
  assert.is(out.state, 'idle');
  assert.is(clock.pending, 0);
  out.indicate('active');
  clock.advance(4_000);
  out.indicate('active');
  clock.advance(4_000);
  assert.equal(sent.map((s) => [s.state, s.refresh]), [['active', null], ['active', null]]);
  clock.advance(1_000);
  assert.is(sent[2].state, 'idle');
  assert.throws(() => out.indicate('active', { refresh: 59 }), RangeError);
  out.stop();
});

const peer = suite('chat composing: the peer as seen here');

peer('active until its refresh runs out (120 s without one), an idle indication, or a message', () => {
  const clock = new FakeClock();
  const changes: Array<[ComposingState, number | null]> = [];
  const inbound = new ComposingIn(clock, (state, last) => changes.push([state, last?.refresh ?? null]));
  inbound.indication({ state: 'active', refresh: null, lastActive: null, contentType: null });
  clock.advance(119_999);
  assert.equal(changes, [['active', null]]);
  clock.advance(1);
  assert.equal(changes, [['active', null], ['idle', null]]);
  inbound.indication({ state: 'active', refresh: 90, lastActive: null, contentType: 'text' });
  clock.advance(60_000);
  inbound.indication({ state: 'active', refresh: 90, lastActive: null, contentType: 'text' });
  clock.advance(89_000);
  assert.is(inbound.state, 'active', 'the refresh moved the expiry');
  inbound.messageReceived();
  inbound.messageReceived();
  assert.equal(changes.slice(2), [['active', 90], ['active', 90], ['idle', null]]);
  assert.is(clock.pending, 0);
  inbound.indication({ state: 'idle', refresh: null, lastActive: null, contentType: null });
  assert.equal(changes[5], ['idle', null]);
  inbound.stop();
});

composer.run();
peer.run();
