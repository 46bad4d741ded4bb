import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunk } from '../../src/protocol/chunk.ts';
import { encodeResponse, makeResponse, responseText } from '../../src/transport/responses.ts';

const A = 'msrp://a.example.com:7777/aaaa1111;tcp';
const B = 'msrp://b.example.com:8888/bbbb2222;tcp';
const RELAY = 'msrp://relay.example.com:2855/rrrr3333;tcp';

function request(method: string, to: string, from: string, more: Array<[string, string]> = []): Chunk {
  return new Chunk({ transactionId: 'tid12345', method, headers: [['To-Path', to], ['From-Path', from], ...more] });
}

const text = suite('responses: wire text');

text('each response carries the paths of its own request, however requests alternate', () => {
  const cases: Array<[Chunk, string | undefined, string]> = [
    [request('SEND', B, `${RELAY} ${A}`), undefined, `To-Path: ${RELAY}\r\nFrom-Path: ${B}\r\n`],
    [request('SEND', B, `${RELAY} ${A}`), undefined, `To-Path: ${RELAY}\r\nFrom-Path: ${B}\r\n`],
    [request('NICKNAME', B, `${RELAY} ${A}`), undefined, `To-Path: ${RELAY} ${A}\r\nFrom-Path: ${B}\r\n`],
    [request('SEND', B, A), undefined, `To-Path: ${A}\r\nFrom-Path: ${B}\r\n`],
    [request('SEND', B, A), RELAY, `To-Path: ${A}\r\nFrom-Path: ${RELAY}\r\n`],
    [request('SEND', B, A), B, `To-Path: ${A}\r\nFrom-Path: ${B}\r\n`],
    [request('SEND', `${B} ${RELAY}`, A), undefined, `To-Path: ${A}\r\nFrom-Path: ${B}\r\n`],
    [request('SEND', B, A), undefined, `To-Path: ${A}\r\nFrom-Path: ${B}\r\n`],
  ];
  for (const [req, fromUri, paths] of cases) {
    assert.is(responseText(req, 200, undefined, fromUri), `MSRP tid12345 200 OK\r\n${paths}-------tid12345$\r\n`);
  }
});

text('no response to a REPORT, none for Failure-Report no, no 2xx for partial', () => {
  assert.is(responseText(request('REPORT', B, A), 200), null);
  assert.is(responseText(request('SEND', B, A, [['Failure-Report', 'no']]), 413), null);
  assert.is(responseText(request('SEND', B, A, [['Failure-Report', 'partial']]), 200), null);
  assert.match(responseText(request('SEND', B, A, [['Failure-Report', 'partial']]), 413) ?? '', /^MSRP tid12345 413 /);
});

text('a control character in a comment or a path is refused, also right after valid ones', () => {
  assert.ok(responseText(request('SEND', B, A), 200, 'fine'));
  assert.throws(() => responseText(request('SEND', B, A), 200, 'bad\r\nline'), TypeError);
  assert.ok(responseText(request('SEND', B, A), 200, 'fine'));
  assert.throws(() => responseText(request('SEND', B, `${A}\u0001`), 200), TypeError);
  assert.throws(() => responseText(request('SEND', B, A), 200, undefined, `${RELAY}\n`), TypeError);
});

text('encodeResponse and makeResponse().encode() give the same bytes as responseText', () => {
  for (const comment of [undefined, null, 'Hi there', 'é ok']) {
    const req = request('SEND', B, `${RELAY} ${A}`);
    const wire = responseText(req, 481, comment) as string;
    assert.equal(encodeResponse(req, 481, comment), Buffer.from(wire, 'utf8'));
    assert.equal(makeResponse(req, 481, comment).encode(), Buffer.from(wire, 'utf8'));
  }
});

text.run();
