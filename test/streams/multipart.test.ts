import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as M from '../../src/streams/multipart.ts';
import { rejectsWith } from './helpers.ts';

const rejects = (fn: () => unknown, part: string) => rejectsWith(fn, 'MSRP_ERR_MULTIPART', part, 400);

// the shape of the RFC 2046 §5.1.1 example: preamble, two parts (one without headers), epilogue
const RFC2046 = 'This is the preamble.  It is to be ignored, though it\r\nis a handy place for composition agents to include an\r\n'
  + 'explanatory note to non-MIME conformant readers.\r\n\r\n--simple boundary\r\n\r\nThis is implicitly typed plain US-ASCII text.\r\n'
  + 'It does NOT end with a linebreak.\r\n--simple boundary\r\nContent-type: text/plain; charset=us-ascii\r\n\r\n'
  + 'This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n\r\n--simple boundary--\r\n\r\n'
  + 'This is the epilogue.  It is also to be ignored.\r\n';

const Split = suite('multipart: splitting');

Split('the RFC 2046 §5.1.1 example: preamble and epilogue dropped, implicit type', () => {
  const parts = M.splitMultipart(Buffer.from(RFC2046), 'multipart/mixed; boundary="simple boundary"');
  assert.is(parts.length, 2);
  assert.equal(parts[0].headers, []);
  assert.is(parts[0].contentType, 'text/plain;charset=us-ascii');
  assert.is(parts[0].body.toString(), 'This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak.');
  assert.is(parts[1].contentType, 'text/plain; charset=us-ascii');
  assert.is(parts[1].body.toString(), 'This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n');
});

Split('binary parts are views into the body; a boundary-like line inside a part is not a delimiter', () => {
  const bin = Buffer.from([0, 0x0d, 0x0a, 0x2d, 0x2d, 0x62, 0x78, 0xff, 0x0d, 0x0a]);
  const body = Buffer.concat([Buffer.from('--b\r\nContent-Type: application/octet-stream\r\n\r\n'), bin,
    Buffer.from('\r\n--b \t\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--')]);
  const parts = M.splitMultipart(body, 'multipart/alternative;boundary=b');
  assert.is(parts.length, 2);
  assert.ok(parts[0].body.equals(bin));
  assert.is(parts[0].body.buffer, body.buffer);
  assert.is(parts[1].body.toString(), 'hi');
});

Split('LF-only line ends, digest default type, a part with headers only', () => {
  const parts = M.splitMultipart(Buffer.from('--x\n\nmsg\n--x\nContent-ID: <a@b>\n--x--\n'), 'multipart/digest; boundary=x');
  assert.is(parts[0].contentType, 'message/rfc822');
  assert.is(parts[0].body.toString(), 'msg');
  assert.equal(parts[1].headers, [{ name: 'Content-ID', value: '<a@b>' }]);
  assert.is(parts[1].body.length, 0);
});

Split('isMultipart', () => {
  assert.ok(M.isMultipart('multipart/mixed;boundary=a'));
  assert.ok(M.isMultipart('Multipart/Alternative'));
  assert.not.ok(M.isMultipart('text/plain'));
  assert.not.ok(M.isMultipart('garbage'));
});

Split('malformed bodies: clear MSRP_ERR_MULTIPART errors', () => {
  rejects(() => M.splitMultipart(Buffer.from('x'), 'text/plain'), 'not a multipart type');
  rejects(() => M.splitMultipart(Buffer.from('x'), 'multipart/mixed'), 'no boundary parameter');
  rejects(() => M.splitMultipart(Buffer.from('x'), `multipart/mixed;boundary=${'a'.repeat(71)}`), 'no boundary parameter');
  rejects(() => M.splitMultipart(Buffer.from('x'), 'not a type'), 'Content-Type');
  rejects(() => M.splitMultipart(Buffer.from('no boundary here'), 'multipart/mixed;boundary=b'), 'does not occur');
  rejects(() => M.splitMultipart(Buffer.from('--b\r\n\r\npart'), 'multipart/mixed;boundary=b'), 'no close delimiter');
  rejects(() => M.splitMultipart(Buffer.from('--b\r\nnot a header\r\n--b--'), 'multipart/mixed;boundary=b'), 'not a header line');
  rejects(() => M.splitMultipart(Buffer.from('--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b--'), 'multipart/mixed;boundary=b', { maxParts: 1 }), 'more than 1 parts');
});

const Build = suite('multipart: building');

Build('buildMultipart round-trips through splitMultipart with a boundary found in no part', () => {
  const parts = [
    { contentType: 'text/plain;charset=utf-8', body: 'héllo --msrp-' },
    { contentType: 'image/png', headers: [{ name: 'Content-ID', value: '<img1@x>' }], body: Buffer.from([0, 1, 2, 0x0d, 0x0a]) },
  ];
  const built = M.buildMultipart(parts, 'alternative');
  assert.match(built.contentType, /^multipart\/alternative;boundary=msrp-[0-9a-f]{24}$/);
  const back = M.splitMultipart(built.body, built.contentType);
  assert.equal(back.map((p) => p.contentType), ['text/plain;charset=utf-8', 'image/png']);
  assert.is(back[0].body.toString(), 'héllo --msrp-');
  assert.ok(back[1].body.equals(Buffer.from([0, 1, 2, 0x0d, 0x0a])));
  assert.equal(back[1].headers[1], { name: 'Content-ID', value: '<img1@x>' });
  assert.throws(() => M.buildMultipart([]), RangeError);
});

Split.run();
Build.run();
