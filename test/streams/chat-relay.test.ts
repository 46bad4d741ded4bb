/**
 * The ChatStream battery (test/suites/chat-streams.ts) through our own
 * MsrpRelay (RFC 4976) over TLS with digest AUTH: both ends reach the relay
 * with ConnectorRelay, so every message, response and REPORT crosses it.
 */
import { startRelay } from '../relay/server-helpers.ts';
import { chatStreamSuites } from '../suites/chat-streams.ts';
import { relayOptions } from './stream-helpers.ts';

chatStreamSuites('through our relay', async () => {
  const relay = await startRelay();
  return {
    alice: { connect: { relay: await relayOptions(relay, 'alice'), bindTimeout: 10_000 } },
    bob: { connect: { relay: await relayOptions(relay, 'bob'), bindTimeout: 10_000 } },
    close: () => relay.close(),
  };
});
