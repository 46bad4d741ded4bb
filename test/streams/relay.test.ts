/**
 * Streams through our own MsrpRelay (RFC 4976, src/relay/) over TLS with
 * digest AUTH: both ends reach the relay with ConnectorRelay (connect.relay
 * set), their a=path lists the relay first, chat goes both ways with
 * delivery from end-to-end success REPORTs, and a file arrives byte-exact
 * with its sha-1 checked.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RelayOptions } from '../../src/connect/index.ts';
import type { MsrpRelay } from '../../src/relay/relay.ts';
import { ChatStream, type IncomingChatMessage } from '../../src/streams/chat.ts';
import { hashFile } from '../../src/streams/file-io.ts';
import { FileTransferStream } from '../../src/streams/file-transfer.ts';
import { parseMsrpMedia } from '../../src/streams/sdp.ts';
import { testCertificates } from '../helpers/tls.ts';
import { REALM, startRelay, USERS } from '../relay/server-helpers.ts';
import { chatOptions, fileOptions, negotiate, next, randomFile, tempDir } from './stream-helpers.ts';

async function relayOf(relay: MsrpRelay, user: keyof typeof USERS): Promise<RelayOptions> {
  const certs = await testCertificates();
  return { host: 'localhost', port: relay.uri.port as number, username: user, password: USERS[user], realm: REALM, tls: { ca: certs.ca.cert } };
}

const through = suite('streams through our relay (RFC 4976)');

through('chat both ways; delivered by success REPORTs that cross the relay', async () => {
  const relay = await startRelay();
  const alice = new ChatStream(chatOptions('sip:alice@example.com', 'sip:bob@example.com', { connect: { relay: await relayOf(relay, 'alice'), bindTimeout: 10_000 } }));
  const bob = new ChatStream(chatOptions('sip:bob@example.com', 'sip:alice@example.com', { connect: { relay: await relayOf(relay, 'bob'), bindTimeout: 10_000 } }));
  try {
    const { offer, answer } = await negotiate(alice, bob);
    const o = parseMsrpMedia(offer);
    assert.is(o.path.length, 2, 'relay, then the endpoint (RFC 4976 §11)');
    assert.is(o.path[0].host, 'localhost');
    assert.is(o.path[0].port, relay.uri.port);
    assert.is(parseMsrpMedia(answer).path.length, 2);
    const got = next<IncomingChatMessage>(bob, 'message');
    const handle = alice.sendMessage('via the relay', { timestamp: new Date() });
    assert.is((await got).content, 'via the relay');
    assert.equal(await handle.done, { messageId: handle.messageId, delivered: true, code: 200, reason: null });
    const back = next<IncomingChatMessage>(alice, 'message');
    bob.sendMessage('and back');
    assert.is((await back).content, 'and back');
  } finally {
    await Promise.all([alice.end(), bob.end()]);
    await relay.close();
  }
});

through('a 10 MB file arrives byte-exact with its sha-1 checked', async () => {
  const relay = await startRelay();
  const dir = await tempDir();
  try {
    const source = await randomFile(dir.path, 'through.bin', 10 * 2 ** 20);
    const tx = new FileTransferStream(fileOptions({ file: { path: source }, connect: { relay: await relayOf(relay, 'alice'), bindTimeout: 10_000 } }));
    const rx = new FileTransferStream(fileOptions({ destination: dir.path, connect: { relay: await relayOf(relay, 'bob'), bindTimeout: 10_000 } }));
    const done = next<{ path: string; hash: { value: string } }>(rx, 'finished', 30_000);
    const sent = next(tx, 'finished', 30_000);
    await negotiate(tx, rx);
    const got = await done;
    await sent;
    assert.is((await hashFile(got.path)).value, (await hashFile(source)).value);
    await Promise.all([tx.end(), rx.end()]);
  } finally {
    await dir.remove();
    await relay.close();
  }
});

through.run();
