/**
 * An MsrpRelay (RFC 4976) on 127.0.0.1 with TLS and a credential store, and a
 * session between Alice and Bob through it: each AUTHs with digest over TLS
 * (pinning the relay's certificate by fingerprint), their paths go through
 * the relay, and a 30000-octet message crosses it in chunks of at most
 * 10240 octets (what a Kamailio relay takes). Run: node --import tsx examples/relay.ts
 */
import { getAcceptor, getConnector, MemoryCredentialStore, MsrpRelay, MsrpSession, type ReceivedMessage, type RelayOptions } from '../src/index.ts';
// A self-signed certificate for the example; in production use your own.
import { generateCertificate } from '../src/cli/certificate.ts';

const cert = await generateCertificate(['localhost']);
const relay = await MsrpRelay.listen({
  host: 'localhost', listenHost: '127.0.0.1', port: 0, tls: { cert: cert.cert, key: cert.key },
  credentials: new MemoryCredentialStore([
    { username: 'alice', realm: 'localhost', password: 'alice-secret' },
    { username: 'bob', realm: 'localhost', password: 'bob-secret' },
  ]),
});
try {
  const settings = (user: string): RelayOptions => ({
    host: 'localhost', port: relay.uri.port as number, username: user, password: `${user}-secret`,
    tls: { fingerprint: cert.fingerprint }, maxChunkSize: 10240,
  });
  // With `relay`, getConnector/getAcceptor give ConnectorRelay/AcceptorRelay; prepare() AUTHs and returns the path via the relay.
  const connector = getConnector({ relay: settings('alice'), pool: null, bindTimeout: 10_000 });
  const acceptor = getAcceptor({ relay: settings('bob'), pool: null, bindTimeout: 10_000 });
  const bobPath = await acceptor.prepare();
  const alicePath = await connector.prepare();
  console.log(`alice's path: ${alicePath.map(String).join(' ')}`);
  const [aliceTransport, bobTransport] = await Promise.all([connector.complete(bobPath), acceptor.complete(alicePath)]);

  const alice = new MsrpSession(aliceTransport, { keepalive: 0 });
  const bob = new MsrpSession(bobTransport, { keepalive: 0 });
  const body = Buffer.alloc(30_000, 'x');
  const received = new Promise<ReceivedMessage>((resolve) => bob.once('message', resolve));
  const outcome = await alice.sendMessage(body, 'application/octet-stream', { successReport: 'yes' }).done;
  const message = await received;
  if (!message.body.equals(body) || outcome.status !== 'delivered') throw new Error(`not delivered: ${outcome.status}`);
  console.log(`through the relay: ${message.body.length} octets, ${outcome.status} (${outcome.confirmedBy})`);
  await Promise.all([alice.shutdown({ timeout: 2000 }), bob.shutdown({ timeout: 2000 })]);
  console.log(`relay stats: ${JSON.stringify(relay.stats())}`);
} finally {
  await relay.close();
}
console.log('relay example: ok');
