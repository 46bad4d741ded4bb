/**
 * The parser test battery, run against every framing engine by thin entry
 * files (test/protocol/chunk-parser.js.test.ts and the wasm ones). `makeEngine`
 * must honour the limits it is given.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode } from '../../src/core/constants.ts';
import type { FramingSink, RawError } from '../../src/core/types.ts';
import { engineEvents, type MakeEngine, splitAt, splitEvery } from '../../fuzz/engine-events.ts';

export type { MakeEngine };
import { referenceEvents } from '../../fuzz/reference-parser.ts';
import type { RefEvent } from '../../fuzz/reference-parser.ts';
import { formatLog, loadMdCases } from '../vectors/md-vectors.ts';
import { rfc, rfcFiles } from '../vectors/rfc-vectors.ts';
import { chunkParserSuite } from './chunk-parser.ts';

const RFC_FILES = rfcFiles('.msrp');

/** Expected fields of each RFC vector, written from reading the files (test/vectors/rfc-expected.json). */
interface Expected {
  startLine: string;
  headers: Array<[string, string]>;
  bodyLength?: number | null;
  body?: string;
  bodySha256?: string;
  flag?: string;
  error?: string;
}
const EXPECTED: Record<string, Expected> = JSON.parse(
  readFileSync(new URL('../vectors/rfc-expected.json', import.meta.url), 'utf8'));

function sha256(latin1: string): string {
  return createHash('sha256').update(Buffer.from(latin1, 'latin1')).digest('hex');
}

/** A sink that records into an array, never pausing. */
function recorder(): { sink: FramingSink; log: string[]; errors: RawError[]; segments: Buffer[] } {
  const log: string[] = [];
  const errors: RawError[] = [];
  const segments: Buffer[] = [];
  return {
    log, errors, segments,
    sink: {
      onHead: (h) => { log.push(`head ${h.transactionId}`); },
      onBody: (s) => { log.push(`body ${s.length}`); segments.push(s); },
      onEnd: (f) => { log.push(`end ${String.fromCharCode(f)}`); },
      onError: (e) => { log.push(`error ${e.code}`); errors.push(e); },
    },
  };
}

/** Registers every parser suite for one engine. */
export function parserSuites(label: string, makeEngine: MakeEngine): void {
  rfcVectorSuite(label, makeEngine);
  mdVectorSuite(label, makeEngine);
  contractSuite(label, makeEngine);
  chunkParserSuite(label, makeEngine);
}

function rfcVectorSuite(label: string, makeEngine: MakeEngine): void {
  const test = suite(`${label}: RFC example vectors`);

  for (const file of RFC_FILES) {
    test(`${file} gives the fields read from the RFC`, () => {
      const expected = EXPECTED[file];
      assert.ok(expected, `no expected fields for ${file}`);
      let events = engineEvents(makeEngine(), [rfc(file)]);
      if (expected.error !== undefined) {
        // RFC 4976 §3 prints this 200 OK without its end-line: the head never completes.
        const tid = expected.startLine.split(' ')[1];
        assert.equal(events, [{ type: 'error', code: expected.error, statusCode: 0, fatal: true,
          offset: rfc(file).length, transactionId: tid }]);
        events = engineEvents(makeEngine(), [rfc(file), Buffer.from(`-------${tid}$\r\n`)]);
      }
      const head = events[0];
      assert.is(head.type, 'head');
      if (head.type !== 'head') return;
      const startLine = `MSRP ${head.transactionId} ` + (head.method ?? `${head.code}${head.comment === null ? '' : ` ${head.comment}`}`);
      assert.is(startLine, expected.startLine);
      assert.equal(head.headers, expected.headers);
      assert.is(head.hasBody, expected.bodyLength !== null);
      const body = events.filter((e) => e.type === 'body').map((e) => (e as { data: string }).data).join('');
      assert.is(body.length, expected.bodyLength ?? 0);
      if (expected.body !== undefined) assert.is(Buffer.from(body, 'latin1').toString('utf8'), expected.body);
      if (expected.bodySha256 !== undefined) assert.is(sha256(body), expected.bodySha256);
      assert.equal(events[events.length - 1], { type: 'end', flag: expected.flag ?? '$' });
    });

    test(`${file} gives the same events at every split position and piece size`, () => {
      const input = rfc(file);
      const whole = referenceEvents(input);
      assert.equal(engineEvents(makeEngine(), [input]), whole);
      for (let at = 0; at <= input.length; at++) {
        assert.equal(engineEvents(makeEngine(), splitAt(input, [at])), whole, `split at ${at}`);
      }
      for (const size of [1, 2, 3, 5, 8, 13, 64]) {
        assert.equal(engineEvents(makeEngine(), splitEvery(input, size)), whole, `pieces of ${size}`);
        assert.equal(engineEvents(makeEngine(), splitEvery(input, size), { pause: true }), whole, `paused, ${size}`);
      }
    });
  }

  test('all complete RFC vectors back to back on one stream', () => {
    const files = RFC_FILES.filter((f) => !f.includes('incomplete'));
    const stream = Buffer.concat(files.map(rfc));
    const events = engineEvents(makeEngine(), splitEvery(stream, 97));
    assert.equal(events, referenceEvents(stream));
    assert.is(events.filter((e) => e.type === 'end').length, files.length);
    assert.not.ok(events.some((e) => e.type === 'error'));
  });

  test('the RFC 4976 header fragments inside a chunk keep their path values', () => {
    for (const file of rfcFiles('.hdr')) {
      const input = Buffer.concat([Buffer.from('MSRP frag01 SEND\r\n'), rfc(file), Buffer.from('-------frag01$\r\n')]);
      const events = engineEvents(makeEngine(), splitEvery(input, 7));
      const head = events[0];
      assert.ok(head.type === 'head');
      if (head.type !== 'head') return;
      assert.equal(head.headers.map(([n]) => n), ['To-Path', 'From-Path']);
      // three spaces after "To-Path:" in the RFC text: values lose them
      for (const [, value] of head.headers) assert.match(value, /^msrps:\/\/\S+;tcp( msrps:\/\/\S+;tcp)*$/);
      const uris = head.headers.map(([, v]) => v.split(' ').length);
      assert.equal(uris, file.includes('received') ? [2, 2] : [1, 3]);
      assert.equal(events.slice(1), [{ type: 'end', flag: '$' }]);
    }
  });

  test.run();
}

function mdVectorSuite(label: string, makeEngine: MakeEngine): void {
  const test = suite(`${label}: hand-written vectors (test/vectors/*.md)`);
  for (const c of loadMdCases()) {
    test(`${c.file}: ${c.title}, at every piece size`, () => {
      const whole = engineEvents(makeEngine(c.limits), [c.input]);
      assert.equal(formatLog(whole), c.log);
      assert.equal(whole, referenceEvents(c.input, c.limits), 'reference model');
      for (let size = 1; size <= c.input.length; size++) {
        const events = engineEvents(makeEngine(c.limits), splitEvery(c.input, size));
        assert.equal(formatLog(events), c.log, `pieces of ${size}`);
      }
      for (const size of [1, 4, 16]) {
        const events = engineEvents(makeEngine(c.limits), splitEvery(c.input, size), { pause: true });
        assert.equal(formatLog(events), c.log, `paused, pieces of ${size}`);
      }
    });
  }
  test.run();
}

function contractSuite(label: string, makeEngine: MakeEngine): void {
  const test = suite(`${label}: engine contract`);
  const chunk = (tid: string, body: string, flag = '$'): Buffer =>
    Buffer.from(`MSRP ${tid} SEND\r\nContent-Type: text/plain\r\n\r\n${body}\r\n-------${tid}${flag}\r\n`, 'latin1');

  test('body segments are views over the fed Buffer, not copies', () => {
    const body = 'x'.repeat(100_000) + '\r\n-------abcd+ lookalike ' + 'y'.repeat(50_000);
    const input = chunk('abcd', body);
    for (const size of [input.length, 4096, 1000]) {
      let viewed = 0;
      const events = engineEvents(makeEngine(), splitEvery(input, size), {
        onSegment(segment, piece) {
          if (segment.buffer === piece.buffer) {
            assert.ok(segment.byteOffset >= piece.byteOffset);
            assert.ok(segment.byteOffset + segment.length <= piece.byteOffset + piece.length);
            viewed += segment.length;
          } else {
            // only the small held-back tail (a possible end-line start) may be a copy
            assert.ok(segment.length < 64, `a copied segment of ${segment.length} octets`);
          }
        },
      });
      assert.equal(events, referenceEvents(input));
      assert.ok(viewed > body.length - 1000, `only ${viewed} octets as views with pieces of ${size}`);
    }
  });

  test('a feed that is not paused consumes everything', () => {
    const input = Buffer.concat([chunk('a1b2', 'hello'), chunk('c3d4', 'world')]);
    const engine = makeEngine();
    const r = recorder();
    for (const piece of splitEvery(input, 10)) assert.is(engine.feed(piece, r.sink), piece.length);
    engine.finish(r.sink);
    assert.equal(r.log.filter((l) => !l.startsWith('body')), ['head a1b2', 'end $', 'head c3d4', 'end $']);
    assert.equal(Buffer.concat(r.segments).toString(), 'helloworld');
  });

  test('after a fatal error every feed consumes everything and reports nothing', () => {
    const engine = makeEngine();
    const r = recorder();
    assert.is(engine.feed(Buffer.from('HELLO there\r\n'), r.sink), 13);
    assert.is(engine.feed(chunk('abcd', 'x'), r.sink), chunk('abcd', 'x').length);
    engine.finish(r.sink);
    assert.equal(r.log, [`error ${ErrorCode.START_LINE}`]);
    assert.is(r.errors[0].fatal, true);
    assert.is(r.errors[0].statusCode, 0);
  });

  test('reset() makes the engine usable again', () => {
    const engine = makeEngine();
    const r = recorder();
    engine.feed(Buffer.from('junk\r\n'), r.sink);
    engine.reset();
    engine.feed(chunk('abcd', 'x'), r.sink);
    engine.finish(r.sink);
    assert.equal(r.log, [`error ${ErrorCode.START_LINE}`, 'head abcd', 'body 1', 'end $']);
  });

  test('finish() at a chunk boundary reports nothing; inside a chunk, TRUNCATED', () => {
    for (const [input, log] of [
      [Buffer.alloc(0), []],
      [chunk('abcd', 'x'), ['head abcd', 'body 1', 'end $']],
      [Buffer.from('MSRP abcd SEND\r\nTo-Path: x'), [`error ${ErrorCode.TRUNCATED}`]],
      [Buffer.from('M'), [`error ${ErrorCode.TRUNCATED}`]],
    ] as Array<[Buffer, string[]]>) {
      const engine = makeEngine();
      const r = recorder();
      engine.feed(input, r.sink);
      engine.finish(r.sink);
      assert.equal(r.log, log);
      if (r.errors.length > 0) assert.is(r.errors[0].offset, input.length);
    }
  });

  test('pausing on head, body and end resumes where it stopped', () => {
    const input = Buffer.concat([Buffer.from('MSRP nobo SEND\r\n-------nobo$\r\n'), chunk('abcd', 'body')]);
    const engine = makeEngine();
    const log: string[] = [];
    const sink: FramingSink = {
      onHead: (h) => { log.push(`head ${h.transactionId}`); return false; },
      onBody: (s) => { log.push(`body ${s.toString()}`); return false; },
      onEnd: (f) => { log.push(`end ${String.fromCharCode(f)}`); return false; },
      onError: (e) => { log.push(`error ${e.code}`); },
    };
    let rest = input;
    let feeds = 0;
    while (rest.length > 0 && feeds++ < 20) rest = rest.subarray(engine.feed(rest, sink));
    assert.is(engine.feed(Buffer.alloc(0), sink), 0);
    engine.finish(sink);
    assert.equal(log, ['head nobo', 'end $', 'head abcd', 'body body', 'end $']);
  });

  test('a head line without CRLF is refused once past the line cap, without buffering the rest', () => {
    const engine = makeEngine();
    const r = recorder();
    engine.feed(Buffer.from('MSRP abcd SEND\r\nX: '), r.sink);
    const big = Buffer.alloc(1 << 20, 0x61);
    assert.is(engine.feed(big, r.sink), big.length);
    assert.equal(r.log, [`error ${ErrorCode.HEADER_LINE_TOO_LONG}`]);
    assert.is(r.errors[0].fatal, false);
    assert.is(r.errors[0].statusCode, 400);
    assert.is(r.errors[0].transactionId, 'abcd');
    assert.is(r.errors[0].offset, 16);
  });

  test('default caps: 16384-octet lines, 64 headers', () => {
    const ok = Buffer.from(`MSRP abcd SEND\r\nX: ${'a'.repeat(16381)}\r\n-------abcd$\r\n`);
    assert.equal(engineEvents(makeEngine(), [ok]).map((e) => e.type), ['head', 'end']);
    const long = Buffer.from(`MSRP abcd SEND\r\nX: ${'a'.repeat(16382)}\r\n-------abcd$\r\n`);
    assert.equal(engineEvents(makeEngine(), [long]).map((e) => e.type === 'error' ? e.code : e.type),
      ['HEADER_LINE_TOO_LONG']);
    const headers = (n: number): Buffer => Buffer.from(`MSRP abcd SEND\r\n${'A: 1\r\n'.repeat(n)}-------abcd$\r\n`);
    assert.equal(engineEvents(makeEngine(), [headers(64)]).map((e) => e.type), ['head', 'end']);
    assert.equal(engineEvents(makeEngine(), [headers(65)]).map((e) => e.type === 'error' ? e.code : e.type),
      ['TOO_MANY_HEADERS']);
  });

  test('an end-line is recognised even when the line cap is shorter than it', () => {
    const tid = 'a'.repeat(32);
    // start line 39 octets, end-line 40
    const input = Buffer.from(`MSRP ${tid} A\r\n-------${tid}$\r\n`);
    const limits = { maxLineLength: 39 };
    const events: RefEvent[] = engineEvents(makeEngine(limits), splitEvery(input, 3));
    assert.equal(events.map((e) => e.type), ['head', 'end']);
    assert.equal(events, referenceEvents(input, limits));
  });

  test('a body exactly at maxBodyLength passes, one octet more is 413', () => {
    const limits = { maxBodyLength: 10 };
    const at = chunk('abcd', '0123456789');
    assert.equal(engineEvents(makeEngine(limits), splitEvery(at, 3)).map((e) => e.type), ['head', 'body', 'end']);
    const over = chunk('abcd', '0123456789A');
    const events = engineEvents(makeEngine(limits), splitEvery(over, 3));
    assert.equal(events.map((e) => e.type === 'error' ? `${e.code} ${e.statusCode}` : e.type),
      ['head', 'body', 'BODY_TOO_LARGE 413']);
  });

  test.run();
}
