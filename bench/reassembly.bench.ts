/**
 * Reassembly benchmark (`npm run bench:reassembly`): the Byte-Range tracker of
 * the wasm core against the TypeScript interval list (js-ranges.ts), alone and
 * under MessageReassembler.
 *
 * - large: one 1 GiB message in 64 KiB chunks into a sink that keeps nothing
 *   (body segments are views of one 64 KiB buffer: no 1 GiB allocation);
 * - small: 100,000 messages of 1 to 4 chunks (1..1024 octets each), delivered
 *   whole from memory.
 *
 * For scale, the same bytes' framing (createFramingEngine) is timed in the same
 * run, so the tracker's share of the byte path is printed as a ratio. The last
 * line is JSON: {"largeGBps", "largeBaselineGBps", "smallPerSec", "smallBaselinePerSec", ...}
 * (reassembler figures; tracker-only and framing figures follow). `--quick`
 * shortens every case.
 */
import Benchmark from 'benchmark';
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Flag } from '../src/core/constants.ts';
import { createFramingEngine } from '../src/core/index.ts';
import { createRangeTracker, JsRangeTracker, type RangeTracker } from '../src/core/ranges.ts';
import { loadCore } from '../src/core/wasm.ts';
import type { FramingSink } from '../src/core/types.ts';
import { MessageReassembler, type ReassemblySink } from '../src/protocol/reassembler.ts';

const GIB = 2 ** 30;
const CHUNK = 64 * 1024;
const LARGE_CHUNKS = GIB / CHUNK;
const SMALL_MESSAGES = 100_000;
const quick = process.argv.includes('--quick');
const MAX_TIME = quick ? 0.5 : 3;

// ---- fixtures: a seeded plan of small messages (same for every backend) ----
let seed = 0x5eed;
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return (seed >>> 8) % n;
};
const bodySource = Buffer.alloc(4096, 0x61);
interface SmallPlan { ids: string[]; chunkCount: Uint8Array; starts: Float64Array; lengths: Float64Array; flags: Uint8Array }
function smallPlan(): SmallPlan {
  const ids: string[] = [];
  const chunkCount = new Uint8Array(SMALL_MESSAGES);
  const starts: number[] = [];
  const lengths: number[] = [];
  const flags: number[] = [];
  for (let m = 0; m < SMALL_MESSAGES; m++) {
    ids.push(`m${m.toString(36)}x${random(1e9).toString(36)}`);
    const n = 1 + random(4);
    chunkCount[m] = n;
    let at = 1;
    for (let k = 0; k < n; k++) {
      const len = 1 + random(1024);
      starts.push(at);
      lengths.push(len);
      flags.push(k === n - 1 ? Flag.END : Flag.MORE);
      at += len;
    }
  }
  return { ids, chunkCount, starts: Float64Array.from(starts), lengths: Float64Array.from(lengths), flags: Uint8Array.from(flags) };
}
const plan = smallPlan();
const smallBytes = plan.lengths.reduce((a, b) => a + b, 0);
const largeBody = Buffer.alloc(CHUNK, 0x62);

// ---- the cases ----
const makeTracker = (backend: string): RangeTracker => {
  const t = backend === 'wasm' ? createRangeTracker() : new JsRangeTracker();
  if (t.backend !== backend) throw new Error(`no ${backend} tracker here`);
  return t;
};

/** The tracker alone: one 1 GiB message, 16384 records. Returns the total it saw. */
function trackerLarge(t: RangeTracker): number {
  const h = t.open(0);
  let total = 0;
  for (let k = 0; k < LARGE_CHUNKS; k++) {
    total = t.record(h, 1 + k * CHUNK, CHUNK, k === LARGE_CHUNKS - 1 ? Flag.END : Flag.MORE, 0).total;
  }
  return total; // complete: the tracker has freed it
}

/** The tracker alone: the small messages. Returns how many completed. */
function trackerSmall(t: RangeTracker): number {
  let complete = 0;
  let c = 0;
  for (let m = 0; m < SMALL_MESSAGES; m++) {
    const h = t.open(0);
    let done = false;
    for (let k = 0; k < plan.chunkCount[m]; k++, c++) done = t.record(h, plan.starts[c], plan.lengths[c], plan.flags[c], 0).complete;
    if (done) complete++;
    else t.discard(h);
  }
  return complete;
}

const nullSink: ReassemblySink = { write() {}, end() {}, abort() {} };

/** The reassembler: 1 GiB into a sink that keeps nothing. Returns the delivered total. */
function reassembleLarge(t: RangeTracker): number {
  const r = new MessageReassembler<null>({ tracker: t, inlineLimit: 1 << 20, expireMs: 0, createSink: () => nullSink });
  let total = 0;
  r.on('message', (m) => { total = m.total; });
  for (let k = 0; k < LARGE_CHUNKS; k++) {
    const chunk = r.begin('big', { start: 1 + k * CHUNK, end: (k + 1) * CHUNK, total: GIB }, null);
    chunk.write(largeBody);
    chunk.end(k === LARGE_CHUNKS - 1 ? Flag.END : Flag.MORE);
  }
  r.close();
  return total;
}

/** The reassembler: the small messages, in memory. Returns the delivered octets. */
function reassembleSmall(t: RangeTracker): number {
  const r = new MessageReassembler<null>({ tracker: t, expireMs: 0 });
  let octets = 0;
  r.on('message', (m) => { octets += m.body!.length; });
  let c = 0;
  for (let m = 0; m < SMALL_MESSAGES; m++) {
    const id = plan.ids[m];
    for (let k = 0; k < plan.chunkCount[m]; k++, c++) {
      const start = plan.starts[c];
      const len = plan.lengths[c];
      const chunk = r.begin(id, { start, end: start + len - 1, total: '*' }, null);
      chunk.write(bodySource.subarray(0, len));
      chunk.end(plan.flags[c]);
    }
  }
  r.close();
  return octets;
}

// ---- framing reference: the same bytes through the framing engine ----
function wire(tid: string, id: string, start: number, len: number, total: number | '*', flag: number): Buffer {
  const head = `MSRP ${tid} SEND\r\nTo-Path: msrp://b.example.com:8888/s;tcp\r\nFrom-Path: msrp://a.example.com:7777/s;tcp\r\n` +
    `Message-ID: ${id}\r\nByte-Range: ${start}-${start + len - 1}/${total}\r\nContent-Type: text/plain\r\n\r\n`;
  const body = len <= bodySource.length ? bodySource.subarray(0, len) : largeBody.subarray(0, len);
  return Buffer.concat([Buffer.from(head), body, Buffer.from(`\r\n-------${tid}${String.fromCharCode(flag)}\r\n`)]);
}
/** 64 MiB of 64 KiB chunks (framing cost scales linearly; timed on a sixteenth of the GiB). */
const largeWire = () => Buffer.concat(Array.from({ length: 1024 }, (_, k) =>
  wire(`t${k}abc`, 'big', 1 + k * CHUNK, CHUNK, GIB, Flag.MORE)));
const smallWire = () => {
  const parts: Buffer[] = [];
  let c = 0;
  for (let m = 0; m < SMALL_MESSAGES; m++) {
    for (let k = 0; k < plan.chunkCount[m]; k++, c++) {
      parts.push(wire(`t${c.toString(36)}abc`, plan.ids[m], plan.starts[c], plan.lengths[c], '*', plan.flags[c]));
    }
  }
  return Buffer.concat(parts);
};
const countingSink: FramingSink = { onHead() {}, onBody() {}, onEnd() {}, onError(e) { throw new Error(`framing error ${e.code}`); } };
function frame(bytes: Buffer): void {
  const engine = createFramingEngine();
  for (let at = 0; at < bytes.length; at += CHUNK) engine.feed(bytes.subarray(at, at + CHUNK), countingSink);
  engine.free();
}

// ---- run: each group in a process of its own, so that no call site sees both
// trackers (one backend per process is how the library runs; mixing them in one
// process makes the shared reassembler code polymorphic and slower for both) ----
const GROUPS = ['wasm', 'js', 'framing'] as const;
const group = process.argv.find((a) => a.startsWith('--group='))?.slice(8);

if (group === undefined) {
  const hz: Record<string, number> = {};
  for (const g of GROUPS) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), `--group=${g}`,
      ...process.argv.slice(2)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    const lines = child.stdout.trim().split('\n');
    if (child.status !== 0) throw new Error(`group ${g} failed:\n${child.stdout}`);
    for (const line of lines.slice(0, -1)) console.log(line);
    Object.assign(hz, JSON.parse(lines.at(-1)!));
  }
  report(hz);
} else {
  time(group);
}

/** Times one group's cases (after checking their results) and prints the rates as a last JSON line. */
function time(g: string): void {
  const suite = new Benchmark.Suite(`reassembly ${g}`);
  const add = (name: string, fn: () => void) => suite.add(name, fn, { maxTime: MAX_TIME, minSamples: 5 });
  if (g === 'framing') {
    const large = largeWire();
    const small = smallWire();
    add('framing 64MiB/64KiB', () => frame(large));
    add('framing 100k small', () => frame(small));
  } else {
    // validate: every backend gives the same results before timing
    const t = makeTracker(g);
    const checks = [trackerLarge(t), trackerSmall(t), reassembleLarge(makeTracker(g)), reassembleSmall(makeTracker(g))];
    const want = [GIB, SMALL_MESSAGES, GIB, smallBytes];
    if (JSON.stringify(checks) !== JSON.stringify(want)) throw new Error(`${g}: ${checks} instead of ${want}`);
    add(`tracker 1GiB/64KiB ${g}`, () => trackerLarge(t));
    add(`tracker 100k small ${g}`, () => trackerSmall(t));
    add(`reassembler 1GiB/64KiB null-sink ${g}`, () => reassembleLarge(makeTracker(g)));
    add(`reassembler 100k small memory ${g}`, () => reassembleSmall(makeTracker(g)));
  }
  const hz: Record<string, number> = {};
  suite.on('cycle', (e: Benchmark.Event) => {
    hz[e.target.name!] = e.target.hz!;
    console.log(String(e.target));
  }).run();
  console.log(JSON.stringify(hz));
}

/** The summary lines and the final JSON. */
function report(hz: Record<string, number>): void {
  const gbps = (name: string, bytes: number) => (hz[name] * bytes) / 1e9;
  const framingLargeSec = 16 / hz['framing 64MiB/64KiB']; // per GiB
  const framingSmallSec = 1 / hz['framing 100k small'];
  const share = (name: string, framingSec: number) => (1 / hz[name]) / framingSec;
  const result = {
    largeGBps: gbps('reassembler 1GiB/64KiB null-sink wasm', GIB),
    largeBaselineGBps: gbps('reassembler 1GiB/64KiB null-sink js', GIB),
    smallPerSec: hz['reassembler 100k small memory wasm'] * SMALL_MESSAGES,
    smallBaselinePerSec: hz['reassembler 100k small memory js'] * SMALL_MESSAGES,
    trackerLargeGBps: gbps('tracker 1GiB/64KiB wasm', GIB),
    trackerLargeBaselineGBps: gbps('tracker 1GiB/64KiB js', GIB),
    trackerSmallPerSec: hz['tracker 100k small wasm'] * SMALL_MESSAGES,
    trackerSmallBaselinePerSec: hz['tracker 100k small js'] * SMALL_MESSAGES,
    framingLargeGBps: GIB / framingLargeSec / 1e9,
    framingSmallPerSec: SMALL_MESSAGES / framingSmallSec,
    trackerShareOfFramingLarge: share('tracker 1GiB/64KiB wasm', framingLargeSec),
    trackerShareOfFramingSmall: share('tracker 100k small wasm', framingSmallSec),
  };
  const engine = createFramingEngine();
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}; wasm core ${loadCore()?.variant}; ` +
    `framing by ${engine.constructor.name}; small: ${(smallBytes / 1e6).toFixed(1)} MB of bodies`);
  engine.free();
  const f = (x: number, digits = 0) => x.toFixed(digits);
  console.log(`large: tracker ${f(result.trackerLargeGBps, 1)} GB/s vs baseline ${f(result.trackerLargeBaselineGBps, 1)}; ` +
    `reassembler ${f(result.largeGBps, 1)} vs ${f(result.largeBaselineGBps, 1)}; framing ${f(result.framingLargeGBps, 2)} GB/s; ` +
    `tracker = ${f(result.trackerShareOfFramingLarge * 100, 3)}% of framing`);
  console.log(`small: tracker ${f(result.trackerSmallPerSec)} msg/s vs baseline ${f(result.trackerSmallBaselinePerSec)}; ` +
    `reassembler ${f(result.smallPerSec)} vs ${f(result.smallBaselinePerSec)}; framing ${f(result.framingSmallPerSec)} msg/s; ` +
    `tracker = ${f(result.trackerShareOfFramingSmall * 100, 2)}% of framing`);
  console.log(JSON.stringify(result));
}
