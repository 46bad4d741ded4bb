import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunk } from '../../src/protocol/chunk.ts';
import type { ChunkInit } from '../../src/protocol/chunk.ts';
import { HeadMemo, MAX_NON_SEND_BODY, validateChunk, validateHead } from '../../src/protocol/validate.ts';
import type { MsrpUri } from '../../src/protocol/uri.ts';

const TO = 'msrp://bob.example.com:8888/9di4eae923wzd;tcp';
const FROM = 'msrp://alicepc.example.com:7777/iau39soe2843z;tcp';

/** A valid single-chunk SEND (RFC 4975 §11.1 step 4), changed by `edit`. */
function send(edit: (c: Chunk) => void = () => {}, init: Partial<ChunkInit> = {}): Chunk {
  const c = new Chunk({
    transactionId: 'd93kswow', method: 'SEND',
    headers: [['To-Path', TO], ['From-Path', FROM], ['Message-ID', '12339sdqwer'], ['Byte-Range', '1-14/14'],
      ['Content-Type', 'text/plain']],
    body: Buffer.from("Hi, I'm Alice!"), ...init,
  });
  edit(c);
  return c;
}

const status = (r: { statusCode: number } | null): number | null => r?.statusCode ?? null;

const paths = suite('validate: paths and sessions (RFC 4975 §7.3)');

paths('a valid SEND passes', () => {
  assert.is(validateChunk(send()), null);
});

paths('To-Path and From-Path must be present and parse', () => {
  assert.is(status(validateChunk(send((c) => c.removeHeader('To-Path')))), 400);
  assert.is(status(validateChunk(send((c) => c.removeHeader('From-Path')))), 400);
  assert.is(status(validateChunk(send((c) => c.setHeader('To-Path', 'http://x')))), 400);
  const response = new Chunk({ transactionId: 'd93kswow', code: 200, comment: 'OK', headers: [['To-Path', TO]] });
  assert.match(validateHead(response)?.reason ?? '', /From-Path/);
});

paths('an unknown session is 481, a session on another connection 506', () => {
  let seen = '';
  const session = (to: { toString(): string }[]): 'ok' | 'unknown' | 'elsewhere' => {
    seen = to.map(String).join(' ');
    return seen.includes('9di4') ? 'unknown' : 'elsewhere';
  };
  assert.is(status(validateChunk(send(), { session })), 481);
  assert.is(seen, TO);
  assert.is(status(validateChunk(send((c) => c.setHeader('To-Path', FROM)), { session })), 506);
  assert.is(validateChunk(send(), { session: () => 'ok' }), null);
});

const methods = suite('validate: methods and headers (RFC 4975 §7.1)');

methods('an unimplemented method is 501', () => {
  const auth = new Chunk({ transactionId: 'abcd', method: 'AUTH', headers: [['To-Path', TO], ['From-Path', FROM]] });
  assert.is(status(validateChunk(auth)), 501);
  assert.is(validateChunk(auth, { methods: ['AUTH'] }), null);
});

methods('a SEND needs a Message-ID, and a REPORT a Message-ID and a Status', () => {
  assert.is(status(validateChunk(send((c) => c.removeHeader('Message-ID')))), 400);
  const report = new Chunk({ transactionId: 'dkei38sd', method: 'REPORT',
    headers: [['To-Path', FROM], ['From-Path', TO], ['Message-ID', '12339sdqwer'], ['Byte-Range', '1-14/14']] });
  assert.match(validateChunk(report)?.reason ?? '', /Status/);
  report.setHeader('Status', '000 200 OK');
  assert.is(validateChunk(report), null);
});

methods('malformed typed headers are 400, or the status their codec names', () => {
  assert.is(status(validateChunk(send((c) => c.setHeader('Message-ID', 'no')))), 400);
  assert.is(status(validateChunk(send((c) => c.setHeader('Byte-Range', '0-14/14')))), 400);
  assert.is(status(validateChunk(send((c) => c.setHeader('Success-Report', 'partial')))), 400);
  assert.is(status(validateChunk(send((c) => c.setHeader('Content-Type', 'text')))), 400);
});

methods('Byte-Range may be omitted only on a whole message in one chunk (RFC 4975 §7.1.1)', () => {
  assert.is(validateChunk(send((c) => c.removeHeader('Byte-Range'))), null);
  assert.is(status(validateChunk(send((c) => c.removeHeader('Byte-Range'), { continuationFlag: '+' }))), 400);
  // the head alone cannot know the flag yet
  assert.is(validateHead(send((c) => c.removeHeader('Byte-Range'), { continuationFlag: '+' })), null);
});

const bodies = suite('validate: bodies (RFC 4975 §7.1, §7.3.1)');

bodies('a body needs a Content-Type; a bodiless SEND does not', () => {
  assert.is(status(validateChunk(send((c) => c.removeHeader('Content-Type')))), 400);
  assert.is(validateChunk(send((c) => c.removeHeader('Content-Type'), { body: undefined })), null);
  // an empty body is still a body
  assert.is(status(validateChunk(send((c) => c.removeHeader('Content-Type'), { body: Buffer.alloc(0) }))), 400);
});

bodies('a media type outside accept-types is 415', () => {
  assert.is(status(validateChunk(send(), { acceptTypes: ['message/cpim'] })), 415);
  assert.is(validateChunk(send(), { acceptTypes: ['message/cpim', 'text/*'] }), null);
  assert.is(validateChunk(send(), { acceptTypes: ['*'] }), null);
});

bodies('non-SEND bodies are at most 10240 octets: 413 beyond', () => {
  const nick = (size: number): Chunk => new Chunk({ transactionId: 'abcd', method: 'NICKNAME',
    headers: [['To-Path', TO], ['From-Path', FROM], ['Content-Type', 'text/plain']], body: Buffer.alloc(size) });
  assert.is(validateChunk(nick(MAX_NON_SEND_BODY), { methods: ['NICKNAME'] }), null);
  assert.is(status(validateChunk(nick(MAX_NON_SEND_BODY + 1), { methods: ['NICKNAME'] })), 413);
  assert.is(validateChunk(send(() => {}, { body: Buffer.alloc(MAX_NON_SEND_BODY + 1) })), null);
});

const memo = suite('validate: a connection\'s HeadMemo');

memo('repeated path values are parsed once; new, malformed and absent ones are not taken from the memo', () => {
  const m = new HeadMemo();
  const seen: MsrpUri[][] = [];
  const session = (to: MsrpUri[], from: MsrpUri[]): 'ok' => {
    seen.push(to, from);
    return 'ok';
  };
  assert.is(validateChunk(send(), { session, memo: m }), null);
  assert.is(validateChunk(send(), { session, memo: m }), null);
  assert.is(seen[2], seen[0]);
  assert.is(seen[3], seen[1]);
  const other = 'msrp://carol.example.com:9999/x9y8z7;tcp';
  assert.is(validateChunk(send((c) => c.setHeader('To-Path', other)), { session, memo: m }), null);
  assert.is(seen[4].map(String).join(' '), other);
  assert.is(status(validateChunk(send((c) => c.setHeader('To-Path', 'http://x')), { session, memo: m })), 400);
  assert.is(status(validateChunk(send((c) => c.setHeader('To-Path', other).removeHeader('From-Path')), { session, memo: m })), 400);
  assert.is(validateChunk(send((c) => c.setHeader('To-Path', other)), { session, memo: m }), null);
  assert.is(seen[6], seen[4]);
  assert.is(seen.length, 8);
});

memo('a remembered Content-Type still answers 415 and 400 as without the memo', () => {
  const m = new HeadMemo();
  const acceptTypes = ['text/plain'];
  for (let i = 0; i < 2; i++) {
    assert.is(validateChunk(send(), { acceptTypes, memo: m }), null);
    assert.is(status(validateChunk(send((c) => c.setHeader('Content-Type', 'image/png')), { acceptTypes, memo: m })), 415);
    assert.is(status(validateChunk(send((c) => c.setHeader('Content-Type', 'text')), { acceptTypes, memo: m })), 400);
  }
});

paths.run();
memo.run();
methods.run();
bodies.run();
