/** The progress display (src/cli/progress.ts) on a hand-driven clock. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatBytes, formatDuration, formatElapsed, formatRate, Progress } from '../../src/cli/progress.ts';

const format = suite('cli/progress formatting');

format('bytes, rates and durations', () => {
  assert.is(formatBytes(0), '0 B');
  assert.is(formatBytes(999), '999 B');
  assert.is(formatBytes(1500), '1.5 kB');
  assert.is(formatBytes(100_000_000), '100.0 MB');
  assert.is(formatBytes(2_500_000_000_000), '2.5 TB');
  assert.is(formatRate(45_500_000), '45.5 MB/s');
  assert.is(formatDuration(7), '0:07');
  assert.is(formatDuration(750), '12:30');
  assert.is(formatDuration(3723), '1:02:03');
  assert.is(formatDuration(-3), '0:00');
  assert.is(formatElapsed(0.84), '0.8 s');
  assert.is(formatElapsed(59.94), '59.9 s');
  assert.is(formatElapsed(61), '1:01');
});

/** A Progress writing into an array, on a clock the test moves. */
function make(tty: boolean, total: number | null) {
  const writes: string[] = [];
  let now = 1_000_000;
  const p = new Progress({ label: 'sending f', total, tty, write: (t) => writes.push(t), now: () => now, width: 10 });
  return { p, writes, advance: (ms: number) => { now += ms; } };
}

const display = suite('cli/progress display');

display('plain lines at each tenth, with rate and ETA', () => {
  const { p, writes, advance } = make(false, 1_000_000);
  advance(1000);
  p.update(50_000);
  assert.equal(writes, [], 'under a tenth: nothing yet');
  p.update(100_000);
  assert.equal(writes, ['sending f   10%  100.0 kB of 1.0 MB  100.0 kB/s  ETA 0:09\n']);
  advance(1000);
  p.update(350_000);
  assert.is(writes.length, 2, 'one line even when a jump crosses two tenths');
  assert.match(writes[1], /^sending f   35%  350\.0 kB of 1\.0 MB  175\.0 kB\/s  ETA 0:04\n$/);
  p.update(1_000_000);
  assert.match(writes[2], /^sending f  100%  1\.0 MB of 1\.0 MB  500\.0 kB\/s\n$/, 'no ETA once done');
  p.done();
  assert.is(writes.length, 3, 'no newline to close in plain mode');
  assert.equal(p.state, { transferred: 1_000_000, total: 1_000_000, rate: 500_000, eta: 0 });
});

display('a terminal line redrawn in place, at most every 100 ms, closed by done()', () => {
  const { p, writes, advance } = make(true, 1000);
  advance(500);
  p.update(250);
  assert.equal(writes, ['\rsending f  [###-------]   25%  250 B of 1.0 kB  500 B/s  ETA 0:02\x1b[K']);
  advance(50);
  p.update(300);
  assert.is(writes.length, 1, 'too soon to redraw');
  advance(50);
  p.update(500);
  assert.is(writes.length, 2);
  p.update(1000);
  assert.is(writes.length, 3, 'the last update is always drawn');
  assert.match(writes[2], /\[##########\]  100%/);
  advance(500);
  p.update(1000);
  assert.is(writes.length, 3, 'the same count again is not drawn again');
  p.done();
  assert.is(writes[3], '\n');
});

display('an unknown total shows octets and rate only', () => {
  const { p, advance } = make(true, null);
  advance(2000);
  p.update(4000);
  assert.is(p.line(), 'sending f  4.0 kB  2.0 kB/s');
});

format.run();
display.run();
