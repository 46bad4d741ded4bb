/**
 * The lifecycle every stream shares (stream-base.ts), seen through
 * ChatStream on real sockets: RFC 6135 roles for each listening choice
 * (including an offerer that listened but must connect), lifecycle events
 * in order, msrps with a=fingerprint pinning both ways (RFC 8122), a wrong
 * pin failing start, and a remote description that cannot work.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpConnectError, MsrpParseError, MsrpStreamError } from '../../src/errors.ts';
import { ChatStream, type ChatStreamOptions } from '../../src/streams/chat.ts';
import { formatSdp, parseMsrpMedia } from '../../src/streams/sdp.ts';
import { testCertificates } from '../helpers/tls.ts';
import { chatOptions, collect, negotiate, next, rejects } from './stream-helpers.ts';

function pair(alice: Partial<ChatStreamOptions>, bob: Partial<ChatStreamOptions>): [ChatStream, ChatStream] {
  return [
    new ChatStream(chatOptions('sip:alice@example.com', 'sip:bob@example.com', alice)),
    new ChatStream(chatOptions('sip:bob@example.com', 'sip:alice@example.com', bob)),
  ];
}

async function talk(alice: ChatStream, bob: ChatStream): Promise<void> {
  const got = next<{ content: string }>(bob, 'message');
  alice.sendMessage('ping');
  assert.is((await got).content, 'ping');
  const back = next<{ content: string }>(alice, 'message');
  bob.sendMessage('pong');
  assert.is((await back).content, 'pong');
}

const roles = suite('streams: who connects (RFC 6135 through the connect module)');

roles('every listening choice ends connected, with the a=setup and port RFC 6135 §4.2.2 asks', async () => {
  const cases: Array<[boolean, boolean, string, string]> = [
    // alice listens, bob listens, offered setup, answered setup
    [true, true, 'actpass', 'passive'],
    [true, false, 'actpass', 'active'],
    [false, true, 'active', 'passive'],
  ];
  for (const [aliceListens, bobListens, offered, answered] of cases) {
    const [alice, bob] = pair({ listen: aliceListens }, { listen: bobListens });
    const { offer, answer } = await negotiate(alice, bob);
    const o = parseMsrpMedia(offer);
    const a = parseMsrpMedia(answer);
    assert.equal([o.setup, a.setup], [offered, answered]);
    if (offered === 'active') assert.is(o.port, 9);
    if (answered === 'active') assert.is(a.port, 9);
    await talk(alice, bob);
    await Promise.all([alice.end(), bob.end()]);
  }
});

roles('lifecycle events in order; end before start; a second start is refused', async () => {
  const [alice, bob] = pair({}, {});
  const order: string[] = [];
  for (const e of ['didInitialize', 'didStart', 'willEnd', 'didEnd']) alice.on(e as 'didStart', () => order.push(e));
  await negotiate(alice, bob);
  await rejects(alice.start(bob.sdpMedia!), MsrpStreamError, 'MSRP_ERR_STREAM_STATE');
  await alice.end();
  await alice.end();
  await bob.end();
  assert.equal(order, ['didInitialize', 'didStart', 'willEnd', 'didEnd']);
  const lonely = new ChatStream(chatOptions('sip:a@example.com', 'sip:b@example.com'));
  const events = collect(lonely, 'didEnd');
  await lonely.initialize();
  await lonely.end();
  assert.is(events.length, 1);
  assert.is(lonely.state, 'ended');
});

roles('a remote description that cannot work fails start with didFail', async () => {
  const [alice, bob] = pair({}, {});
  await alice.initialize();
  const answer = await bob.initialize(formatSdp([alice.localMedia!]));
  const failed = next<{ reason: string }>(alice, 'didFail');
  await rejects(alice.start({ ...answer, acceptTypes: ['application/x-nothing'], acceptWrappedTypes: [] }), MsrpParseError, 'MSRP_ERR_SDP');
  assert.match((await failed).reason, /no common content type/);
  await bob.end();
});

const tls = suite('streams: msrps with a=fingerprint (RFC 8122, RFC 4975 §14.4)');

tls('each side puts its certificate fingerprint in SDP and pins the other\'s', async () => {
  const certs = await testCertificates();
  const [alice, bob] = pair({ connect: { tls: { cert: certs.alice.cert, key: certs.alice.key } } },
    { connect: { tls: { cert: certs.bob.cert, key: certs.bob.key } } });
  const { offer, answer } = await negotiate(alice, bob);
  const o = parseMsrpMedia(offer);
  assert.ok(o.secure && o.path[0].secure);
  assert.is(o.fingerprints.length, 1);
  assert.is(o.fingerprints[0].hash, 'sha-256');
  assert.is(parseMsrpMedia(answer).fingerprints.length, 1);
  await talk(alice, bob);
  await Promise.all([alice.end(), bob.end()]);
});

tls('a certificate that does not match the a=fingerprint fails start', async () => {
  const certs = await testCertificates();
  const [alice, bob] = pair({ connect: { tls: { cert: certs.alice.cert, key: certs.alice.key } } },
    { connect: { tls: { cert: certs.bob.cert, key: certs.bob.key }, bindTimeout: 300 }, endTimeout: 100 });
  const offer = await alice.initialize();
  const answer = await bob.initialize(formatSdp([offer]));
  // Bob's answer claims Alice's own certificate: Bob's real one does not match it
  const forged = { ...answer, fingerprints: offer.fingerprints };
  const results = await Promise.allSettled([alice.start(forged), bob.start(formatSdp([offer]))]);
  assert.is(results[0].status, 'rejected');
  const error = (results[0] as PromiseRejectedResult).reason;
  assert.instance(error, MsrpConnectError);
  await Promise.all([alice.end(), bob.end()]);
});

roles.run();
tls.run();
