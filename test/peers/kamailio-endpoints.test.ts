// Two of our endpoints through Kamailio's MSRP relay (an independent
// implementation): ConnectorRelay and AcceptorRelay, each with its own AUTH
// (plain, digest MD5 and SHA-256), chat both ways and move a 5 MB message in 10 KB chunks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AcceptorRelay, ConnectorRelay, type ConnectOptions, type RelayOptions } from '../../src/connect/index.ts';
import { MsrpConnectError } from '../../src/errors.ts';
import { MsrpSession } from '../../src/session.ts';
import { chatBothWays, sendAndCompare } from '../helpers/relay-sessions.ts';
import { closedPort } from '../connect/fake-relay.ts';
import { withKamailio, type KamailioOptions, type KamailioRelay } from '../helpers/kamailio.ts';

const DIGEST = { user: 'alice', password: 'secret', realm: 'msrp.test' };
/** frames above about 11 KB get 413 from Kamailio (test/helpers/kamailio.ts) */
const MAX_CHUNK = 10 * 1024;
/**
 * Kamailio's 32 KB default write queue closes a receiver's connection as
 * soon as it pauses reading for a millisecond (both endpoints share this
 * process and its event loop), so the relay gets a larger one.
 */
const WRITE_QUEUE = 64 * 1024 * 1024;

function withRelay(options: KamailioOptions, body: (relay: KamailioRelay) => Promise<void>): Promise<void> {
  return withKamailio({ writeQueue: WRITE_QUEUE, ...options }, body);
}

/** Relay settings for Kamailio on loopback: plain TCP (it has no TLS), 10 KB chunks. */
function settings(relay: KamailioRelay, digest: boolean, extra: Partial<RelayOptions> = {}): RelayOptions {
  return {
    host: '127.0.0.1', port: relay.port, insecure: true, maxChunkSize: MAX_CHUNK,
    ...(digest ? { username: DIGEST.user, password: DIGEST.password, realm: DIGEST.realm } : {}), ...extra,
  };
}

interface Pair {
  a: MsrpSession;
  b: MsrpSession;
  close(): void;
}

/** A (ConnectorRelay) and B (AcceptorRelay), each AUTHed on its own connection, bound through the relay. */
async function relayPair(relay: KamailioRelay, digest: boolean): Promise<Pair> {
  const base: ConnectOptions = { bindTimeout: 10_000, connectTimeout: 5000 };
  const connector = new ConnectorRelay({ ...base, relay: settings(relay, digest) });
  const acceptor = new AcceptorRelay({ ...base, relay: settings(relay, digest) });
  const pathB = await acceptor.prepare();
  const pathA = await connector.prepare();
  // RFC 4976 §5.1: a=path is the Use-Path reversed then our URI; Kamailio's Use-Path is one URI
  assert.is(pathA.length, 2);
  assert.is(pathA[0].port, relay.port);
  assert.not.equal(String(pathA[0]), String(pathB[0]), 'one Use-Path per session');
  const [ta, tb] = await Promise.all([connector.complete(pathB), acceptor.complete(pathA)]);
  assert.is(ta.remotePath.map(String).join(' '), [pathA[0], ...pathB].map(String).join(' '));
  const a = new MsrpSession(ta, { keepalive: 0 });
  const b = new MsrpSession(tb, { keepalive: 0 });
  return { a, b, close: () => { a.close(); b.close(); } };
}

for (const algorithm of [null, 'MD5', 'SHA-256'] as const) {
  const digest = algorithm !== null;
  const name = digest ? `digest ${algorithm} AUTH` : 'plain AUTH';
  const endpoints = suite(`Kamailio relay, ${name}: ConnectorRelay and AcceptorRelay`);

  endpoints('chat both ways, then 5 MB each way in 10 KB chunks, byte-exact', async () => {
    await withRelay(digest ? { digest: { ...DIGEST, algorithm } } : {}, async (relay) => {
      const pair = await relayPair(relay, digest);
      try {
        await chatBothWays(pair.a, pair.b);
        await sendAndCompare(pair.a, pair.b);
        await sendAndCompare(pair.b, pair.a);
      } finally {
        pair.close();
      }
    });
  });

  endpoints.run();
}

const auth = suite('Kamailio relay: AUTH verdicts and failover');

auth('a wrong password is MSRP_ERR_RELAY_CREDENTIALS (401)', async () => {
  await withRelay({ digest: DIGEST }, async (relay) => {
    const connector = new ConnectorRelay({ relay: settings(relay, true, { password: 'not the password' }) });
    const err = await connector.prepare().catch((e: unknown) => e);
    assert.instance(err, MsrpConnectError);
    assert.is((err as MsrpConnectError).code, 'MSRP_ERR_RELAY_CREDENTIALS');
    assert.is((err as MsrpConnectError).statusCode, 401);
  });
});

auth('failover: the first relay is unreachable, Kamailio (second in the list) grants the AUTH', async () => {
  await withRelay({}, async (relay) => {
    const down = await closedPort();
    const connector = new ConnectorRelay({ relay: [{ host: '127.0.0.1', port: down, insecure: true }, settings(relay, false)] });
    const path = await connector.prepare();
    assert.is(path[0].port, relay.port);
    connector.cancel();
  });
});

auth('423: Expires 10 is raised to its Min-Expires 60 and granted (htable config, digest)', async () => {
  await withRelay({ digest: DIGEST, htable: true }, async (relay) => {
    const connector = new ConnectorRelay({ relay: settings(relay, true, { expires: 10 }) });
    await connector.prepare();
    assert.is(connector.grant?.expires, 60);
    connector.cancel();
  });
});

auth.run();
