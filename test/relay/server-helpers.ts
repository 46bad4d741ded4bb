/**
 * Relay server tests' plumbing: an MsrpRelay on 127.0.0.1 with test
 * certificates and two users, and endpoints that reach it the way a relay
 * client does, by hand (RFC 4976 §5.1): a TLS connection, an AUTH answered
 * with digest.ts, then MsrpTransports whose paths come from use-path.ts.
 */
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { DigestClient, digestUri, type DigestAuthorization } from '../../src/protocol/digest.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { MemoryCredentialStore } from '../../src/relay/credentials.ts';
import type { MsrpRelayOptions } from '../../src/relay/options.ts';
import { MsrpRelay } from '../../src/relay/relay.ts';
import { localPath, toPathToPeer } from '../../src/relay/use-path.ts';
import { MsrpConnection, MsrpTransport, type ConnectionOptions, type MsrpTransportOptions } from '../../src/transport.ts';
import { testCertificates } from '../helpers/tls.ts';

/** The relay's users. */
export const USERS = { alice: 'alice secret', bob: 'bob secret' } as const;
export const REALM = 'relay.test';

/** A relay on 127.0.0.1 named localhost, TLS on a free port, with `USERS`. */
export async function startRelay(options: Partial<MsrpRelayOptions> = {}): Promise<MsrpRelay> {
  const certs = await testCertificates();
  const credentials = new MemoryCredentialStore(Object.entries(USERS).map(([username, password]) => ({ username, realm: REALM, password })));
  return MsrpRelay.listen({
    host: 'localhost', listenHost: '127.0.0.1', port: 0, realm: REALM, credentials,
    tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert },
    ...options,
  });
}

/** A raw socket to the relay: TLS for msrps URIs (checked against the test CA), TCP otherwise. */
export async function connectTo(uri: MsrpUri, tlsOptions: tls.ConnectionOptions = {}): Promise<net.Socket> {
  const port = uri.port as number;
  let socket: net.Socket;
  if (uri.secure) {
    const certs = await testCertificates();
    socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca.cert, ...tlsOptions });
    await once(socket, 'secureConnect');
  } else {
    socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
  }
  socket.on('error', () => {});
  return socket;
}

/** A client connection to the relay and the AUTHs made on it. */
export class RelayClient {
  readonly connection: MsrpConnection;
  readonly relayUri: MsrpUri;

  constructor(connection: MsrpConnection, relayUri: MsrpUri) {
    this.connection = connection;
    this.relayUri = relayUri;
  }

  static async open(relayUri: MsrpUri, options: ConnectionOptions = {}): Promise<RelayClient> {
    return new RelayClient(new MsrpConnection(await connectTo(relayUri), options), relayUri);
  }

  /** A local URI for a session on this connection. */
  newUri(): MsrpUri {
    const scheme = this.relayUri.secure ? 'msrps' : 'msrp';
    return MsrpUri.parse(`${scheme}://127.0.0.1:${this.connection.stream.localPort}/${randomIdent()};tcp`);
  }

  /** Sends one AUTH from `from` and resolves with its response. */
  async request(from: MsrpUri, headers: Array<[string, string]> = [], toPath: string = String(this.relayUri)): Promise<Chunk> {
    const auth = new Chunk({ transactionId: randomIdent(), method: 'AUTH', headers: [['To-Path', toPath], ['From-Path', String(from)], ...headers] });
    const result = await this.connection.writeChunk(auth);
    if (result.response === null) throw new Error(`no response to AUTH: ${result.code} ${result.comment}`);
    return result.response;
  }

  /**
   * The whole AUTH dance (RFC 4976 §5.1): AUTH, 401, AUTH with credentials.
   * Returns the final response and the Authorization sent.
   */
  async auth(user: keyof typeof USERS | string, password?: string, options: { from?: MsrpUri; expires?: number; client?: DigestClient } = {}): Promise<{ response: Chunk; auth: DigestAuthorization | null; from: MsrpUri }> {
    const from = options.from ?? this.newUri();
    const toPath = String(this.relayUri);
    const client = options.client ?? new DigestClient({ username: user, password: password ?? USERS[user as keyof typeof USERS] });
    let auth = client.authorize(digestUri(toPath));
    if (auth === null) {
      const challenge = await this.request(from);
      // a relay without digest (Kamailio's plain variant) grants at once
      if (challenge.code === 200) return { response: challenge, auth: null, from };
      if (challenge.code !== 401) throw new Error(`expected 401, got ${challenge.code}`);
      auth = client.answer(challenge.getHeaders('WWW-Authenticate'), digestUri(toPath));
    }
    const headers: Array<[string, string]> = [['Authorization', formatAuthorization(auth)]];
    if (options.expires !== undefined) headers.push(['Expires', String(options.expires)]);
    return { response: await this.request(from, headers), auth, from };
  }

  close(): void {
    this.connection.destroy();
  }
}

/** An Authorization header value. */
export function formatAuthorization(auth: DigestAuthorization): string {
  const c = new Chunk({ transactionId: 'fmt0', method: 'AUTH' });
  c.authorization = auth.value;
  return c.getHeader('Authorization') as string;
}

/** An endpoint with a session through the relay: its URI, Use-Path and a=path. */
export interface RelayedEndpoint {
  client: RelayClient;
  uri: MsrpUri;
  usePath: MsrpUri[];
  /** the SDP a=path it offers (RFC 4976 §5.1) */
  path: MsrpUri[];
}

/** Opens a connection (or uses `client`), AUTHs as `user` and returns the endpoint. */
export async function relayedEndpoint(relay: MsrpRelay, user: keyof typeof USERS, client?: RelayClient | ConnectionOptions): Promise<RelayedEndpoint> {
  const c = client instanceof RelayClient ? client : await RelayClient.open(relay.uri, client);
  const { response, from } = await c.auth(user);
  if (response.code !== 200) throw new Error(`AUTH as ${user}: ${response.code} ${response.comment}`);
  const usePath = response.usePath as MsrpUri[];
  return { client: c, uri: from, usePath, path: localPath(usePath, from) };
}

/** A transport from `a` to the peer whose a=path is `peerPath` (To-Path = Use-Path + peer's path). */
export function transportTo(a: RelayedEndpoint, peerPath: readonly MsrpUri[], options?: MsrpTransportOptions): MsrpTransport {
  return new MsrpTransport(a.client.connection, a.uri, toPathToPeer(a.usePath, peerPath), { closeConnection: false, ...options });
}

/** Two endpoints through the relay and transports both ways. */
export async function relayedPair(relay: MsrpRelay, options: { ta?: MsrpTransportOptions; tb?: MsrpTransportOptions } = {}) {
  const a = await relayedEndpoint(relay, 'alice');
  const b = await relayedEndpoint(relay, 'bob');
  const ta = transportTo(a, b.path, options.ta);
  const tb = transportTo(b, a.path, options.tb);
  return { a, b, ta, tb, close() { a.client.close(); b.client.close(); } };
}

/** A message as a receiver put it together from its chunks by Byte-Range. */
export interface Received {
  messageId: string;
  body: Buffer;
  chunks: Chunk[];
  /** body octets of each chunk */
  sizes: number[];
}

/**
 * Streams `t`'s incoming SEND chunks into messages (placed by Byte-Range,
 * answered 200 at each end-line, as an endpoint does); `next()` is the next
 * message all of whose octets came (or, with an unknown total, whose `$` came).
 */
export function receiver(t: MsrpTransport): { next(ms?: number): Promise<Received>; heads: Chunk[] } {
  const open = new Map<string, { parts: Array<[number, Buffer]>; chunks: Chunk[]; sizes: number[] }>();
  const done: Received[] = [];
  const heads: Chunk[] = [];
  let wake: (() => void) | null = null;
  let offset = 0;
  let size = 0;
  t.setHandler({
    onSendHead(chunk) {
      heads.push(chunk);
      offset = (chunk.byteRange?.start ?? 1) - 1;
      size = 0;
    },
    onSendBody(segment, chunk) {
      const id = chunk.messageId as string;
      let m = open.get(id);
      if (m === undefined) open.set(id, m = { parts: [], chunks: [], sizes: [] });
      m.parts.push([offset, Buffer.from(segment)]);
      offset += segment.length;
      size += segment.length;
    },
    onSendEnd(chunk) {
      t.writeResponse(chunk, 200);
      const id = chunk.messageId as string;
      let m = open.get(id);
      if (m === undefined) open.set(id, m = { parts: [], chunks: [], sizes: [] });
      m.chunks.push(chunk);
      m.sizes.push(size);
      // through relays with several connections chunks may overtake each other: done when all octets came
      const total = chunk.byteRange?.total;
      const got = m.sizes.reduce((x, y) => x + y, 0);
      if (typeof total === 'number' ? got < total : chunk.continuationFlag === '+') return;
      open.delete(id);
      const length = m.parts.reduce((n, [at, b]) => Math.max(n, at + b.length), 0);
      const body = Buffer.alloc(length);
      for (const [at, b] of m.parts) b.copy(body, at);
      done.push({ messageId: id, body, chunks: m.chunks, sizes: m.sizes });
      wake?.();
    },
  });
  return {
    heads,
    async next(ms = 10_000) {
      const deadline = Date.now() + ms;
      while (done.length === 0) {
        if (Date.now() > deadline) throw new Error(`no whole message within ${ms} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 50);
          wake = () => { clearTimeout(timer); resolve(); };
        });
      }
      return done.shift() as Received;
    },
  };
}

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { until } from '../helpers/until.ts';
