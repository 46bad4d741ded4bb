/**
 * `msrp demo` as `npm start` runs it (with a smaller file, --size): exit 0
 * and a summary naming the relay, the chat outcomes and the file's
 * throughput; --json gives the same as events.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { msrpRun } from './helpers.ts';

const demo = suite('msrp demo');

demo('runs relay, chat and a file through it, then prints its summary and exits 0', async () => {
  const r = await msrpRun(['demo', '--size', '8MB']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^relay +msrps:\/\/localhost:\d+;tcp \(TLS, certificate generated for localhost/m);
  assert.match(r.out, /delivered: a success REPORT came back through the relay/);
  assert.match(r.out, /delivered: Bob's IMDN delivery notification came too/);
  assert.match(r.out, /alice -> carol \(private, through Bob's session\): refused 428/);
  assert.match(r.out, /\nsummary\n  relay +msrps:\/\/localhost:\d+;tcp: 2 users authenticated over TLS with digest\n/);
  assert.match(r.out, /\n  chat +2 messages delivered \(success REPORTs; 1 also by IMDN\), 1 private message refused \(428\)\n/);
  assert.match(r.out, /\n  file +8\.0 MB through the relay in \d+\.\d\d s: [\d.]+ [kMG]?B\/s, hash verified\n/);
});

demo('--json: one event per line, ending with the summary', async () => {
  const r = await msrpRun(['demo', '--json', '--size', '1MiB']);
  assert.is(r.code, 0, r.err);
  const events = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(events.every((e) => typeof e.event === 'string' && !Number.isNaN(Date.parse(e.time))));
  assert.equal(events.filter((e) => e.event === 'delivered').map((e) => e.source), ['report', 'imdn']);
  assert.is(events.find((e) => e.event === 'refused').code, 428);
  const summary = events[events.length - 1];
  assert.is(summary.event, 'summary');
  assert.is(summary.file.size, 1 << 20);
  assert.ok(summary.file.hashVerified);
  assert.ok(summary.file.rate > 0);
});

demo.run();
