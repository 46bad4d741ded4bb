/**
 * Child process of relay-load.test.ts: an MsrpRelay alone in its process,
 * so its heap can be measured apart from the endpoints. Prints one JSON line
 * when listening (its URI and the test CA), then answers each `stats` line
 * on stdin with a JSON line: the heap after a full GC and the relay's counters.
 */
import { createInterface } from 'node:readline';
import { testCertificates } from '../helpers/tls.ts';
import { startRelay } from '../relay/server-helpers.ts';

const relay = await startRelay({ maxSessionsPerUser: 100_000, probationTimeout: 120_000 });
const certs = await testCertificates();
console.log(JSON.stringify({ uri: String(relay.uri), ca: certs.ca.cert }));

function heap(): number {
  for (let i = 0; i < 3; i++) global.gc?.();
  return process.memoryUsage().heapUsed;
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'stats') console.log(JSON.stringify({ heap: heap(), rss: process.memoryUsage.rss(), stats: relay.stats() }));
  if (line.trim() === 'quit') break;
}
await relay.close();
process.exit(0);
