// Two relays of two implementations in one path: our endpoint A -> our
// MsrpRelay -> Kamailio's MSRP relay -> our endpoint B, and back (RFC 4976
// §5.1 paths, §6.4 forwarding). A AUTHs to our relay, B to Kamailio, both by
// hand. Kamailio has no TLS, so this runs over plain TCP with a numeric host
// (test/helpers/kamailio.ts lists its quirks): our relay listens on TCP too,
// forwards to msrp: next hops, and cuts chunks at 10 KB for it. The first test
// AUTHs by hand; the second uses the relay connectors (ConnectorRelay, AcceptorRelay)
// with MsrpSession on top.
import { createHash, randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { localPath } from '../../src/relay/use-path.ts';
import { AcceptorRelay, ConnectorRelay } from '../../src/connect/index.ts';
import { MsrpTransport } from '../../src/transport.ts';
import { exchangeBothWays, withBoundSessions } from '../helpers/relay-sessions.ts';
import { kamailioBinary, withKamailio } from '../helpers/kamailio.ts';
import { REALM, receiver, RelayClient, relayedEndpoint, startRelay, transportTo, USERS, type Received } from './server-helpers.ts';

const KAMAILIO_CHUNK = 10 * 1024;

const twoRelays = suite('relay server with Kamailio: our relay -> Kamailio and back');

twoRelays('chat and a 5 MB file both ways, byte-exact, through both relays', async () => {
  assert.ok(kamailioBinary() !== null, 'kamailio is installed (.ci/run installs it)');
  // a write queue large enough for a reader sharing this process's event loop (test/peers/kamailio-endpoints.test.ts)
  await withKamailio({ writeQueue: 64 * 1024 * 1024 }, async (kamailio) => {
    const relay = await startRelay({
      host: '127.0.0.1', allowNumericHost: true, noTls: true, tcpPort: 0, insecureNextHops: true, maxChunkSize: KAMAILIO_CHUNK,
    });
    try {
      const a = await relayedEndpoint(relay, 'alice', await RelayClient.open(relay.tcpUri as MsrpUri));
      const bClient = await RelayClient.open(MsrpUri.parse(kamailio.uri), { maxChunkSize: KAMAILIO_CHUNK });
      const granted = await bClient.auth('bob');
      assert.is(granted.response.code, 200);
      const useB = granted.response.usePath as MsrpUri[];
      const b = { client: bClient, uri: granted.from, usePath: useB, path: localPath(useB, granted.from) };
      const ta = transportTo(a, b.path);
      const tb = new MsrpTransport(b.client.connection, b.uri, [...useB, ...a.path], { closeConnection: false });
      const ra = receiver(ta);
      const rb = receiver(tb);

      ta.sendMessage({ body: 'hello B, via our relay and Kamailio' });
      const chatB = await rb.next();
      assert.is(String(chatB.body), 'hello B, via our relay and Kamailio');
      assert.is(chatB.chunks[0].getHeader('From-Path'), [...useB, ...a.path].map(String).join(' '), 'B sees the path back to A');
      tb.sendMessage({ body: 'hello A, back the same way' });
      assert.is(String((await ra.next()).body), 'hello A, back the same way');

      const fileAB = randomBytes(5 * 1024 * 1024);
      const sent = ta.sendMessage({ body: fileAB, contentType: 'application/octet-stream' });
      checkFile(await rb.next(60_000), fileAB, 'A -> B');
      assert.is((await sent.outcome).code, 200);
      const fileBA = randomBytes(5 * 1024 * 1024);
      const back = tb.sendMessage({ body: fileBA, contentType: 'application/octet-stream' });
      checkFile(await ra.next(60_000), fileBA, 'B -> A');
      assert.is((await back.outcome).code, 200);
      a.client.close();
      bClient.close();
    } finally {
      await relay.close();
    }
  });
});

twoRelays('the same path with the relay connectors: ConnectorRelay via our relay, AcceptorRelay via Kamailio; chat and 5 MB each way', async () => {
  await withKamailio({ writeQueue: 64 * 1024 * 1024 }, async (kamailio) => {
    const relay = await startRelay({
      host: '127.0.0.1', allowNumericHost: true, noTls: true, tcpPort: 0, insecureNextHops: true, maxChunkSize: KAMAILIO_CHUNK,
    });
    const connector = new ConnectorRelay({
      relay: { host: '127.0.0.1', port: relay.tcpUri?.port as number, username: 'alice', password: USERS.alice, realm: REALM, insecure: true },
      bindTimeout: 10_000,
    });
    const acceptor = new AcceptorRelay({
      relay: { host: '127.0.0.1', port: kamailio.port, insecure: true, maxChunkSize: KAMAILIO_CHUNK }, bindTimeout: 10_000,
    });
    try {
      const pathB = await acceptor.prepare();
      const pathA = await connector.prepare();
      assert.is(pathA[0].port, relay.tcpUri?.port, 'A\'s a=path starts at our relay');
      assert.is(pathB[0].port, kamailio.port, 'B\'s a=path starts at Kamailio');
      await withBoundSessions(connector, pathA, acceptor, pathB, exchangeBothWays);
    } finally {
      connector.cancel();
      acceptor.cancel();
      await relay.close();
    }
  });
});

function checkFile(got: Received, file: Buffer, label: string): void {
  assert.is(got.body.length, file.length, label);
  assert.is(sha(got.body), sha(file), `${label} byte-exact`);
  assert.ok(got.sizes.every((n) => n <= KAMAILIO_CHUNK), `${label}: chunks of at most 10 KB through Kamailio`);
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

twoRelays.run();
