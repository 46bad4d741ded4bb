// MsrpRelay toward an endpoint it has to connect to itself (RFC 4976 §6.4.2),
// over plain TCP (insecureNextHops): what that endpoint sends back comes in
// on the connection the relay dialed, which reads into the process's shared
// buffer (ConnectOptions.sharedReadBuffer), so every body segment forwarded
// from it is valid only during its callback and the relay must copy it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bindActive } from '../../src/connect/direct.ts';
import { AcceptorDirect } from '../../src/connect/index.ts';
import type { MsrpUri } from '../../src/protocol/uri.ts';
import { exchangeBothWays, withBoundSessions } from '../helpers/relay-sessions.ts';
import { localUri } from '../connect/helpers.ts';
import { relayedEndpoint, startRelay, transportTo } from './server-helpers.ts';

const reach = suite('relay server: a next hop the relay dials over TCP (RFC 4976 §6.4.2)');

reach('chat and 5 MB each way between a client and an endpoint the relay connects to, byte-exact', async () => {
  const relay = await startRelay({ insecureNextHops: true });
  const acceptor = new AcceptorDirect({ bindTimeout: 10_000 });
  const a = await relayedEndpoint(relay, 'alice');
  try {
    const pathB = await acceptor.prepare(localUri('127.0.0.1', 0));
    // A's binding SEND makes the relay dial B; B's messages come back over that connection
    const toB = {
      async complete(path: MsrpUri[]) {
        const t = transportTo(a, path);
        await bindActive(t, 10_000);
        return t;
      },
    };
    await withBoundSessions(toB, a.path, acceptor, pathB, exchangeBothWays);
    assert.equal([relay.stats().accepted, relay.stats().connections], [1, 2], 'A connected to the relay, the relay to B');
  } finally {
    a.client.close();
    acceptor.cancel();
    await relay.close();
  }
});

reach.run();
