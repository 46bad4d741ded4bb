/**
 * SentMessage's settling rules, driven by hand over a real OutgoingMessage
 * (no connection): which evidence makes `delivered`, how success REPORT
 * ranges add up, failures, timeouts and the end of the session.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { JsRangeTracker } from '../../src/core/js-ranges.ts';
import { Chunk } from '../../src/protocol/chunk.ts';
import type { ByteRange, ReportValue } from '../../src/protocol/headers.ts';
import { SentMessage } from '../../src/session/sent-message.ts';
import { BufferSource, OutgoingMessage } from '../../src/transport.ts';
import { errorOf } from './helpers.ts';

interface Made { message: SentMessage; outgoing: OutgoingMessage; settled: SentMessage[] }

function make(size: number, successReport: 'yes' | 'no', failureReport: ReportValue = 'yes',
  options: { tracker?: JsRangeTracker | null; reportTimeout?: number; offset?: number } = {}): Made {
  const outgoing = new OutgoingMessage({
    headers: [['To-Path', 'msrp://a.example:2855/s1;tcp'], ['From-Path', 'msrp://b.example:2855/s2;tcp'],
      ['Message-ID', 'msg12345'], ['Content-Type', 'text/plain']],
    messageId: 'msg12345', source: new BufferSource(Buffer.alloc(size), options.offset ?? 0), offset: options.offset ?? 0, total: size, failureReport, group: {},
  });
  const settled: SentMessage[] = [];
  const tracker = options.tracker === undefined ? new JsRangeTracker() : options.tracker;
  const message = new SentMessage(outgoing, successReport, tracker, options.reportTimeout ?? 0, (m) => settled.push(m));
  return { message, outgoing, settled };
}

/** The writer's side: every octet written and every chunk answered as `code` says. */
function written(m: Made, code = 200): void {
  const o = m.outgoing;
  o.position = typeof o.total === 'number' ? o.total : 0;
  o.bytes = o.position;
  o.finished = true;
  if (code === 200 || code === 0) o.settle();
  else {
    o.outstanding++;
    o.chunkSettled({ transactionId: 'tid12345', byteRange: { start: 1, end: '*', total: o.total }, continuationFlag: '$' },
      { transactionId: 'tid12345', code, comment: 'no', response: null, local: false });
    o.settle();
  }
}

function report(code: number, range: ByteRange | null): Chunk {
  const c = new Chunk({ transactionId: 'rep12345', method: 'REPORT' });
  c.messageId = 'msg12345';
  c.status = { namespace: 0, code, comment: null };
  if (range !== null) c.byteRange = range;
  return c;
}

const evidence = suite('SentMessage: what makes delivered');

evidence('Success-Report no, Failure-Report yes: the responses', async () => {
  const m = make(10, 'no');
  written(m);
  const o = await m.message.done;
  assert.is(o.status, 'delivered');
  assert.is(o.confirmedBy, 'response');
  assert.equal(m.settled, [m.message]);
});

evidence('Failure-Report no or partial without Success-Report: sent, nothing confirms it', async () => {
  for (const fr of ['no', 'partial'] as const) {
    const m = make(10, 'no', fr);
    written(m);
    const o = await m.message.done;
    assert.is(o.status, 'sent');
    assert.is(o.code, 0);
  }
});

evidence('Success-Report yes: 200s are not enough; REPORTs covering every octet in any split are', async () => {
  const m = make(100, 'yes');
  written(m);
  await Promise.resolve();
  assert.not.ok(m.message.settled);
  m.message.report(report(200, { start: 51, end: 100, total: 100 }), 200, { start: 51, end: 100, total: 100 });
  assert.not.ok(m.message.settled);
  assert.is(m.message.progress.reported, 50);
  m.message.report(report(200, { start: 1, end: 60, total: 100 }), 200, { start: 1, end: 60, total: 100 });
  const o = await m.message.done;
  assert.is(o.status, 'delivered');
  assert.is(o.confirmedBy, 'report');
  assert.is(o.reportedBytes, 100);
  assert.is(o.report?.method, 'REPORT');
});

evidence('a REPORT without Byte-Range covers the whole message; one before the last 200 counts too', async () => {
  const m = make(100, 'yes');
  m.message.report(report(200, null), 200, null);
  written(m);
  assert.is((await m.message.done).status, 'delivered');
});

evidence('with no interval set to spare, only REPORTs from octet 1 count', async () => {
  const m = make(100, 'yes', 'yes', { tracker: null });
  written(m);
  m.message.report(report(200, { start: 51, end: 100, total: 100 }), 200, { start: 51, end: 100, total: 100 });
  await Promise.resolve();
  assert.not.ok(m.message.settled);
  m.message.report(report(200, { start: 1, end: 100, total: 100 }), 200, { start: 1, end: 100, total: 100 });
  assert.is((await m.message.done).status, 'delivered');
});

evidence('a message resumed at an offset is delivered once REPORTs cover the rest', async () => {
  const m = make(100, 'yes', 'yes', { offset: 40 });
  written(m);
  m.message.report(report(200, { start: 41, end: 100, total: 100 }), 200, { start: 41, end: 100, total: 100 });
  assert.is((await m.message.done).status, 'delivered');
});

evidence('a REPORT in another namespace is passed on but settles nothing', async () => {
  const m = make(10, 'yes');
  let seen = 0;
  m.message.on('report', () => { seen++; });
  written(m);
  assert.not.ok(m.message.report(report(200, null), null, null));
  await Promise.resolve();
  assert.is(seen, 1);
  assert.not.ok(m.message.settled);
});

evidence.run();

const failing = suite('SentMessage: failures and endings');

failing('an error response fails it with the code', async () => {
  const m = make(10, 'yes');
  written(m, 413);
  const o = await m.message.done;
  assert.is(o.status, 'failed');
  assert.is(o.code, 413);
});

failing('a failure REPORT fails it; with a Byte-Range it says the session failed', async () => {
  const a = make(10, 'no');
  assert.not.ok(a.message.report(report(415, null), 415, null));
  assert.is((await a.message.done).code, 415);
  const b = make(10, 'no');
  assert.ok(b.message.report(report(408, { start: 1, end: 10, total: 10 }), 408, { start: 1, end: 10, total: 10 }));
  assert.is((await b.message.done).status, 'failed');
});

failing('reportTimeout: unconfirmed when the REPORTs do not come in time', async () => {
  const m = make(10, 'yes', 'yes', { reportTimeout: 20 });
  written(m);
  // the timer is unref'd (a connection keeps a real process alive): hold this one open meanwhile
  const hold = setTimeout(() => {}, 1000);
  const o = await m.message.done;
  clearTimeout(hold);
  assert.is(o.status, 'unconfirmed');
});

failing('end(): unconfirmed when only REPORTs were awaited; rejected with the error while in transit', async () => {
  const waiting = make(10, 'yes');
  written(waiting);
  await Promise.resolve();
  waiting.message.end(new Error('session over'));
  assert.is((await waiting.message.done).status, 'unconfirmed');
  const inTransit = make(10, 'no');
  inTransit.message.end(new Error('session over'));
  assert.is((await errorOf(inTransit.message.done))?.message, 'session over');
});

failing('aborted: the writer stopped it after abort()', async () => {
  const m = make(10, 'no');
  m.outgoing.abortRequested = true;
  written(m);
  assert.is((await m.message.done).status, 'aborted');
});

failing.run();
