import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HeaderId } from '../../src/core/constants.ts';
import { MsrpParseError } from '../../src/errors.ts';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { ChunkParser } from '../../src/protocol/chunk-parser.ts';
import { isIdent } from '../../src/protocol/headers.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { rfc, rfcFiles } from '../vectors/rfc-vectors.ts';


function parseOne(bytes: Buffer): Chunk {
  const chunks: Chunk[] = [];
  const parser = new ChunkParser({ onChunk: (c) => { chunks.push(c); }, wholeChunkLimit: Infinity });
  parser.push(bytes);
  parser.finish();
  assert.is(chunks.length, 1);
  return chunks[0];
}

const wire = suite('Chunk: wire bytes');

wire('every complete RFC vector encodes back to its own bytes (one SP after each colon)', () => {
  for (const file of rfcFiles('.msrp').filter((f) => !f.includes('incomplete'))) {
    const original = rfc(file);
    // RFC 4976 §3 and RFC 7977 §8.2 print two or three spaces after some colons; the grammar has one
    const expected = Buffer.from(original.toString('latin1').replace(/^([A-Za-z-]+): +/gm, '$1: '), 'latin1');
    assert.equal(parseOne(original).encode(), expected, file);
  }
});

wire('bodiless and empty-body chunks differ on the wire (RFC 4975 §7.1)', () => {
  const bodiless = new Chunk({ transactionId: 'abcd', method: 'SEND' });
  assert.is(bodiless.encode().toString(), 'MSRP abcd SEND\r\n-------abcd$\r\n');
  const empty = new Chunk({ transactionId: 'abcd', method: 'SEND', headers: [['Content-Type', 'text/plain']],
    body: Buffer.alloc(0) });
  assert.is(empty.encode().toString(), 'MSRP abcd SEND\r\nContent-Type: text/plain\r\n\r\n\r\n-------abcd$\r\n');
});

wire('responses: code with and without comment', () => {
  assert.is(new Chunk({ transactionId: 'abcd', code: 200, comment: 'OK' }).encode().toString(), 'MSRP abcd 200 OK\r\n-------abcd$\r\n');
  assert.is(new Chunk({ transactionId: 'abcd', code: 481 }).encode().toString(), 'MSRP abcd 481\r\n-------abcd$\r\n');
});

wire('To-Path, From-Path first, Content-Type last, canonical names, one SP, UTF-8 values', () => {
  const c = new Chunk({
    transactionId: 'abcd', method: 'SEND', continuationFlag: '+', body: Buffer.from('x'),
    headers: [['content-type', 'text/plain'], ['message-id', 'm1234'], ['from-path', 'msrp://a.example.com:1/s;tcp'],
      ['X-Custom', 'Ünïcode'], ['TO-PATH', 'msrp://b.example.com:2/t;tcp'], ['Content-ID', '<a@b>']],
  });
  assert.is(c.encode().toString('utf8'), 'MSRP abcd SEND\r\nTo-Path: msrp://b.example.com:2/t;tcp\r\n' +
    'From-Path: msrp://a.example.com:1/s;tcp\r\nMessage-ID: m1234\r\nX-Custom: Ünïcode\r\nContent-ID: <a@b>\r\n' +
    'Content-Type: text/plain\r\n\r\nx\r\n-------abcd+\r\n');
});

wire('frame() gives head, the body itself (not a copy) and the end-line', () => {
  const body = Buffer.from('hello');
  const c = new Chunk({ transactionId: 'abcd', method: 'SEND', headers: [['Content-Type', 'a/b']], body,
    continuationFlag: '#' });
  const [head, b, end] = Chunk.frame(c);
  assert.is(head.toString(), 'MSRP abcd SEND\r\nContent-Type: a/b\r\n\r\n');
  assert.ok(b === body);
  assert.is(end.toString(), '\r\n-------abcd#\r\n');
  const [, none, bodilessEnd] = Chunk.frame(new Chunk({ transactionId: 'abcd', method: 'SEND' }));
  assert.is(none, undefined);
  assert.is(bodilessEnd.toString(), '-------abcd$\r\n');
});

wire('a body holding its own end-line gets a fresh transaction id (RFC 4975 §7.1)', () => {
  for (const body of ['x\r\n-------abcd$\r\ny', '-------abcd', 'tail\r\n-------abcd+']) {
    const c = new Chunk({ transactionId: 'abcd', method: 'SEND', headers: [['Content-Type', 'a/b']], body: Buffer.from(body) });
    const bytes = c.encode();
    assert.is.not(c.transactionId, 'abcd');
    assert.ok(isIdent(c.transactionId));
    assert.not.ok(body.includes(c.transactionId));
    const back = parseOne(bytes);
    assert.is(back.transactionId, c.transactionId);
    assert.is(back.body?.toString(), body);
  }
  // a different id in the body is harmless
  const other = new Chunk({ transactionId: 'abcd', method: 'SEND', body: Buffer.from('\r\n-------abce$\r\n') });
  other.encode();
  assert.is(other.transactionId, 'abcd');
});

wire('what cannot be written throws TypeError or RangeError', () => {
  const bad: Array<[Partial<ConstructorParameters<typeof Chunk>[0]>, ErrorConstructor]> = [
    [{ transactionId: 'ab' }, RangeError],
    [{ method: 'send' }, RangeError],
    [{ method: null, code: 99 }, RangeError],
    [{ method: null, code: 200, comment: 'a\r\nb' }, RangeError],
    [{ continuationFlag: '!' as '$' }, RangeError],
    [{ headers: [['X', 'a\r\nInjected: yes']] }, TypeError],
    [{ headers: [['Bad Name', 'v']] }, TypeError],
  ];
  for (const [init, type] of bad) {
    const c = new Chunk({ transactionId: 'abcd', method: 'SEND', ...init });
    assert.throws(() => c.encode(), (e: unknown) => e instanceof type, JSON.stringify(init));
  }
});

const headers = suite('Chunk: headers and typed accessors');

headers('getHeader/getHeaders are case-insensitive; setHeader replaces the first and drops the rest', () => {
  const c = new Chunk({ transactionId: 'abcd', method: 'SEND', headers: [['X-A', '1'], ['x-a', '2'], ['Y', '3']] });
  assert.is(c.getHeader('x-A'), '1');
  assert.equal(c.getHeaders('X-A'), ['1', '2']);
  c.setHeader('X-a', '9');
  assert.equal(c.headers, [['X-A', '9'], ['Y', '3']]);
  c.addHeader('Y', '4').removeHeader('y');
  assert.equal(c.headers, [['X-A', '9']]);
  assert.is(c.getHeader('message-id'), undefined);
});

headers('typed setters write canonical values, getters parse them back', () => {
  const c = new Chunk({ transactionId: 'abcd', method: 'SEND' });
  c.toPath = [MsrpUri.parse('msrp://b.example.com:2/t;tcp')];
  c.fromPath = [MsrpUri.parse('msrps://relay.example.com:2855;tcp'), MsrpUri.parse('msrp://a.example.com:1/s;tcp')];
  c.messageId = 'm1234';
  c.byteRange = { start: 1, end: '*', total: 100 };
  c.successReport = 'yes';
  c.failureReport = 'partial';
  c.contentType = { type: 'text', subtype: 'plain', params: [['charset', 'utf-8']] };
  c.expires = 900;
  assert.equal(c.headers.map(([n]) => n), ['To-Path', 'From-Path', 'Message-ID', 'Byte-Range', 'Success-Report',
    'Failure-Report', 'Content-Type', 'Expires']);
  assert.is(c.getHeader('Byte-Range'), '1-*/100');
  assert.is(c.fromPath?.length, 2);
  assert.equal(c.byteRange, { start: 1, end: '*', total: 100 });
  assert.is(c.successReport, 'yes');
  assert.is(c.failureReport, 'partial');
  assert.is(c.contentType?.params[0][1], 'utf-8');
  assert.is(c.expires, 900);
  c.expires = undefined;
  assert.is(c.getHeader('Expires'), undefined);
  c.status = { namespace: 0, code: 413, comment: 'too big' };
  assert.is(c.getHeader('Status'), '000 413 too big');
});

headers('absent headers read as undefined, malformed ones throw MsrpParseError (400)', () => {
  const c = new Chunk({ transactionId: 'abcd', method: 'SEND', headers: [['Byte-Range', '5-1/9'], ['Message-ID', 'x']] });
  assert.is(c.toPath, undefined);
  assert.is(c.status, undefined);
  for (const get of [() => c.byteRange, () => c.messageId]) {
    assert.throws(get, (e: unknown) => e instanceof MsrpParseError && e.statusCode === 400);
  }
});

headers('a parsed chunk finds headers by the ids its engine read, in any case, and after its headers are changed', () => {
  const c = parseOne(Buffer.from('MSRP abcd SEND\r\nto-path: msrp://b.example.com:2/t;tcp\r\nFROM-PATH: msrp://a.example.com:1/s;tcp\r\n'
    + 'Message-Id: m123\r\nX-Note: n\r\nByte-Range: 1-2/2\r\nContent-type: text/plain\r\n\r\nhi\r\n-------abcd$\r\n', 'latin1'));
  assert.is(c.getHeader('To-Path'), 'msrp://b.example.com:2/t;tcp');
  assert.is(c.getHeader('from-path'), 'msrp://a.example.com:1/s;tcp');
  assert.is(c.messageId, 'm123');
  assert.is(c.getHeader('x-note'), 'n');
  assert.equal(c.byteRange, { start: 1, end: 2, total: 2 });
  assert.is(c.contentType?.subtype, 'plain');
  assert.equal(c.headers.map((_, i) => c.headerIdAt(i)), [HeaderId.TO_PATH, HeaderId.FROM_PATH, HeaderId.MESSAGE_ID,
    HeaderId.UNKNOWN, HeaderId.BYTE_RANGE, HeaderId.CONTENT_TYPE]);
  // the public headers array changes under the ids the engine read
  c.headers[0] = ['X-Was-To-Path', 'gone'];
  assert.is(c.headerIdAt(0), HeaderId.UNKNOWN);
  assert.is(c.getHeader('To-Path'), undefined);
  assert.is(c.toPath, undefined);
  c.removeHeader('From-Path');
  assert.is(c.messageId, 'm123');
  assert.equal(c.getHeaders('message-id'), ['m123']);
  c.headers.splice(1, 0, ['Message-ID', 'm000']);
  assert.is(c.messageId, 'm000');
  c.setHeader('Byte-Range', '1-2/3');
  assert.equal(c.byteRange, { start: 1, end: 2, total: 3 });
  c.headers = [['Content-Type', 'text/html']];
  assert.is(c.messageId, undefined);
  assert.is(c.contentType?.subtype, 'html');
});

headers('a parsed head whose body follows shares one empty, frozen body', () => {
  const bodies: Array<Buffer | undefined> = [];
  const parser = new ChunkParser({ onHead: (h) => { bodies.push(h.body); } });
  const send = (tid: string): string => `MSRP ${tid} SEND\r\nTo-Path: msrp://b.example.com:2/t;tcp\r\n`
    + `From-Path: msrp://a.example.com:1/s;tcp\r\nMessage-ID: m1\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------${tid}$\r\n`;
  parser.push(Buffer.from(send('abcd') + send('efgh'), 'latin1'));
  assert.is(bodies.length, 2);
  assert.is(bodies[0]?.length, 0);
  assert.is(bodies[0], bodies[1]);
  assert.ok(Object.isFrozen(bodies[0]));
});

headers('isRequest / isResponse, endLine', () => {
  const r = new Chunk({ transactionId: 'abcd', code: 200 });
  assert.ok(r.isResponse);
  assert.not.ok(r.isRequest);
  assert.is(r.endLine, '-------abcd$');
});

headers('randomIdent gives distinct idents with 80 random bits', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const id = randomIdent();
    assert.ok(isIdent(id));
    assert.is(id.length, 20);
    seen.add(id);
  }
  assert.is(seen.size, 100);
});

wire.run();
headers.run();
