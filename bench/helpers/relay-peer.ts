/**
 * A process of bench:relay (bench/relay.bench.ts), forked under tsx and
 * driven over IPC. Roles:
 *
 *   relay:    {type:'relay'} -> our MsrpRelay on plain TCP -> {type:'listening', port}
 *   endpoint: {type:'connect', mode, port, listen?} -> a connection to a relay (AUTH by
 *             hand, digest when challenged) or a direct one -> {type:'prepared', uri, usePath}
 *             {type:'complete', toPath} -> the transport -> {type:'ready'}
 *             {type:'expect', size} (receiver) then {type:'go', size} (sender)
 *               receiver -> {type:'result', bytes, ms, hash, misordered}
 *               sender   -> {type:'sent', code, hash}
 *             {type:'close'} closes its connection -> {type:'closed'}
 *
 * The sender sends one message of `size` octets (a fixed random pattern, the
 * same Buffer every run) with Failure-Report yes; the receiver answers every
 * chunk 200, hashes what comes in arrival order and checks that each chunk
 * starts where the last one ended, so loss, duplication or reordering show.
 * The receiver times from its first octet to its last.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { DigestClient, digestUri } from '../../src/protocol/digest.ts';
import { formatDigest } from '../../src/protocol/headers.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { MemoryCredentialStore } from '../../src/relay/credentials.ts';
import { MsrpRelay } from '../../src/relay/relay.ts';
import { MsrpConnection, MsrpTransport } from '../../src/transport.ts';

/** Users of the benchmark relay. */
export const BENCH_USERS = [{ username: 'alice', realm: 'bench', password: 'a' }, { username: 'bob', realm: 'bench', password: 'b' }];

/** A command from the parent. */
export interface Command {
  type: string;
  mode?: 'relay' | 'direct';
  port?: number;
  listen?: boolean;
  user?: string;
  chunk?: number;
  toPath?: string[];
  size?: number;
}

let data: Buffer | null = null;
let connection: MsrpConnection | null = null;
let transport: MsrpTransport | null = null;
let local: MsrpUri | null = null;
let relay: MsrpRelay | null = null;
/** settles once the connection of the last 'connect' exists (a listening side waits for its peer) */
let connected: Promise<void> = Promise.resolve();

function reply(message: Record<string, unknown>): void {
  process.send?.(message);
}

/** The message: the same random octets every run (made once per process from a fixed size). */
function message(size: number): Buffer {
  if (data === null || data.length !== size) data = randomBytes(size);
  return data;
}

async function startRelay(): Promise<void> {
  relay = await MsrpRelay.listen({
    host: '127.0.0.1', allowNumericHost: true, listenHost: '127.0.0.1', noTls: true, tcpPort: 0, realm: 'bench',
    credentials: new MemoryCredentialStore(BENCH_USERS),
  });
  reply({ type: 'listening', port: relay.tcpUri?.port });
}

/** AUTH to the relay at `relayUri` from `from`: digest when challenged (RFC 4976 §5.1); returns the Use-Path. */
async function auth(c: MsrpConnection, relayUri: string, from: MsrpUri, user: string): Promise<MsrpUri[]> {
  const request = (headers: Array<[string, string]>) => c.writeChunk(new Chunk({
    transactionId: randomIdent(), method: 'AUTH', headers: [['To-Path', relayUri], ['From-Path', String(from)], ...headers],
  }));
  let r = await request([]);
  if (r.code === 401) {
    const login = BENCH_USERS.find((u) => u.username === user) ?? BENCH_USERS[0];
    const a = new DigestClient(login).answer(r.response?.getHeaders('WWW-Authenticate') ?? [], digestUri(relayUri));
    r = await request([['Authorization', formatDigest(a.value.scheme, a.value.params)]]);
  }
  if (r.code !== 200 || r.response?.usePath === undefined) throw new Error(`AUTH as ${user}: ${r.code} ${r.comment}`);
  return r.response.usePath;
}

async function connect(cmd: Command): Promise<void> {
  const options = { maxChunkSize: cmd.chunk };
  if (cmd.mode === 'direct' && cmd.listen) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    local = MsrpUri.parse(`msrp://127.0.0.1:${port}/${randomIdent()};tcp`);
    connected = new Promise<void>((resolve) => server.once('connection', (socket) => {
      server.close();
      connection = new MsrpConnection(socket, options);
      resolve();
    }));
    reply({ type: 'prepared', uri: String(local), usePath: [] });
    return;
  }
  const socket = net.connect(cmd.port as number, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  connection = new MsrpConnection(socket, options);
  local = MsrpUri.parse(`msrp://127.0.0.1:${socket.localPort}/${randomIdent()};tcp`);
  const usePath = cmd.mode === 'relay' ? await auth(connection, `msrp://127.0.0.1:${cmd.port};tcp`, local, cmd.user ?? 'alice') : [];
  reply({ type: 'prepared', uri: String(local), usePath: usePath.map(String) });
}

function expect(size: number): void {
  const hash = createHash('sha256');
  let bytes = 0;
  let first = 0;
  let misordered = 0;
  let next = 1;
  const t = transport as MsrpTransport;
  t.setHandler({
    onSendHead(chunk) {
      if (first === 0) first = performance.now();
      if ((chunk.byteRange?.start ?? 1) !== next) misordered++;
    },
    onSendBody(segment) {
      hash.update(segment);
      bytes += segment.length;
      next += segment.length;
    },
    onSendEnd(chunk) {
      t.writeResponse(chunk, 200);
      if (bytes >= size && chunk.continuationFlag === '$') {
        reply({ type: 'result', bytes, ms: performance.now() - first, hash: hash.digest('hex'), misordered });
      }
    },
  });
}

async function go(size: number): Promise<void> {
  const body = message(size);
  const m = (transport as MsrpTransport).sendMessage({ body, contentType: 'application/octet-stream' });
  const outcome = await m.outcome.catch((e: Error) => ({ code: -1, comment: e.message }));
  reply({ type: 'sent', code: outcome.code, hash: createHash('sha256').update(body).digest('hex') });
}

process.on('message', (cmd: Command) => {
  const run = async (): Promise<void> => {
    switch (cmd.type) {
      case 'relay': return startRelay();
      case 'connect': return connect(cmd);
      case 'complete':
        await connected;
        transport = new MsrpTransport(connection as MsrpConnection, local as MsrpUri, (cmd.toPath ?? []).map((u) => MsrpUri.parse(u)));
        return reply({ type: 'ready' });
      case 'expect': expect(cmd.size as number); return reply({ type: 'expecting' });
      case 'go': return go(cmd.size as number);
      case 'close':
        connection?.destroy();
        connection = null;
        transport = null;
        return reply({ type: 'closed' });
      case 'exit':
        await relay?.close();
        process.exit(0);
    }
  };
  run().catch((error: Error) => {
    console.error(error);
    process.exit(1);
  });
});
