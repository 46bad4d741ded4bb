/**
 * Chunks out of wire bytes for tests, through the project's own ChunkParser.
 */
import { Chunk } from '../../src/protocol/chunk.ts';
import { ChunkParser } from '../../src/protocol/chunk-parser.ts';
import { rfc } from '../vectors/rfc-vectors.ts';

/** Every whole chunk in `bytes`; throws on a framing error. */
export function parseChunks(bytes: Buffer): Chunk[] {
  const chunks: Chunk[] = [];
  const parser = new ChunkParser({ onChunk: (c) => { chunks.push(c); }, wholeChunkLimit: Infinity });
  parser.push(bytes);
  parser.finish();
  return chunks;
}

/** The one chunk of an RFC vector file (test/vectors/rfc/). */
export function rfcChunk(file: string): Chunk {
  const chunks = parseChunks(rfc(file));
  if (chunks.length !== 1) throw new Error(`${file} holds ${chunks.length} chunks`);
  return chunks[0];
}
