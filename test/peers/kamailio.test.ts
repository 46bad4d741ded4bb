// Real AUTH against Kamailio's MSRP relay (an independent implementation) over
// raw sockets: our digest.ts answers its challenges, our Chunk/ChunkParser
// frame the bytes, and use-path.ts builds the paths of a SEND relayed through it.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunk, randomIdent } from '../../src/protocol/chunk.ts';
import { ChunkParser } from '../../src/protocol/chunk-parser.ts';
import { DigestClient } from '../../src/protocol/digest.ts';
import { formatPath } from '../../src/protocol/headers.ts';
import { MsrpUri } from '../../src/protocol/uri.ts';
import { localPath, toPathToPeer } from '../../src/relay/use-path.ts';
import { withKamailio, type KamailioRelay } from '../helpers/kamailio.ts';

/** Long enough never to trip on a slow machine; a test that waits this long has failed. */
const WAIT_MS = 10_000;
const DIGEST = { user: 'alice', password: 'secret', realm: 'msrp.test' };

/** One MSRP endpoint on a raw TCP connection to the relay. */
class RawEndpoint {
  readonly socket: Socket;
  readonly uri: MsrpUri;
  private readonly received: Chunk[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private error: Error | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.uri = MsrpUri.parse(`msrp://127.0.0.1:${socket.localPort}/${randomBytes(9).toString('base64url')};tcp`);
    const parser = new ChunkParser({
      onChunk: (c) => { this.received.push(c); this.wake?.(); },
      onError: (e) => { this.error = e; this.wake?.(); },
    });
    socket.on('data', (d: Buffer) => parser.push(d));
    socket.on('close', () => { this.closed = true; this.wake?.(); });
  }

  static open(port: number): Promise<RawEndpoint> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawEndpoint(socket)));
      socket.once('error', reject);
    });
  }

  send(chunk: Chunk): void {
    this.socket.write(chunk.encode());
  }

  /** The first received chunk matching `test`, removed from the queue. */
  async next(test: (c: Chunk) => boolean, what: string): Promise<Chunk> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const i = this.received.findIndex(test);
      if (i >= 0) return this.received.splice(i, 1)[0];
      if (this.error) throw this.error;
      if (this.closed) throw new Error(`connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${WAIT_MS} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = null;
    }
  }

  /** Sends an AUTH and returns its response. */
  async auth(relayUri: string, authorization?: Chunk['authorization']): Promise<Chunk> {
    const request = new Chunk({ transactionId: randomIdent(), method: 'AUTH' });
    request.toPath = [MsrpUri.parse(relayUri)];
    request.fromPath = [this.uri];
    // never Expires with Authorization: stock Kamailio 5.6.3 crashes (test/helpers/kamailio.ts)
    if (authorization) request.authorization = authorization;
    this.send(request);
    return this.next((c) => c.isResponse && c.transactionId === request.transactionId, `response to AUTH ${request.transactionId}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** AUTH with digest when challenged; returns the 200 (or the last response) and what was sent. */
async function authenticate(endpoint: RawEndpoint, relay: KamailioRelay, password = DIGEST.password) {
  const first = await endpoint.auth(relay.uri);
  if (first.code !== 401) return { challenge: null, response: first };
  const client = new DigestClient({ username: DIGEST.user, password });
  // the digest-uri is the rightmost To-Path URI (RFC 4976 §9.1): here the relay's
  const auth = client.answer(first.getHeaders('WWW-Authenticate'), relay.uri);
  return { challenge: first, response: await endpoint.auth(relay.uri, auth.value), auth };
}

function checkUsePath(response: Chunk, relay: KamailioRelay): MsrpUri[] {
  assert.is(response.code, 200, `${response.code} ${response.comment}`);
  const usePath = response.usePath as MsrpUri[];
  assert.is(usePath.length, 1);
  assert.is(usePath[0].host, '127.0.0.1');
  assert.is(usePath[0].port, relay.port);
  assert.ok(usePath[0].sessionId, 'Use-Path carries a session id');
  assert.is(response.expires, 3600);
  return usePath;
}

const plain = suite('Kamailio relay: plain AUTH');

plain('AUTH gets 200 with a Use-Path; a SEND relayed A -> B with paths from use-path.ts', async () => {
  await withKamailio({}, async (relay) => {
    const [a, b] = [await RawEndpoint.open(relay.port), await RawEndpoint.open(relay.port)];
    try {
      const { response: okA } = await authenticate(a, relay);
      const { response: okB } = await authenticate(b, relay);
      const [useA, useB] = [checkUsePath(okA, relay), checkUsePath(okB, relay)];
      assert.not.equal(String(useA[0]), String(useB[0]));
      // B's a=path for the SDP, and A's To-Path toward it (RFC 4976 §5.1)
      const pathB = localPath(useB, b.uri);
      const send = new Chunk({ transactionId: randomIdent(), method: 'SEND', body: Buffer.from('hello through Kamailio') });
      send.toPath = toPathToPeer(useA, pathB);
      send.fromPath = [a.uri];
      send.messageId = randomIdent();
      send.byteRange = { start: 1, end: 22, total: 22 };
      send.contentType = { type: 'text', subtype: 'plain', params: [] };
      a.send(send);
      const ok = await a.next((c) => c.isResponse && c.transactionId === send.transactionId, 'the relay\'s 200 to the SEND');
      assert.is(ok.code, 200);
      const got = await b.next((c) => c.method === 'SEND', 'the relayed SEND at B');
      assert.is(String(got.body), 'hello through Kamailio');
      assert.is(formatPath(got.toPath as MsrpUri[]), String(b.uri));
      // what B sees is A's a=path as RFC 4976 §5.1 builds it, seen from B's side
      assert.is(formatPath(got.fromPath as MsrpUri[]), formatPath(toPathToPeer(useB, localPath(useA, a.uri))));
    } finally {
      a.close();
      b.close();
    }
  });
});

plain.run();

const digest = suite('Kamailio relay: digest AUTH answered by digest.ts');

for (const algorithm of ['MD5', 'SHA-256'] as const) {
  digest(`${algorithm}: 401 challenge, our Authorization gets 200 with a Use-Path; a wrong password gets 401 again`, async () => {
    await withKamailio({ digest: { ...DIGEST, algorithm } }, async (relay) => {
      const endpoint = await RawEndpoint.open(relay.port);
      try {
        const { challenge, response, auth } = await authenticate(endpoint, relay);
        assert.ok(challenge, 'the relay challenged');
        assert.is(challenge?.code, 401);
        assert.is(auth?.algorithm, algorithm);
        checkUsePath(response, relay);
        assert.is(response.authenticationInfo, undefined, 'Kamailio sends no Authentication-Info');
        const wrong = await authenticate(endpoint, relay, 'not the password');
        assert.is(wrong.response.code, 401);
      } finally {
        endpoint.close();
      }
    });
  });
}

digest.run();
