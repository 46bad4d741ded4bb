/**
 * log.ts: the no-op and console loggers, child loggers, body summaries for
 * the traffic log (text shown, binary summarised, UTF-8 cut at the sample's
 * end forgiven), and the traffic log of a real connection in both directions.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { childLogger, formatTrafficRecord, noopLogger, summarizeBody, TRAFFIC_TEXT_LIMIT, trafficLogToLogger, type Logger, type TrafficRecord } from '../src/log.ts';
import { rawPeer, sendHeaders } from './transport/helpers.ts';

const log = suite('log: loggers and body summaries');

log('noopLogger takes both call forms; childLogger uses child() when there is one', () => {
  noopLogger.info('text');
  noopLogger.error({ a: 1 }, 'fields');
  assert.is(childLogger(noopLogger, { x: 1 }), noopLogger);
  const bound: Array<Record<string, unknown>> = [];
  const parent: Logger = { ...noopLogger, child: (b) => { bound.push(b); return noopLogger; } };
  assert.is(childLogger(parent, { session: 's1' }), noopLogger);
  assert.equal(bound, [{ session: 's1' }]);
});

log('summarizeBody: short text whole, long text cut with a count, binary as a count, bodiless empty', () => {
  assert.is(summarizeBody([Buffer.from('hello ')], 6), 'hello ');
  assert.is(summarizeBody([Buffer.from('a'), Buffer.from('b')], 2), 'ab');
  const long = Buffer.alloc(TRAFFIC_TEXT_LIMIT + 100, 0x61);
  assert.is(summarizeBody([long], long.length), `${'a'.repeat(TRAFFIC_TEXT_LIMIT)}... [${long.length} octets]`);
  assert.is(summarizeBody([Buffer.from([0, 1, 2, 0xff])], 4), '[4 octets binary]');
  assert.is(summarizeBody([], -1), '');
  // a multi-octet character cut by the sample limit is still text
  const euro = Buffer.from('€'.repeat(TRAFFIC_TEXT_LIMIT));
  assert.match(summarizeBody([euro], euro.length), /^€+\.\.\. \[\d+ octets\]$/);
  // but a broken sequence inside a whole body is binary
  assert.is(summarizeBody([Buffer.from([0x61, 0xe2, 0x82])], 3), '[3 octets binary]');
});

log('formatTrafficRecord: direction, time, connection, head, body, end-line', () => {
  const r: TrafficRecord = {
    direction: 'out', time: Date.UTC(2024, 0, 2, 3, 4, 5), connection: 'a->b', head: 'MSRP t1t2 SEND\r\nTo-Path: x',
    bodyLength: 2, body: 'hi', endLine: '-------t1t2$',
  };
  assert.is(formatTrafficRecord(r), '>>> 2024-01-02T03:04:05.000Z a->b\r\nMSRP t1t2 SEND\r\nTo-Path: x\r\n\r\nhi\r\n-------t1t2$\r\n');
  assert.ok(formatTrafficRecord({ ...r, direction: 'in', bodyLength: -1 }).startsWith('<<< '));
  assert.not.match(formatTrafficRecord({ ...r, bodyLength: -1 }), /\r\n\r\n/);
});

log('the traffic log of a connection sees every chunk both ways, binary bodies summarised', async () => {
  const records: TrafficRecord[] = [];
  const logger: Logger = { ...noopLogger, debug: (fields) => { records.push(fields as unknown as TrafficRecord); } };
  const p = await rawPeer({ connection: { trafficLog: trafficLogToLogger(logger) } });
  try {
    const tid = p.request({ headers: sendHeaders(Buffer.from([0, 1, 2])), body: Buffer.from([0, 1, 2]) });
    const chunk = await p.transport.readChunk();
    p.transport.writeResponse(chunk, 200);
    await p.next((c) => c.isResponse);
    p.transport.sendMessage({ body: 'out text', failureReport: 'no' });
    await p.next((c) => c.isRequest);
    const inbound = records.find((r) => r.direction === 'in')!;
    assert.is(inbound.body, '[3 octets binary]');
    assert.is(inbound.bodyLength, 3);
    assert.is(inbound.endLine, `-------${tid}$`);
    assert.ok(inbound.head.startsWith(`MSRP ${tid} SEND`));
    const answer = records.find((r) => r.direction === 'out' && r.head.startsWith(`MSRP ${tid} 200`))!;
    assert.is(answer.bodyLength, -1);
    const message = records.find((r) => r.direction === 'out' && r.head.includes(' SEND'))!;
    assert.is(message.body, 'out text');
    assert.match(message.head, /Byte-Range: 1-8\/8/);
    assert.ok(records.every((r) => r.connection === p.connection.label && r.time > 0));
  } finally {
    p.close();
  }
});

log.run();
