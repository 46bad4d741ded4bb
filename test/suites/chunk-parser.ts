/**
 * ChunkParser tests, run for each framing engine as part of parserSuites
 * (test/suites/parser.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpParseError } from '../../src/errors.ts';
import { Chunk } from '../../src/protocol/chunk.ts';
import { ChunkParser } from '../../src/protocol/chunk-parser.ts';
import type { ChunkParserOptions } from '../../src/protocol/chunk-parser.ts';
import { type MakeEngine, splitAt, splitEvery } from '../../fuzz/engine-events.ts';
import { rfc, rfcFiles } from '../vectors/rfc-vectors.ts';


/** Chunks and errors a parser delivers for `pieces`, as plain records. */
function parse(makeEngine: MakeEngine, pieces: Buffer[],
  options: ChunkParserOptions = {}): { chunks: Chunk[]; errors: MsrpParseError[]; log: string[] } {
  const chunks: Chunk[] = [];
  const errors: MsrpParseError[] = [];
  const log: string[] = [];
  const parser = new ChunkParser({
    engine: (limits) => makeEngine(limits),
    onHead: (c) => { log.push(`head ${c.transactionId} ${c.body === undefined ? 'bodiless' : 'body'}`); },
    onBody: (s) => { log.push(`body ${s.length}`); },
    onEnd: (c) => { log.push(`end ${c.continuationFlag}`); },
    onChunk: (c) => { chunks.push(c); },
    onError: (e) => { errors.push(e); log.push(`error ${e.code}`); },
    ...options,
  });
  for (const piece of pieces) parser.push(piece);
  parser.finish();
  return { chunks, errors, log };
}

function summary(c: Chunk): unknown {
  return { tid: c.transactionId, method: c.method, code: c.code, comment: c.comment, headers: c.headers,
    body: c.body?.toString('latin1'), flag: c.continuationFlag };
}

/** Registers the ChunkParser suite for one engine. */
export function chunkParserSuite(label: string, makeEngine: MakeEngine): void {
  const test = suite(`${label}: ChunkParser`);

  test('every RFC vector gives the same whole chunks at every split position', () => {
    for (const file of rfcFiles('.msrp')) {
      const input = rfc(file);
      const whole = parse(makeEngine, [input]);
      for (let at = 0; at <= input.length; at += 3) {
        const split = parse(makeEngine, splitAt(input, [at, at + 1]));
        assert.equal(split.chunks.map(summary), whole.chunks.map(summary), `${file} split at ${at}`);
        assert.equal(split.log.filter((l) => !l.startsWith('body')), whole.log.filter((l) => !l.startsWith('body')));
      }
    }
  });

  test('typed accessors read the RFC 4975 §4 example', () => {
    const { chunks } = parse(makeEngine, [rfc('rfc4975-4-fig2-send.msrp')]);
    assert.is(chunks.length, 1);
    const c = chunks[0];
    assert.ok(c.isRequest);
    assert.is(c.method, 'SEND');
    assert.is(c.toPath?.[0].toString(), 'msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp');
    assert.is(c.fromPath?.[0].sessionId, 'jshA7weztas');
    assert.is(c.messageId, '87652491');
    assert.equal(c.byteRange, { start: 1, end: 25, total: 25 });
    assert.is(c.contentType?.subtype, 'plain');
    // the body is what precedes the end-line, not what Byte-Range claims
    assert.is(c.body?.toString(), 'Hey Bob, are you there?');
  });

  test('a response: code, comment, no body', () => {
    const { chunks } = parse(makeEngine, [rfc('rfc4976-5.1-401-49fh.msrp')]);
    assert.ok(chunks[0].isResponse);
    assert.is(chunks[0].code, 401);
    assert.is(chunks[0].comment, 'Unauthorized');
    assert.is(chunks[0].body, undefined);
    assert.is(chunks[0].wwwAuthenticate?.params.get('realm'), 'intra.example.com');
  });

  test('bodiless and empty bodies stay distinct', () => {
    const input = Buffer.from('MSRP nb01 SEND\r\n-------nb01$\r\n' +
      'MSRP eb01 SEND\r\nContent-Type: text/plain\r\n\r\n\r\n-------eb01$\r\n');
    const { chunks, log } = parse(makeEngine, splitEvery(input, 5));
    assert.is(chunks[0].body, undefined);
    assert.ok(Buffer.isBuffer(chunks[1].body));
    assert.is(chunks[1].body?.length, 0);
    assert.equal(log, ['head nb01 bodiless', 'end $', 'head eb01 body', 'end $']);
  });

  test('bodies over wholeChunkLimit come only as head, body and end', () => {
    const input = Buffer.from('MSRP big1 SEND\r\nContent-Type: a/b\r\n\r\n0123456789\r\n-------big1+\r\n' +
      'MSRP sml1 SEND\r\nContent-Type: a/b\r\n\r\n012345678\r\n-------sml1$\r\n');
    const { chunks, log } = parse(makeEngine, splitEvery(input, 4), { wholeChunkLimit: 9 });
    assert.equal(chunks.map((c) => c.transactionId), ['sml1']);
    assert.is(chunks[0].body?.toString(), '012345678');
    assert.ok(log.includes('end +'));
  });

  test('a whole chunk owns its body: reusing the pushed Buffer does not change it', () => {
    const input = Buffer.from('MSRP abcd SEND\r\nContent-Type: a/b\r\n\r\nhello\r\n-------abcd$\r\n');
    for (const pieces of [[input], splitEvery(input, 3)]) {
      const { chunks } = parse(makeEngine, pieces);
      input.fill(0x58, 37, 42);
      assert.is(chunks[0].body?.toString(), 'hello');
      input.write('hello', 37);
    }
  });

  test('a handler returning false pauses; resume() goes on; data pushed meanwhile waits', () => {
    const log: string[] = [];
    let pauseNext = true;
    const parser = new ChunkParser({
      engine: (limits) => makeEngine(limits),
      onHead: (c) => { log.push(`head ${c.transactionId}`); const p = pauseNext; pauseNext = false; return !p; },
      onBody: (s) => { log.push(`body ${s.toString()}`); return false; },
      onEnd: (c) => { log.push(`end ${c.continuationFlag}`); },
    });
    const first = Buffer.from('MSRP nobo SEND\r\n-------nobo$\r\nMSRP abcd SEND\r\nContent-Type: a/b\r\n\r\nxy');
    assert.is(parser.push(first), false);
    assert.equal(log, ['head nobo']);
    assert.ok(parser.isPaused);
    assert.is(parser.push(Buffer.from('z\r\n-------abcd#\r\n')), false);
    let rounds = 0;
    while (!parser.resume() && rounds++ < 10);
    parser.finish();
    assert.equal(log.filter((l) => !l.startsWith('body')), ['head nobo', 'end $', 'head abcd', 'end #']);
    assert.is(log.filter((l) => l.startsWith('body')).map((l) => l.slice(5)).join(''), 'xyz');
  });

  test('errors are MsrpParseErrors with code, status, fatal flag, offset and transaction id', () => {
    const input = Buffer.from('MSRP bad1 SEND\r\n:x\r\n-------bad1$\r\nMSRP ok01 SEND\r\n-------ok01$\r\nGARBAGE\r\n');
    const { chunks, errors } = parse(makeEngine, splitEvery(input, 2));
    assert.equal(chunks.map((c) => c.transactionId), ['ok01']);
    assert.is(errors.length, 2);
    assert.instance(errors[0], MsrpParseError);
    assert.is(errors[0].code, 'MSRP_ERR_HEADER_LINE');
    assert.is(errors[0].statusCode, 400);
    assert.is(errors[0].fatal, false);
    assert.is(errors[0].offset, 16);
    assert.is(errors[0].transactionId, 'bad1');
    assert.is(errors[1].code, 'MSRP_ERR_START_LINE');
    assert.is(errors[1].fatal, true);
    assert.match(errors[1].message, /RFC 4975 §9/);
  });

  test('the incomplete RFC 4976 §3 200 OK is TRUNCATED on finish', () => {
    const { chunks, errors } = parse(makeEngine, [rfc('rfc4976-3-200ok-xght6.incomplete.msrp')]);
    assert.is(chunks.length, 0);
    assert.equal(errors.map((e) => [e.code, e.transactionId]), [['MSRP_ERR_TRUNCATED', 'xght6']]);
  });

  test('with no error handler or listener the error is thrown from push, and parsing goes on', () => {
    const chunks: Chunk[] = [];
    const parser = new ChunkParser({ engine: (limits) => makeEngine(limits), onChunk: (c) => { chunks.push(c); } });
    assert.throws(() => parser.push(Buffer.from('MSRP bad1 SEND\r\n:x\r\n-------bad1$\r\n')),
      (e: unknown) => e instanceof MsrpParseError && e.code === 'MSRP_ERR_HEADER_LINE');
    parser.push(Buffer.from('MSRP ok01 SEND\r\n-------ok01$\r\n'));
    assert.equal(chunks.map((c) => c.transactionId), ['ok01']);
  });

  test('the EventEmitter side sees the same events', () => {
    const parser = new ChunkParser({ engine: (limits) => makeEngine(limits) });
    const log: string[] = [];
    parser.on('head', (c) => log.push(`head ${c.transactionId}`));
    parser.on('body', (s) => log.push(`body ${s.toString()}`));
    parser.on('end', (c) => log.push(`end ${c.continuationFlag}`));
    parser.on('chunk', (c) => log.push(`chunk ${c.body?.toString()}`));
    parser.on('error', (e) => log.push(`error ${e.code}`));
    parser.push(Buffer.from('MSRP abcd SEND\r\nContent-Type: a/b\r\n\r\nhi\r\n-------abcd$\r\nMSRP'));
    parser.finish();
    assert.equal(log, ['head abcd', 'body hi', 'end $', 'chunk hi', 'error MSRP_ERR_TRUNCATED']);
  });

  test('encode then parse gives the chunk back', () => {
    const chunk = new Chunk({
      transactionId: 'rt01', method: 'SEND',
      headers: [['To-Path', 'msrp://b.example.com:1/s;tcp'], ['From-Path', 'msrp://a.example.com:2/t;tcp'],
        ['Message-ID', 'm1234'], ['Byte-Range', '1-*/*'], ['Content-Type', 'text/plain']],
      body: Buffer.from('a\r\n-------rt01+ lookalike\r\n'), continuationFlag: '+',
    });
    const { chunks } = parse(makeEngine, splitEvery(chunk.encode(), 3));
    assert.equal(chunks.map(summary), [summary(chunk)]);
  });

  test.run();
}
