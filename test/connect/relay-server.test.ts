/**
 * ConnectorRelay and AcceptorRelay through our own MsrpRelay (src/relay/) over
 * TLS with digest AUTH: chat both ways and a 5 MB message each way,
 * byte-exact; a wrong password; an AUTH refreshed within the relay's Expires.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AcceptorRelay, ConnectorRelay, type RelayGrant, type RelayOptions } from '../../src/connect/index.ts';
import type { MsrpRelay } from '../../src/relay/relay.ts';
import { chatBothWays, exchangeBothWays, withBoundSessions } from '../helpers/relay-sessions.ts';
import { testCertificates } from '../helpers/tls.ts';
import { REALM, startRelay, USERS } from '../relay/server-helpers.ts';
import { rejectsWith } from './helpers.ts';

async function settings(relay: MsrpRelay, user: keyof typeof USERS, extra: Partial<RelayOptions> = {}): Promise<RelayOptions> {
  const certs = await testCertificates();
  return { host: 'localhost', port: relay.uri.port as number, username: user, password: USERS[user], realm: REALM, tls: { ca: certs.ca.cert }, ...extra };
}

const through = suite('connect/relay through our MsrpRelay (TLS, digest)');

through('chat both ways and 5 MB each way, byte-exact; the paths follow RFC 4976 §5.1', async () => {
  const relay = await startRelay();
  const connector = new ConnectorRelay({ relay: await settings(relay, 'alice'), bindTimeout: 10_000 });
  const acceptor = new AcceptorRelay({ relay: await settings(relay, 'bob'), bindTimeout: 10_000 });
  try {
    const pathB = await acceptor.prepare();
    const pathA = await connector.prepare();
    assert.is(pathA[0].host, 'localhost');
    assert.is(pathA[0].scheme, 'msrps');
    assert.ok(connector.grant?.verified, 'the relay proved it knows the password (rspauth)');
    await withBoundSessions(connector, pathA, acceptor, pathB, exchangeBothWays);
  } finally {
    connector.cancel();
    acceptor.cancel();
    await relay.close();
  }
});

through('two ConnectorRelays (both ends send a binding SEND, as the streams do through relays) bind and chat', async () => {
  const relay = await startRelay();
  const ends = [new ConnectorRelay({ relay: await settings(relay, 'alice'), bindTimeout: 10_000 }),
    new ConnectorRelay({ relay: await settings(relay, 'bob'), bindTimeout: 10_000 })];
  try {
    const [pathA, pathB] = await Promise.all(ends.map((e) => e.prepare()));
    await withBoundSessions(ends[0], pathA, ends[1], pathB, chatBothWays);
  } finally {
    await relay.close();
  }
});

through('a wrong password is MSRP_ERR_RELAY_CREDENTIALS', async () => {
  const relay = await startRelay();
  try {
    await rejectsWith(new ConnectorRelay({ relay: await settings(relay, 'alice', { password: 'wrong' }) }).prepare(), 'MSRP_ERR_RELAY_CREDENTIALS', 401);
  } finally {
    await relay.close();
  }
});

through('an AUTH asking for a short Expires is refreshed on the same connection before it runs out', async () => {
  const relay = await startRelay({ expires: { min: 1, default: 1800, max: 7200 } });
  const acceptor = new AcceptorRelay({ relay: await settings(relay, 'alice', { expires: 1 }) });
  try {
    await acceptor.prepare();
    assert.is(acceptor.grant?.expires, 1);
    const first = acceptor.grant;
    const refreshed = await new Promise<RelayGrant>((resolve, reject) => {
      // the refresh comes after half of the 1 s Expires; this only bounds a hang
      const timer = setTimeout(() => reject(new Error('no refresh within 10 s')), 10_000);
      acceptor.on('refreshed', (grant) => { clearTimeout(timer); resolve(grant); });
    });
    assert.is.not(refreshed, first);
    assert.is(acceptor.grant, refreshed);
    assert.is(relay.stats().accepted, 1, 'on the same connection');
    assert.is(acceptor.grant?.expires, 1);
  } finally {
    acceptor.cancel();
    await relay.close();
  }
});

through.run();
