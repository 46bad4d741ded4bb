/** SDP tokens and reading the peer's SDP (src/cli/sdp-token.ts). */
import { deflateRawSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSdpToken, encodeSdpToken, readPeerMedia, readPeerSdp, SDP_TOKEN_PREFIX } from '../../src/cli/sdp-token.ts';
import { cliFailure } from './helpers.ts';

const SDP = [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=message 7394 TCP/MSRP *', 'c=IN IP4 127.0.0.1',
  'a=accept-types:text/plain', 'a=path:msrp://127.0.0.1:7394/9di4eae923wzd;tcp', 'a=setup:actpass', '',
].join('\r\n');

/** A line source over `lines`. */
function source(lines: string[]): () => Promise<string | null> {
  const left = [...lines];
  return async () => left.shift() ?? null;
}

const token = suite('cli/sdp-token tokens');

token('round trip, one line of base64url, shorter than the SDP in plain base64', () => {
  const t = encodeSdpToken(SDP);
  assert.ok(t.startsWith(SDP_TOKEN_PREFIX));
  assert.match(t, /^msrp-sdp:[A-Za-z0-9_-]+$/);
  assert.ok(t.length < SDP_TOKEN_PREFIX.length + Buffer.from(SDP).toString('base64url').length);
  assert.is(decodeSdpToken(`  ${t}  `), SDP);
});

token('damaged, cut or foreign tokens are exit 3 with what to do', async () => {
  const t = encodeSdpToken(SDP);
  assert.match((await cliFailure(Promise.resolve().then(() => decodeSdpToken(t.slice(0, 30))))).message, 'damaged or cut short');
  assert.match((await cliFailure(Promise.resolve().then(() => decodeSdpToken(`${t}!`)))).message, 'characters outside base64url');
  assert.match((await cliFailure(Promise.resolve().then(() => decodeSdpToken('sdp:abc')))).message, 'should start with msrp-sdp:');
  // a small token that inflates past 64 KiB is not an SDP
  const bomb = SDP_TOKEN_PREFIX + deflateRawSync(Buffer.alloc(1 << 20, 0x61)).toString('base64url');
  const e = await cliFailure(Promise.resolve().then(() => decodeSdpToken(bomb)));
  assert.is(e.exitCode, 3);
});

const read = suite('cli/sdp-token reading the peer');

read('a token after blank lines, or SDP text to a blank line', async () => {
  assert.is(await readPeerSdp(source(['', '  ', encodeSdpToken(SDP)])), SDP);
  const text = SDP.split('\r\n');
  assert.is(await readPeerSdp(source([...text, 'not read'])), SDP);
  assert.is(await readPeerSdp(source(text.slice(0, -1))), SDP, 'the end of input ends the text too');
  const media = await readPeerMedia({ next: source([encodeSdpToken(SDP)]) });
  assert.is(media.path[0].port, 7394);
});

read('nothing at all is exit 5; anything else is exit 3', async () => {
  assert.is((await cliFailure(readPeerSdp(source(['', ''])))).exitCode, 5);
  const e = await cliFailure(readPeerSdp(source(['hello'])));
  assert.is(e.exitCode, 3);
  assert.match(e.message, 'expected an SDP token');
});

token.run();
read.run();
