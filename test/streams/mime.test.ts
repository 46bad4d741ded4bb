import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpParseError } from '../../src/errors.ts';
import * as M from '../../src/streams/mime.ts';

const Headers = suite('MIME header blocks');

Headers('reads fields up to the blank line, unfolds continuation lines, reports where the content starts', () => {
  const buf = Buffer.from('Content-Type: text/plain\r\nContent-Disposition: render;\r\n   size=12\r\n\r\nbody');
  const block = M.readMimeHeaders(buf, 0, 'X', 'test');
  assert.equal(block.headers, [{ name: 'Content-Type', value: 'text/plain' }, { name: 'Content-Disposition', value: 'render; size=12' }]);
  assert.is(buf.subarray(block.end).toString(), 'body');
  assert.ok(block.terminated);
  assert.is(M.mimeHeader(block.headers, 'content-type'), 'text/plain');
  assert.is(M.mimeHeader(block.headers, 'Content-ID'), null);
});

Headers('an unterminated block ends at the buffer end; an empty block is just the blank line', () => {
  const open = M.readMimeHeaders(Buffer.from('A: 1\nB: 2'), 0, 'X', 'test');
  assert.equal(open, { headers: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], end: 9, terminated: false });
  assert.equal(M.readMimeHeaders(Buffer.from('\r\nxyz'), 0, 'X', 'test'), { headers: [], end: 2, terminated: true });
});

Headers('errors carry the caller code and status 400', () => {
  for (const [text, part, max] of [['no colon\r\n\r\n', 'not a header line', 1000], [': empty name\r\n\r\n', 'not a header line', 1000],
    [' folded first\r\n\r\n', 'continuation line', 1000], [`A: ${'x'.repeat(50)}\r\n\r\n`, 'longer than 20', 20]] as const) {
    try {
      M.readMimeHeaders(Buffer.from(text), 0, 'MSRP_ERR_TEST', 'where', max);
      assert.unreachable(text);
    } catch (err) {
      assert.instance(err, MsrpParseError);
      assert.is((err as MsrpParseError).code, 'MSRP_ERR_TEST');
      assert.is((err as MsrpParseError).statusCode, 400);
      assert.ok((err as Error).message.startsWith('where: '));
      assert.ok((err as Error).message.includes(part), (err as Error).message);
    }
  }
});

Headers('formatMimeHeaders writes CRLF lines and refuses what would break the block', () => {
  assert.is(M.formatMimeHeaders([{ name: 'A', value: '1' }, { name: 'B-c', value: '' }]), 'A: 1\r\nB-c: \r\n');
  assert.throws(() => M.formatMimeHeaders([{ name: 'A B', value: '1' }]), RangeError);
  assert.throws(() => M.formatMimeHeaders([{ name: 'A', value: '1\r\nB: 2' }]), RangeError);
  assert.equal(M.lineAt(Buffer.from('ab\r\ncd'), 0), [0, 2, 4]);
  assert.equal(M.lineAt(Buffer.from('ab\ncd'), 3), [3, 5, 5]);
  assert.is(M.trimWs(' \t a b \t'), 'a b');
});

Headers.run();
