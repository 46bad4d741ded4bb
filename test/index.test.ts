import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as msrp from '../src/index.ts';

const api = suite('public API (src/index.ts)');

api('exports the protocol layer and the errors', () => {
  for (const name of ['Chunk', 'ChunkParser', 'MsrpUri', 'validateChunk', 'validateHead', 'parsePath', 'StatusCode',
    'reasonPhrase', 'MsrpError', 'MsrpParseError', 'MsrpUriError', 'createParseError', 'DEFAULT_LIMITS']) {
    assert.ok(name in msrp, `${name} is not exported`);
  }
});

api('a chunk goes through the public API from bytes to typed fields and back', () => {
  const chunks: msrp.Chunk[] = [];
  const parser = new msrp.ChunkParser({ onChunk: (c) => { chunks.push(c); } });
  const wire = 'MSRP a786hjs2 SEND\r\nTo-Path: msrp://b.example.com:1/s;tcp\r\nFrom-Path: msrp://a.example.com:2/t;tcp\r\n' +
    'Message-ID: 87652491\r\nByte-Range: 1-23/23\r\nContent-Type: text/plain\r\n\r\nHey Bob, are you there?\r\n-------a786hjs2$\r\n';
  parser.push(Buffer.from(wire));
  assert.is(chunks[0].toPath?.[0].host, 'b.example.com');
  assert.is(msrp.validateChunk(chunks[0]), null);
  assert.is(chunks[0].encode().toString(), wire);
});

api.run();
