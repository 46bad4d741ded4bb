import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as I from '../../src/streams/is-composing.ts';
import { rfc } from '../vectors/rfc-vectors.ts';
import { rejectsWith } from './helpers.ts';

const rejects = (body: string, part: string) => rejectsWith(() => I.parseIsComposing(body), 'MSRP_ERR_XML', part, 400);

const Doc = suite('is-composing: documents');

Doc('RFC 3994 §5 examples', () => {
  assert.equal(I.parseIsComposing(rfc('rfc3994-5-iscomposing-active.xml')), { state: 'active', lastActive: null, contentType: 'text/plain', refresh: 90 });
  assert.equal(I.parseIsComposing(rfc('rfc3994-5-iscomposing-idle.xml')),
    { state: 'idle', lastActive: new Date('2003-01-27T10:43:00Z'), contentType: 'audio', refresh: null });
});

Doc('build and parse back; unknown states are idle; foreign elements ignored; no namespace tolerated', () => {
  const ic = { state: 'active' as const, lastActive: new Date('2020-02-03T04:05:06Z'), contentType: 'text/<html>', refresh: 60 };
  const xml = I.buildIsComposing(ic);
  assert.is(xml, '<?xml version="1.0" encoding="UTF-8"?>\r\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">\r\n'
    + '  <state>active</state>\r\n  <lastactive>2020-02-03T04:05:06Z</lastactive>\r\n  <contenttype>text/&lt;html&gt;</contenttype>\r\n'
    + '  <refresh>60</refresh>\r\n</isComposing>\r\n');
  assert.equal(I.parseIsComposing(xml), ic);
  assert.equal(I.parseIsComposing(I.buildIsComposing({ state: 'idle' })), { state: 'idle', lastActive: null, contentType: null, refresh: null });
  assert.is(I.parseIsComposing('<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>paused</state></isComposing>').state, 'idle');
  const ext = '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing" xmlns:x="urn:x"><state>active</state><x:state>idle</x:state></isComposing>';
  assert.is(I.parseIsComposing(ext).state, 'active');
  assert.is(I.parseIsComposing('<isComposing><state> active </state></isComposing>').state, 'active');
  assert.throws(() => I.buildIsComposing({ state: 'active', refresh: 0 }), RangeError);
});

Doc('malformed documents: MSRP_ERR_XML', () => {
  rejects('<other xmlns="urn:ietf:params:xml:ns:im-iscomposing"/>', 'root element');
  rejects('<isComposing xmlns="urn:wrong"><state>active</state></isComposing>', 'root element');
  rejects('<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"/>', 'no <state>');
  rejects('<isComposing><state>active</state><refresh>-5</refresh></isComposing>', '<refresh>');
  rejects('<isComposing><state>active</state><lastactive>soon</lastactive></isComposing>', '<lastactive>');
  rejects('<isComposing><state>active</isComposing>', 'closes');
});

/** A clock the test moves by hand (milliseconds). */
function fakeClock(start = 1_000_000): { now: () => number; advance: (s: number) => void } {
  let t = start;
  return { now: () => t, advance: (s) => { t += s * 1000; } };
}

const Sender = suite('is-composing: sender timers (RFC 3994 §3.2)');

Sender('active on the first keystroke, refresh every 60 s while typing, idle 15 s after the last keystroke', () => {
  const clock = fakeClock();
  const s = new I.ComposingSender({ now: clock.now, contentType: 'text' });
  assert.is(s.nextDeadline(), null);
  const first = s.typing();
  assert.equal(first, { state: 'active', lastActive: new Date(clock.now()), contentType: 'text', refresh: 60 });
  assert.is(s.typing(), null);
  assert.is(s.nextDeadline(), clock.now() + 15_000);
  // keep typing every 10 s: no idle, one refresh at 60 s
  const sent: Array<I.IsComposing | null> = [];
  for (let k = 0; k < 7; k++) {
    clock.advance(10);
    sent.push(s.tick());
    s.typing();
  }
  assert.equal(sent.map((x) => x?.state ?? null), [null, null, null, null, null, 'active', null]);
  clock.advance(14);
  assert.is(s.tick(), null);
  clock.advance(1);
  const idle = s.tick();
  assert.is(idle?.state, 'idle');
  assert.is(idle?.lastActive?.getTime(), clock.now() - 15_000);
  assert.is(s.state, 'idle');
  assert.is(s.tick(), null);
  assert.is(s.typing()?.state, 'active');
});

Sender('sending the message goes idle silently; refresh null sends no refreshes; bad options throw', () => {
  const clock = fakeClock();
  const s = new I.ComposingSender({ now: clock.now, refresh: null, idleTimeout: 30 });
  assert.is(s.typing()?.refresh, null);
  assert.is(s.nextDeadline(), clock.now() + 30_000);
  s.messageSent();
  assert.is(s.state, 'idle');
  clock.advance(100);
  assert.is(s.tick(), null);
  assert.throws(() => new I.ComposingSender({ refresh: 59 }), RangeError);
  assert.throws(() => new I.ComposingSender({ refresh: 90.5 }), RangeError);
  assert.throws(() => new I.ComposingSender({ idleTimeout: 0 }), RangeError);
  assert.is(new I.ComposingSender().refresh, I.MIN_REFRESH);
  assert.is(new I.ComposingSender().idleTimeout, I.IDLE_TIMEOUT);
});

const Receiver = suite('is-composing: receiver timers (RFC 3994 §3.3)');

Receiver('active until idle, a message, or the refresh (default 120 s) passes', () => {
  const clock = fakeClock();
  const r = new I.ComposingReceiver(clock.now);
  assert.ok(r.indication({ state: 'active', lastActive: null, contentType: null, refresh: null }));
  assert.is(r.nextDeadline(), clock.now() + I.DEFAULT_RECEIVER_REFRESH * 1000);
  assert.not.ok(r.indication({ state: 'active', lastActive: null, contentType: 'text', refresh: 90 }));
  assert.is(r.last?.contentType, 'text');
  clock.advance(89);
  assert.not.ok(r.tick());
  clock.advance(1);
  assert.ok(r.tick());
  assert.is(r.state, 'idle');
  assert.is(r.nextDeadline(), null);
  r.indication({ state: 'active', lastActive: null, contentType: null, refresh: null });
  assert.ok(r.messageReceived());
  assert.not.ok(r.messageReceived());
  r.indication({ state: 'active', lastActive: null, contentType: null, refresh: null });
  assert.ok(r.indication({ state: 'idle', lastActive: null, contentType: null, refresh: null }));
  assert.not.ok(r.tick());
});

Doc.run();
Sender.run();
Receiver.run();
