/**
 * Two `msrp chat` processes over their stdin and stdout: the offer and the
 * answer copied across, then lines typed on one side are printed on the
 * other with the sender and the time; Ctrl-D on one side ends both.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatMessage } from '../../src/cli/chat.ts';
import { Msrp, RELAY_USERS, startRelay } from './helpers.ts';

/** This side's SDP line: the `sdp` event's token with --json, else the token line. */
async function sdpLine(m: Msrp, json: boolean): Promise<string> {
  return json ? String((await m.event('sdp')).token) : m.line(/^msrp-sdp:/);
}

/** Starts an offering and an answering chat and copies the SDP lines between them; both are killed if that fails. */
async function pair(common: string[], alice: string[], bob: string[], env: { alice?: Record<string, string>; bob?: Record<string, string> } = {}) {
  const a = new Msrp(['chat', '--me', 'sip:alice@example.com', ...common, ...alice], { env: env.alice });
  const b = new Msrp(['chat', '--answer', '--me', 'sip:bob@example.com', ...common, ...bob], { env: env.bob });
  const json = common.includes('--json');
  try {
    b.type(await sdpLine(a, json));
    a.type(await sdpLine(b, json));
    if (json) await Promise.all([a.event('connected'), b.event('connected')]);
    else await Promise.all([a.line(/^connected /), b.line(/^connected /)]);
  } catch (err) {
    a.kill();
    b.kill();
    throw err;
  }
  return [a, b];
}

const text = suite('msrp chat: two terminals, text mode');

text('lines typed are printed on the other side with sender and time; Ctrl-D ends both', async () => {
  const [a, b] = await pair(['--host', '127.0.0.1'], [], []);
  try {
    a.type('hello Bob, äöü ✓');
    const got = await b.line(/hello Bob/);
    assert.match(got, /^\[\d\d:\d\d:\d\d\] sip:alice@example\.com: hello Bob, äöü ✓$/);
    b.type('hi Alice');
    assert.match(await a.line(/hi Alice/), /^\[\d\d:\d\d:\d\d\] sip:bob@example\.com: hi Alice$/);
    b.type('a line with an \u001b[31mescape');
    const escaped = await a.line(/a line with an/);
    assert.match(escaped, /a line with an \\u\{1b\}\[31mescape$/);
    a.endInput();
    assert.is(await a.exit(), 0, a.stderr);
    assert.is(await b.exit(), 0, b.stderr);
    assert.match(a.stdout, /^chat ended$/m);
    assert.match(b.stdout, /^the other side left the chat$/m);
  } finally {
    a.kill();
    b.kill();
  }
});

const events = suite('msrp chat --json through msrp relay');

events('message, delivered and sent events; the relay carries the session', async () => {
  const { relay, flags } = await startRelay();
  const [a, b] = await pair(['--json', ...flags], ['--user', 'alice'], ['--user', 'bob'],
    { alice: { MSRP_PASSWORD: RELAY_USERS.alice }, bob: { MSRP_PASSWORD: RELAY_USERS.bob } }).catch((err) => {
    relay.kill();
    throw err;
  });
  try {
    a.type('through the relay');
    const m = await b.event('message');
    assert.is(m.text, 'through the relay');
    assert.is(m.from, 'sip:alice@example.com');
    assert.ok(!Number.isNaN(Date.parse(String(m.time))));
    const sent = await a.event('sent');
    const delivered = await a.event('delivered');
    assert.is(delivered.messageId, sent.messageId);
    assert.is(delivered.source, 'report');
    const connected = await a.event('connected');
    assert.match(String((connected.peer as string[])[0]), /^msrps:\/\/localhost:\d+\//, 'the peer path starts at the relay');
    b.endInput();
    assert.is(await b.exit(), 0, b.stderr);
    assert.is(await a.exit(), 0, a.stderr);
    assert.is((await a.event('ended')).by, 'peer');
  } finally {
    a.kill();
    b.kill();
    relay.kill();
  }
});

const format = suite('cli/chat formatMessage');

format('time, sender (display name and URI), escaped text, continuation lines indented', () => {
  const timestamp = new Date(2024, 0, 2, 9, 5, 7);
  const sender = { uri: 'sip:bob@example.com', displayName: null };
  assert.is(formatMessage({ sender, timestamp, content: 'hi', contentType: 'text/plain', private: false }), '[09:05:07] sip:bob@example.com: hi');
  assert.is(formatMessage({ sender: { uri: 'sip:a@x', displayName: 'A\u001b[31m' }, timestamp, content: 'one\ntwo', contentType: 'text/plain', private: true }),
    '[09:05:07] A\\u{1b}[31m <sip:a@x> (private): one\n    two');
  assert.is(formatMessage({ sender, timestamp, content: Buffer.alloc(3), contentType: 'image/png', private: false }),
    '[09:05:07] sip:bob@example.com: [3 octets of image/png]');
});

text.run();
events.run();
format.run();
