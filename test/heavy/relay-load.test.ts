/**
 * Relay load (issue 6): 1,000 concurrent sessions through one MsrpRelay over
 * TLS, 100 messages each, all at once: none lost, none misrouted, none
 * duplicated. The relay runs in a child process of its own, so the heap it
 * needs per idle session (an AUTHed Use-Path on a shared client connection)
 * is measured apart from the endpoints. Run by `npm run test:heavy`;
 * MSRP_LOAD_SESSIONS changes the number of sessions.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { localPath, toPathToPeer } from '../../src/relay/use-path.ts';
import { MsrpConnection, MsrpTransport } from '../../src/transport.ts';
import { connectTo, RelayClient, until } from '../relay/server-helpers.ts';

const CHILD = fileURLToPath(new URL('./relay-load-child.ts', import.meta.url));
const SESSIONS = Number(process.env.MSRP_LOAD_SESSIONS ?? 1000);
const MESSAGES = 100;
/** sessions sharing one client connection (RFC 4975 §5.4 connection reuse) */
const PER_CONNECTION = 20;

interface Stats { heap: number; rss: number; stats: { sessions: number; accepted: number; heldBytes: number } }

/** The relay in its own process, and a way to ask it for its heap. */
async function startChild(): Promise<{ uri: MsrpUri; ca: string; stats(): Promise<Stats>; stop(): void }> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD], { stdio: 'pipe' });
  child.stderr.on('data', (d) => process.stderr.write(d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = JSON.parse((await lines.next()).value as string) as { uri: string; ca: string };
  return {
    uri: MsrpUri.parse(first.uri), ca: first.ca,
    async stats() {
      child.stdin.write('stats\n');
      return JSON.parse((await lines.next()).value as string) as Stats;
    },
    stop() {
      child.stdin.write('quit\n');
      setTimeout(() => child.kill(), 2000).unref();
    },
  };
}

/** One session's two ends after AUTH. */
interface Pair { index: number; a: { client: RelayClient; uri: MsrpUri; use: MsrpUri[] }; b: { client: RelayClient; uri: MsrpUri; use: MsrpUri[] } }

async function authAll(clients: RelayClient[], user: 'alice' | 'bob', count: number): Promise<Array<{ client: RelayClient; uri: MsrpUri; use: MsrpUri[] }>> {
  const out: Array<{ client: RelayClient; uri: MsrpUri; use: MsrpUri[] }> = new Array(count);
  // AUTHs are not pipelined on one connection (RFC 4976 §9.1); the connections run in parallel
  await Promise.all(clients.map(async (client, c) => {
    for (let i = c; i < count; i += clients.length) {
      const { response, from } = await client.auth(user);
      if (response.code !== 200) throw new Error(`AUTH ${user} ${i}: ${response.code}`);
      out[i] = { client, uri: from, use: response.usePath as MsrpUri[] };
    }
  }));
  return out;
}

const load = suite('relay load: 1,000 sessions x 100 messages');

load(`${SESSIONS} concurrent sessions, ${MESSAGES} messages each: zero lost, zero misrouted; memory per idle session`, async () => {
  const relay = await startChild();
  const connections = Math.ceil(SESSIONS / PER_CONNECTION);
  const open = async () => new RelayClient(new MsrpConnection(await connectTo(relay.uri, { ca: relay.ca })), relay.uri);
  try {
    const idle0 = await relay.stats();
    const [clientsA, clientsB] = [await Promise.all(Array.from({ length: connections }, open)), await Promise.all(Array.from({ length: connections }, open))];
    const connected = await relay.stats();
    const [endsA, endsB] = await Promise.all([authAll(clientsA, 'alice', SESSIONS), authAll(clientsB, 'bob', SESSIONS)]);
    const idle = await relay.stats();
    assert.is(idle.stats.sessions, 2 * SESSIONS);
    const perConnection = (connected.heap - idle0.heap) / (2 * connections);
    const perSession = (idle.heap - connected.heap) / (2 * SESSIONS);

    const pairs: Pair[] = endsA.map((a, index) => ({ index, a, b: endsB[index] }));
    let received = 0;
    let misrouted = 0;
    let duplicated = 0;
    const senders = pairs.map((p) => {
      const ta = new MsrpTransport(p.a.client.connection, p.a.uri, toPathToPeer(p.a.use, localPath(p.b.use, p.b.uri)), { closeConnection: false });
      const tb = new MsrpTransport(p.b.client.connection, p.b.uri, toPathToPeer(p.b.use, localPath(p.a.use, p.a.uri)), { closeConnection: false });
      const seen = new Set<number>();
      tb.setHandler({
        onRequest(chunk) {
          tb.writeResponse(chunk, 200);
          const [session, seq] = String(chunk.body).split(' ').map(Number);
          if (session !== p.index) misrouted++;
          else if (seen.has(seq)) duplicated++;
          else {
            seen.add(seq);
            received++;
          }
        },
      });
      return ta;
    });
    const started = Date.now();
    await Promise.all(senders.map(async (ta, index) => {
      for (let seq = 0; seq < MESSAGES; seq++) {
        const outcome = await ta.sendMessage({ body: `${index} ${seq} ${'x'.repeat(100 + (seq % 7) * 50)}` }).outcome;
        if (outcome.code !== 200) throw new Error(`session ${index} message ${seq}: ${outcome.code}`);
      }
    }));
    await until(() => received + misrouted + duplicated >= SESSIONS * MESSAGES, 120_000, 'every message delivered');
    const seconds = (Date.now() - started) / 1000;
    const after = await relay.stats();
    console.log(`  ${SESSIONS} sessions on ${2 * connections} TLS connections, ${SESSIONS * MESSAGES} messages in ${seconds.toFixed(1)} s`
      + ` (${Math.round(SESSIONS * MESSAGES / seconds)} messages/s); lost ${SESSIONS * MESSAGES - received - misrouted - duplicated},`
      + ` misrouted ${misrouted}, duplicated ${duplicated}`);
    console.log(`  relay heap: ${(perSession / 1024).toFixed(2)} KiB per idle session (Use-Path),`
      + ` ${(perConnection / 1024).toFixed(1)} KiB per idle TLS connection; ${(after.heap / 1e6).toFixed(1)} MB heap, ${(after.rss / 1e6).toFixed(0)} MB RSS after the run`);
    assert.is(received, SESSIONS * MESSAGES, 'zero lost');
    assert.is(misrouted, 0, 'zero misrouted');
    assert.is(duplicated, 0, 'zero duplicated');
    assert.is(after.stats.heldBytes, 0, 'nothing left held');
    assert.ok(perSession < 16 * 1024, `an idle session costs ${perSession.toFixed(0)} octets of heap`);
    for (const c of [...clientsA, ...clientsB]) c.close();
  } finally {
    relay.stop();
  }
});

load.run();
