/**
 * Round trip: encoding any valid chunk and parsing the bytes back gives the
 * same chunk, however hostile its body (RFC 4975 §7.1: the end-line never
 * occurs in the body, because encode picks a fresh transaction id).
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { Chunk } from '../src/protocol/chunk.ts';
import { ChunkParser } from '../src/protocol/chunk-parser.ts';
import { chunkArb } from './arbitraries/chunkArb.ts';
import { splitEvery } from './engine-events.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

/** What parse can see of a chunk. */
function fields(c: Chunk): string {
  return JSON.stringify({ tid: c.transactionId, method: c.method, code: c.code, comment: c.comment, headers: c.headers,
    body: c.body?.toString('latin1') ?? null, flag: c.continuationFlag });
}

function parseAll(bytes: Buffer, size: number): Chunk[] {
  const chunks: Chunk[] = [];
  const parser = new ChunkParser({
    wholeChunkLimit: Infinity,
    onChunk: (c) => { chunks.push(c); },
    onError: (e) => { throw e; },
  });
  for (const piece of splitEvery(bytes, size)) parser.push(piece);
  parser.finish();
  return chunks;
}

/** The properties, by sentence. */
export const chunkProperties: Record<string, AnyProperty> = {
  'encode then parse gives the same chunk': fc.property(chunkArb, fc.integer({ min: 1, max: 64 }), (chunk, size) => {
    const bytes = chunk.encode();
    const back = parseAll(bytes, size);
    if (back.length !== 1) throw new Error(`${back.length} chunks from ${JSON.stringify(bytes.toString('latin1'))}`);
    if (fields(back[0]) !== fields(chunk)) throw new Error(`${fields(back[0])}\n!=\n${fields(chunk)}`);
  }),
  'encoding a parsed chunk gives the same bytes': fc.property(chunkArb, (chunk) => {
    const bytes = chunk.encode();
    const again = parseAll(bytes, bytes.length)[0].encode();
    if (!again.equals(bytes)) throw new Error(`${JSON.stringify(again.toString('latin1'))} != ${JSON.stringify(bytes.toString('latin1'))}`);
  }),
  'the transaction id is kept unless the body holds the end-line': fc.property(chunkArb, (chunk) => {
    const before = chunk.transactionId;
    const clash = chunk.body?.includes(`-------${before}`) ?? false;
    chunk.encode();
    return clash ? chunk.transactionId !== before && !chunk.body?.includes(chunk.transactionId) : chunk.transactionId === before;
  }),
};

/** Runs every property as a uvu test. */
export function chunkFuzzSuite(): void {
  const s = suite(FUZZ_LONG ? 'Chunk properties (long)' : 'Chunk properties');
  for (const [name, property] of Object.entries(chunkProperties)) s(name, () => checkProperty(name, property, 300));
  s.run();
}

if (FUZZ_LONG) chunkFuzzSuite();
