/**
 * A focused driver for the small-chunk parse path (`tsx bench/chat-parse.profile.ts [seconds]`):
 * the chat stream of bench:parse through ChunkParser on the SIMD core, again
 * and again, reporting chunks per second of process CPU time (steadier than
 * wall time on a shared machine). Run it under `node --cpu-prof --import tsx`
 * to see where the time goes.
 */
import { splitEvery } from '../fuzz/engine-events.ts';
import { type CoreInstance, loadCore } from '../src/core/wasm.ts';
import { WasmFramingEngine } from '../src/core/wasm-engine.ts';
import type { Chunk } from '../src/protocol/chunk.ts';
import { ChunkParser } from '../src/protocol/chunk-parser.ts';
import { chatStream } from './fixtures/parser-fixtures.ts';

const CHAT_CHUNKS = 20_000;
const seconds = Number(process.argv[2] ?? 5);
const core = loadCore('simd') as CoreInstance;
const chat = chatStream(0xc4a7, CHAT_CHUNKS);
const pieces = splitEvery(chat.stream, 64 * 1024);

let seen = 0;
const onChunk = (c: Chunk): void => { seen += c.headers.length; };

function run(): void {
  const parser = new ChunkParser({ engine: (l) => new WasmFramingEngine(core, l), onChunk, onError: (e) => { throw e; } });
  for (const piece of pieces) parser.push(piece);
  parser.finish();
}

for (let i = 0; i < 20; i++) run();
const start = process.cpuUsage();
let runs = 0;
let used = 0;
while (used < seconds * 1e6) {
  run();
  runs++;
  const u = process.cpuUsage(start);
  used = u.user + u.system;
}
console.log(JSON.stringify({
  chunksPerCpuSecond: Math.round(runs * CHAT_CHUNKS / (used / 1e6)), nsPerChunk: Math.round(used * 1e3 / (runs * CHAT_CHUNKS)),
  chunks: (runs + 20) * CHAT_CHUNKS, seen: seen > 0,
}));
