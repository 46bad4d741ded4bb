/**
 * A scriptable stand-in for an MSRP relay, made of MsrpConnection, for the
 * relay client tests: every AUTH goes to `onAuth` (default: 200 with a new
 * Use-Path), every other request is recorded and answered 200, and a test
 * can push a request to a client on its AUTH connection (a peer's binding
 * arriving through the relay). Plain TCP or TLS.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { createChallenge, digestUri, verifyAuthorization } from '../../src/protocol/digest.ts';
import { formatDigest, formatPath } from '../../src/protocol/headers.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { NonceStore } from '../../src/relay/nonces.ts';
import { makeResponse, MsrpConnection, type RequestTarget } from '../../src/transport.ts';

/** What the relay does with one AUTH: a response, or null to stay silent. */
export type AuthHandler = (request: Chunk, relay: FakeRelay, connection: MsrpConnection) => Chunk | null | Promise<Chunk | null>;

/** Options of a fake relay. */
export interface FakeRelayOptions {
  /** TLS certificate and key: msrps */
  tls?: { cert: string; key: string };
  onAuth?: AuthHandler;
}

/** A request the relay received, with the connection it came on. */
export interface Received {
  chunk: Chunk;
  connection: MsrpConnection;
}

/** See the module comment. */
export class FakeRelay {
  readonly auths: Received[] = [];
  readonly requests: Received[] = [];
  readonly connections: MsrpConnection[] = [];
  readonly #server: net.Server;
  readonly #onAuth: AuthHandler;
  readonly #secure: boolean;
  #waiters: Array<() => void> = [];

  private constructor(server: net.Server, options: FakeRelayOptions) {
    this.#server = server;
    this.#secure = options.tls !== undefined;
    this.#onAuth = options.onAuth ?? ((request, relay) => relay.grant(request));
  }

  /** A relay listening on 127.0.0.1 on a free port. */
  static async start(options: FakeRelayOptions = {}): Promise<FakeRelay> {
    const server = options.tls !== undefined ? tls.createServer({ ...options.tls }) : net.createServer();
    const relay = new FakeRelay(server, options);
    server.on(options.tls !== undefined ? 'secureConnection' : 'connection', (socket: net.Socket) => relay.#accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** The relay's URI as a client AUTHs to it. */
  get uri(): MsrpUri {
    return MsrpUri.parse(`${this.#secure ? 'msrps' : 'msrp'}://127.0.0.1:${this.port};tcp`);
  }

  /** A new Use-Path URI on this relay. */
  sessionUri(): MsrpUri {
    return this.uri.with({ sessionId: randomIdent() });
  }

  /** A response to `request` with `headers` after To-Path and From-Path. */
  respond(request: Chunk, code: number, headers: Array<[string, string]> = []): Chunk {
    const response = makeResponse(request, code);
    for (const [name, value] of headers) response.addHeader(name, value);
    return response;
  }

  /** A 200 with a fresh Use-Path (or `usePath`) and Expires (default 3600). */
  grant(request: Chunk, options: { usePath?: readonly MsrpUri[]; expires?: number; headers?: Array<[string, string]> } = {}): Chunk {
    return this.respond(request, 200, [
      ['Use-Path', formatPath(options.usePath ?? [this.sessionUri()])], ['Expires', String(options.expires ?? 3600)], ...(options.headers ?? []),
    ]);
  }

  /** Resolves when `test` holds, checked after each request. */
  async until(test: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) throw new Error('the fake relay did not see what was expected in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    socket.on('error', () => {});
    const connection: MsrpConnection = new MsrpConnection(socket, { resolve: () => this.#target(connection) });
    this.connections.push(connection);
  }

  #target(connection: MsrpConnection): RequestTarget {
    return {
      methods: ['AUTH', 'SEND', 'REPORT'],
      takesBodilessSend: true,
      onRequest: (chunk) => {
        if (chunk.method === 'AUTH') {
          this.auths.push({ chunk, connection });
          void Promise.resolve(this.#onAuth(chunk, this, connection)).then((response) => {
            if (response !== null) void connection.writeChunk(response).catch(() => {});
          });
        } else {
          this.requests.push({ chunk, connection });
          connection.writeResponse(chunk, 200);
        }
        for (const wake of this.#waiters.splice(0)) wake();
      },
    };
  }
}

/**
 * An AUTH handler doing RFC 4976 digest: 401 with a challenge of `algorithm`,
 * then 200 (with Authentication-Info, rspauth spoilt when `badRspauth`) or 401.
 */
export function digestAuth(options: { user: string; password: string; realm: string; algorithm?: 'MD5' | 'SHA-256'; badRspauth?: boolean; expires?: number }): AuthHandler {
  const nonces = new NonceStore();
  return async (request, relay) => {
    const authorization = request.getHeader('Authorization');
    const challenge = (): Chunk => relay.respond(request, 401, [
      ['WWW-Authenticate', formatDigest('Digest', createChallenge({ realm: options.realm, nonce: nonces.issue(), algorithm: options.algorithm }).params, true)],
    ]);
    if (authorization === undefined) return challenge();
    const toPath = request.getHeader('To-Path') as string;
    const verdict = await verifyAuthorization(authorization, {
      realm: options.realm, requestUri: digestUri(toPath), nonces,
      lookup: (user) => user === options.user ? { password: options.password } : null,
    });
    if (!verdict.ok) return verdict.statusCode === 401 ? challenge() : relay.respond(request, verdict.statusCode);
    const info = new Map(verdict.authenticationInfo.params);
    if (options.badRspauth) info.set('rspauth', '0'.repeat((info.get('rspauth') as string).length));
    return relay.grant(request, { expires: options.expires, headers: [['Authentication-Info', formatDigest('', info)]] });
  };
}

/** A port on 127.0.0.1 that nothing listens on (a relay that is down). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
