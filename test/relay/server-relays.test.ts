// Two MsrpRelays in one path (RFC 4976 §5.1 intra/extra example): A AUTHs to
// relay 1, then to relay 2 through relay 1 (the AUTH and its 401 and 200 are
// forwarded); B AUTHs to relay 2 directly. Relay 1 reaches relay 2 over
// mutual TLS, and relay 2 reaches back to relay 1 the same way; messages go
// both ways byte-exact.
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DigestClient, digestUri } from '../../src/protocol/digest.ts';
import { formatPath } from '../../src/protocol/headers.ts';
import type { MsrpUri } from '../../src/protocol/uri.ts';
import { authToPath, localPath } from '../../src/relay/use-path.ts';
import { formatAuthorization, receiver, RelayClient, relayedEndpoint, startRelay, transportTo, USERS } from './server-helpers.ts';

const chain = suite('relay server: two relays, AUTH through the first (RFC 4976 §5.1, §6.3, §9.2)');

chain('A -> relay 1 -> relay 2 -> B and back; the second AUTH is challenged and granted through relay 1', async () => {
  const relay1 = await startRelay();
  const relay2 = await startRelay();
  try {
    const a = await relayedEndpoint(relay1, 'alice');
    // RFC 4976 §5.1: "MSRP m2nbvw AUTH" — To-Path: our Use-Path at relay 1, then relay 2
    const toPath = formatPath(authToPath(a.usePath, relay2.uri));
    const challenge = await a.client.request(a.uri, [], toPath);
    assert.is(challenge.code, 401, 'relay 2 challenged, relay 1 relayed its 401');
    assert.is(challenge.getHeader('To-Path'), String(a.uri));
    const client = new DigestClient({ username: 'alice', password: USERS.alice });
    const credentials = client.answer(challenge.getHeaders('WWW-Authenticate'), digestUri(toPath));
    const granted = await a.client.request(a.uri, [['Authorization', formatAuthorization(credentials)]], toPath);
    assert.is(granted.code, 200);
    const usePath = granted.usePath as MsrpUri[];
    assert.equal(usePath.map((u) => u.port), [relay1.uri.port, relay2.uri.port], 'Use-Path: relay 1 then relay 2');
    assert.is(client.confirm(granted.authenticationInfo, credentials).verified, true, 'rspauth from relay 2 checks out');

    const b = await relayedEndpoint(relay2, 'bob');
    const pathA = localPath(usePath, a.uri);
    const ta = transportTo({ ...a, usePath }, b.path);
    const tb = transportTo(b, pathA);
    const ra = receiver(ta);
    const rb = receiver(tb);
    const there = randomBytes(300_000);
    ta.sendMessage({ body: there, contentType: 'application/octet-stream' });
    assert.ok((await rb.next()).body.equals(there), 'A -> B through both relays');
    const back = randomBytes(300_000);
    tb.sendMessage({ body: back, contentType: 'application/octet-stream' });
    const got = await ra.next();
    assert.ok(got.body.equals(back), 'B -> A through both relays');
    assert.is(formatPath(got.chunks[0].fromPath as MsrpUri[]), formatPath([usePath[0], usePath[1], b.usePath[0], b.uri]));
    assert.is(relay2.stats().accepted, 2, 'relay 2: B and one connection from relay 1, reused both ways');
    a.client.close();
    b.client.close();
  } finally {
    await relay1.close();
    await relay2.close();
  }
});

chain.run();
