/**
 * The connect and transport layers without a session: one MsrpServer port
 * shared by two acceptors (RFC 4975 §5.4: sessions routed by session id), a
 * connector for each, and raw chunks through MsrpTransport: makeSendRequest()
 * + writeChunk() on one side, readChunk() + writeResponse() on the other.
 * Also a ChunkParser decoding an encoded Chunk split anywhere.
 * Run: node --import tsx examples/transport.ts
 */
import { AcceptorDirect, Chunk, ChunkParser, ConnectionPool, getConnector, MsrpServer, MsrpUri } from '../src/index.ts';

// (1) protocol: encode a chunk, parse it back from pieces split at any octet.
const send = new Chunk({
  transactionId: 'a786hjs2', method: 'SEND',
  headers: [['To-Path', 'msrp://bob.example.com:8888/9di4eae923wzd;tcp'],
    ['From-Path', 'msrp://alicepc.example.com:7777/iau39soe2843z;tcp'],
    ['Message-ID', '87652491'], ['Byte-Range', '1-25/25'], ['Content-Type', 'text/plain']],
  body: Buffer.from('Hey Bob, are you there?'),
});
const wire = send.encode();
const parsed: Chunk[] = [];
const parser = new ChunkParser({ onChunk: (chunk) => { parsed.push(chunk); }, onError: (err) => { throw err; } });
for (let i = 0; i < wire.length; i += 7) parser.push(wire.subarray(i, i + 7));
if (parsed[0]?.body?.toString() !== 'Hey Bob, are you there?') throw new Error('parse failed');
const same = MsrpUri.parse('msrp://Bob.Example.com:8888/9di4eae923wzd;tcp')
  .equals(MsrpUri.parse('MSRP://bob.example.com:8888/9di4eae923wzd;TCP'));
console.log(`parsed ${parsed[0].method} ${parsed[0].transactionId}; URIs equal: ${same}`);

// (2) connect + transport: two sessions on one server port, over one reused connection.
const server = await MsrpServer.listen({ listenHost: '127.0.0.1', host: '127.0.0.1', bindTimeout: 5000 });
const pool = new ConnectionPool();
try {
  const acceptors = [new AcceptorDirect({ server }), new AcceptorDirect({ server })];
  const connectors = [getConnector({ pool, host: '127.0.0.1' }), getConnector({ pool, host: '127.0.0.1' })];
  const passive = await Promise.all(acceptors.map((a) => a.prepare()));
  const active = await Promise.all(connectors.map((c) => c.prepare()));
  const [a0, a1, p0, p1] = await Promise.all([
    connectors[0].complete(passive[0]), connectors[1].complete(passive[1]),
    acceptors[0].complete(active[0]), acceptors[1].complete(active[1]),
  ]);
  console.log(`one port ${server.port}, one connection: ${a0.connection === a1.connection}`);

  const request = a1.makeSendRequest({ data: 'for session 1', contentType: 'text/plain' });
  const answered = a1.writeChunk(request);
  const incoming = await p1.readChunk();
  p1.writeResponse(incoming, 200);
  const result = await answered;
  console.log(`session 1 got "${incoming.body?.toString()}", response ${result.code}`);
  for (const t of [a0, a1, p0, p1]) t.close();
} finally {
  await server.close();
}
console.log('transport example: ok');
