/**
 * Framing benchmark (`npm run bench:parse`): the wasm core's SIMD and baseline
 * builds against the TypeScript engine (JsFramingEngine: Buffer.indexOf for
 * CRLF, latin1 slices per line, Buffer.indexOf of the end-line needle).
 *
 * - large: 64 MiB streams of chunks with 1 MiB bodies, fed in 64 KiB pieces:
 *   random octets, base64 text, and adversarial text (every line a near miss
 *   of the end-line); three streams in turn, so the data is not cache-hot;
 * - small: about 220-octet chat SENDs decoded by ChunkParser to Chunk objects
 *   with every header string materialised (the JSON's small figures); also
 *   the engine alone (RawHead strings, no Chunk), for scale.
 *
 * Every contender's output is checked equal before timing. Prints one line
 * per case, a table (MB/s and chunks/s, GB = 10^9 octets), and as the last
 * line one JSON object. `--quick` runs shorter samples.
 */
import Benchmark from 'benchmark';
import { createHash } from 'node:crypto';
import { cpus } from 'node:os';
import { splitEvery } from '../fuzz/engine-events.ts';
import { JsFramingEngine } from '../src/core/js-engine.ts';
import type { FramingEngine, FramingSink } from '../src/core/types.ts';
import { type CoreInstance, loadCore } from '../src/core/wasm.ts';
import { WasmFramingEngine } from '../src/core/wasm-engine.ts';
import type { Chunk } from '../src/protocol/chunk.ts';
import { ChunkParser } from '../src/protocol/chunk-parser.ts';
import { type BodyKind, chatStream, largeStream } from './fixtures/parser-fixtures.ts';

const PIECE = 64 * 1024;
const CHAT_CHUNKS = 20_000;
const quick = process.argv.includes('--quick');
const MAX_TIME = quick ? 1 : 4;

const simd = loadCore('simd') as CoreInstance;
const baseline = loadCore('baseline') as CoreInstance;
if (simd === null || baseline === null) throw new Error('the wasm core did not load');

/** The contenders, best first: each makes a fresh engine per run. */
const CONTENDERS: Array<[name: string, make: () => FramingEngine]> = [
  ['wasm-simd', () => new WasmFramingEngine(simd)],
  ['wasm-baseline', () => new WasmFramingEngine(baseline)],
  ['ts-baseline', () => new JsFramingEngine()],
];

// ---- fixtures ----
const KINDS: BodyKind[] = ['random', 'base64', 'adversarial'];
const large = new Map(KINDS.map((kind, i) => {
  const { stream, chunks } = largeStream(kind, 0x5eed + i);
  return [kind, { stream, chunks, pieces: splitEvery(stream, PIECE) }];
}));
const chat = chatStream(0xc4a7, CHAT_CHUNKS);
const chatPieces = splitEvery(chat.stream, PIECE);

// ---- runs ----
/** Counters a large run leaves behind, to keep the work observable. */
let heads = 0;
let octets = 0;
let ends = 0;
const countingSink: FramingSink = {
  onHead() { heads++; },
  onBody(segment) { octets += segment.length; },
  onEnd() { ends++; },
  onError(e) { throw new Error(`framing error ${e.code} at ${e.offset}`); },
};

function runLarge(make: () => FramingEngine, pieces: Buffer[]): void {
  const engine = make();
  for (const piece of pieces) engine.feed(piece, countingSink);
  engine.finish(countingSink);
}

/** The engine alone on the chat stream: heads with their strings, no Chunk objects. */
function runChatEngine(make: () => FramingEngine): void {
  const engine = make();
  for (const piece of chatPieces) engine.feed(piece, countingSink);
  engine.finish(countingSink);
}

function runChat(make: () => FramingEngine, onChunk: (c: Chunk) => void = () => {}): void {
  const parser = new ChunkParser({ engine: make, onChunk, onError: (e) => { throw e; } });
  for (const piece of chatPieces) parser.push(piece);
  parser.finish();
}

// ---- outputs checked equal before timing ----
function largeDigest(make: () => FramingEngine, pieces: Buffer[]): string {
  const hash = createHash('sha256');
  const engine = make();
  const sink: FramingSink = {
    onHead(h) { hash.update(`head ${h.transactionId} ${h.names.join(',')} ${h.values.join(',')}\n`); },
    onBody(segment) { hash.update(segment); },
    onEnd(flag) { hash.update(`\nend ${flag}\n`); },
    onError(e) { hash.update(`error ${e.code}\n`); },
  };
  for (const piece of pieces) engine.feed(piece, sink);
  engine.finish(sink);
  return hash.digest('hex');
}

function chatDigest(make: () => FramingEngine): string {
  const hash = createHash('sha256');
  let count = 0;
  runChat(make, (c) => {
    count++;
    hash.update(JSON.stringify([c.transactionId, c.method, c.headers, c.body?.toString('latin1'), c.continuationFlag]));
  });
  if (count !== CHAT_CHUNKS) throw new Error(`${count} chat chunks, expected ${CHAT_CHUNKS}`);
  return hash.digest('hex');
}

for (const [kind, fixture] of large) {
  const digests = CONTENDERS.map(([, make]) => largeDigest(make, fixture.pieces));
  if (new Set(digests).size !== 1) throw new Error(`contenders disagree on the ${kind} stream: ${digests.join(' ')}`);
}
const chatDigests = CONTENDERS.map(([, make]) => chatDigest(make));
if (new Set(chatDigests).size !== 1) throw new Error(`contenders disagree on the chat stream: ${chatDigests.join(' ')}`);

// ---- timing ----
interface Row { case: string; contender: string; octets: number; chunks: number; seconds: number }
const rows: Row[] = [];
const bench = new Benchmark.Suite('parser');
for (const [kind, fixture] of large) {
  for (const [name, make] of CONTENDERS) {
    bench.add(`parse large ${kind} 64MiB x ${name}`, () => runLarge(make, fixture.pieces), {
      maxTime: MAX_TIME, minSamples: 5,
      onComplete(e: Benchmark.Event) {
        const t = e.target as unknown as Benchmark;
        rows.push({ case: `large ${kind}`, contender: name, octets: fixture.stream.length, chunks: fixture.chunks,
          seconds: t.stats.mean });
      },
    });
  }
}
for (const [name, make] of CONTENDERS) {
  bench.add(`parse chat 220B x ${name}`, () => runChat(make), {
    maxTime: MAX_TIME, minSamples: 5,
    onComplete(e: Benchmark.Event) {
      const t = e.target as unknown as Benchmark;
      rows.push({ case: 'chat', contender: name, octets: chat.stream.length, chunks: chat.chunks, seconds: t.stats.mean });
    },
  });
}
for (const [name, make] of CONTENDERS) {
  bench.add(`parse chat 220B engine-only x ${name}`, () => runChatEngine(make), {
    maxTime: MAX_TIME, minSamples: 5,
    onComplete(e: Benchmark.Event) {
      const t = e.target as unknown as Benchmark;
      rows.push({ case: 'chat engine-only', contender: name, octets: chat.stream.length, chunks: chat.chunks,
        seconds: t.stats.mean });
    },
  });
}
bench.on('cycle', (e: Benchmark.Event) => { console.log(String(e.target)); });
bench.run();

// ---- report ----
const GB = 1e9;
console.log('\ncase               contender        MB/s      chunks/s');
for (const r of rows) {
  console.log(`${r.case.padEnd(18)} ${r.contender.padEnd(14)} ${(r.octets / r.seconds / 1e6).toFixed(0).padStart(8)}`
    + ` ${(r.chunks / r.seconds).toFixed(0).padStart(12)}`);
}
/** Combined throughput of some cases for one contender: total octets / total time. */
function gbps(contender: string, cases: string[]): number {
  const picked = rows.filter((r) => r.contender === contender && cases.includes(r.case));
  return picked.reduce((a, r) => a + r.octets, 0) / picked.reduce((a, r) => a + r.seconds, 0) / GB;
}
function perSec(contender: string): number {
  const r = rows.find((x) => x.contender === contender && x.case === 'chat') as Row;
  return r.chunks / r.seconds;
}
const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
const largeCases = ['large random', 'large base64'];
const largeGBps = gbps('wasm-simd', largeCases);
const largeBaselineGBps = gbps('ts-baseline', largeCases);
const smallPerSec = perSec('wasm-simd');
const smallBaselinePerSec = perSec('ts-baseline');
console.log(`\nwasm-baseline: large ${round(gbps('wasm-baseline', largeCases))} GB/s, adversarial `
  + `${round(gbps('wasm-baseline', ['large adversarial']))} GB/s, chat ${Math.round(perSec('wasm-baseline'))} chunks/s`);
console.log(JSON.stringify({
  largeGBps: round(largeGBps),
  largeBaselineGBps: round(largeBaselineGBps),
  largeRatio: round(largeGBps / largeBaselineGBps),
  adversarialGBps: round(gbps('wasm-simd', ['large adversarial'])),
  adversarialBaselineGBps: round(gbps('ts-baseline', ['large adversarial'])),
  smallPerSec: Math.round(smallPerSec),
  smallBaselinePerSec: Math.round(smallBaselinePerSec),
  smallRatio: round(smallPerSec / smallBaselinePerSec),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
}));
