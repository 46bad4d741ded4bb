// `msrp decode` driven as a user runs it: a child process reading a file or stdin.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const BIN = new URL('../../bin/msrp.js', import.meta.url).pathname;
const SAMPLE = new URL('../fixtures/rfc-sample.msrp', import.meta.url).pathname;

function msrp(args: string[], input?: Buffer | string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const decode = suite('msrp decode');

decode('prints every chunk of the RFC sample with its body length and flag', () => {
  const r = msrp(['decode', SAMPLE]);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /^10 chunks, 0 errors$/m);
  assert.match(r.out, /#1 MSRP d93kswow SEND\n  To-Path: msrp:\/\/bob\.example\.com:8888\/9di4eae923wzd;tcp/);
  // RFC 4975 §11.1 step 4 says Byte-Range 1-16/16; the body really is 14 octets
  assert.match(r.out, /body: 14 octets "Hi, I'm Alice!"\n  -------d93kswow\$ \(last chunk\)/);
  assert.match(r.out, /Byte-Range: 1-137\/148\n  Content-Type: message\/cpim\n  body: 137 octets/);
  assert.match(r.out, /-------d93kswow\+ \(more chunks follow\)/);
  assert.match(r.out, /#10 MSRP 49fh 401 Unauthorized\n/);
});

decode('--json from stdin gives one object per chunk', () => {
  const r = msrp(['decode', '--json', '-'], readFileSync(SAMPLE));
  assert.is(r.code, 0, r.err);
  const rows = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.is(rows.length, 10);
  assert.equal(rows.map((c) => c.transactionId).slice(0, 4), ['d93kswow', 'd93kswow', 'dkei38sd', 'dkei38sd']);
  assert.is(rows[0].method, 'SEND');
  assert.is(rows[0].bodyLength, 14);
  assert.is(rows[1].code, 200);
  assert.is(rows[1].bodyLength, null);
  assert.is(rows[4].continuationFlag, '+');
  assert.equal(rows[9].headers[2][0], 'WWW-Authenticate');
});

decode('malformed input is reported with the status a peer would answer, exit 3', () => {
  const r = msrp(['decode'], 'MSRP abcd SEND\r\nTo-Path x\r\n\r\n-------abcd$\r\nGARBAGE\r\n');
  assert.is(r.code, 3);
  assert.match(r.err, /header line .* transaction abcd; a peer would answer 400/);
  assert.match(r.err, /framing lost/);
});

decode('a missing file exits 4, a bad flag or command exits 2', () => {
  assert.is(msrp(['decode', '/nonexistent/capture.msrp']).code, 4);
  assert.is(msrp(['decode', '--frobnicate']).code, 2);
  const r = msrp(['frobnicate']);
  assert.is(r.code, 2);
  assert.match(r.err, /unknown command "frobnicate"/);
});

decode.run();
