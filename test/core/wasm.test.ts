// The WebAssembly core: both binaries load, the pools account for every slot,
// memory never grows after start, and the adapter's window, event-table,
// nesting and fallback paths give the reference model's events.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engineEvents, splitEvery } from '../../fuzz/engine-events.ts';
import { referenceEvents } from '../../fuzz/reference-parser.ts';
import { FeedStatus } from '../../src/core/constants.ts';
import { createFramingEngine, JsFramingEngine } from '../../src/core/index.ts';
import type { FramingSink } from '../../src/core/types.ts';
import {
  type CoreInstance, type CoreVariant, configureCore, createCore, loadCore, preferredVariant, simdSupported,
} from '../../src/core/wasm.ts';
import { baselineWasm, simdWasm } from '../../src/core/wasm-binaries.generated.ts';
import { WasmFramingEngine } from '../../src/core/wasm-engine.ts';

const VARIANTS: CoreVariant[] = ['baseline', 'simd'];
const FRAMING_EXPORTS = ['msrp_init', 'msrp_input_ptr', 'msrp_input_size', 'msrp_result_ptr', 'msrp_events_ptr',
  'msrp_simd', 'msrp_alloc', 'msrp_free', 'msrp_feed', 'msrp_finish', 'msrp_reset', 'msrp_dead', 'msrp_slots_used',
  'msrp_slot_count', 'msrp_header_capacity', 'msrp_tid_max'];
const RANGE_EXPORTS = ['msrp_range_tracker_new', 'msrp_range_record', 'msrp_range_copy', 'msrp_range_stats'];

function chunk(tid: string, body: string | null, flag = '$'): Buffer {
  return Buffer.from(body === null ? `MSRP ${tid} SEND\r\nTo-Path: msrp://b.example.com/s;tcp\r\n-------${tid}${flag}\r\n`
    : `MSRP ${tid} SEND\r\nContent-Type: text/plain\r\n\r\n${body}\r\n-------${tid}${flag}\r\n`, 'latin1');
}

const loading = suite('wasm core: loading');

loading('both binaries compile, instantiate and expose their exports', () => {
  for (const [variant, bytes] of [['baseline', baselineWasm()], ['simd', simdWasm()]] as const) {
    assert.ok(WebAssembly.validate(bytes), `${variant} validates`);
    const module = new WebAssembly.Module(bytes);
    assert.equal(WebAssembly.Module.imports(module), [], `${variant} imports nothing`);
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const name of [...FRAMING_EXPORTS, ...RANGE_EXPORTS, 'memory']) assert.ok(names.includes(name), `${variant}: ${name}`);
    const core = createCore(variant, { slots: 4 });
    assert.is(core.exports.msrp_simd(), variant === 'simd' ? 1 : 0);
    assert.is(core.exports.msrp_slot_count(), 4);
    assert.is(core.exports.msrp_header_capacity(), 64);
    assert.is(core.inputSize, 65536);
    assert.is(core.exports.msrp_init(4, 64, 65536), 1, 'init runs once');
  }
});

loading('only the SIMD build uses v128 instructions', () => {
  // The build writes the text form next to each binary (asconfig.json textFile).
  const wat = (file: string): string => readFileSync(new URL(`../../build/${file}`, import.meta.url), 'utf8');
  assert.not.match(wat('msrp.wat'), /v128|i8x16/);
  assert.match(wat('msrp_simd.wat'), /i8x16\.bitmask/);
  assert.ok(simdSupported(), 'Node 20 runs wasm SIMD');
});

loading('loadCore compiles each variant once; SIMD first unless MSRP_NO_WASM_SIMD', () => {
  const before = process.env.MSRP_NO_WASM_SIMD;
  try {
    delete process.env.MSRP_NO_WASM_SIMD;
    assert.is(preferredVariant(), 'simd');
    process.env.MSRP_NO_WASM_SIMD = '1';
    assert.is(preferredVariant(), 'baseline');
    process.env.MSRP_NO_WASM_SIMD = '0';
    assert.is(preferredVariant(), 'simd');
  } finally {
    if (before === undefined) delete process.env.MSRP_NO_WASM_SIMD;
    else process.env.MSRP_NO_WASM_SIMD = before;
  }
  for (const variant of VARIANTS) {
    const core = loadCore(variant);
    assert.ok(core !== null);
    assert.is(loadCore(variant), core);
    assert.is(core.variant, variant);
  }
  assert.throws(() => configureCore({ slots: 10 }), RangeError);
});

loading('createFramingEngine gives a wasm engine, js on request, and js when the pool cannot serve', () => {
  const engine = createFramingEngine({}, 'wasm-simd');
  assert.instance(engine, WasmFramingEngine);
  assert.is((engine as WasmFramingEngine).variant, 'wasm-simd');
  engine.free();
  const baseline = createFramingEngine({}, 'wasm');
  assert.is((baseline as WasmFramingEngine).variant, 'wasm-baseline');
  baseline.free();
  assert.instance(createFramingEngine({}, 'js'), JsFramingEngine);
  // more headers than the pool's entries: only the TypeScript engine can honour it
  assert.instance(createFramingEngine({ maxHeaders: 65 }), JsFramingEngine);
  assert.instance(createFramingEngine({ maxHeaders: Infinity }), JsFramingEngine);
  // caps above what the core's u32 fields hold work as no cap
  const open = createFramingEngine({ maxLineLength: Infinity, maxHeadLength: 2 ** 40, maxBodyLength: Infinity }, 'wasm-simd');
  assert.instance(open, WasmFramingEngine);
  const big = Buffer.from(`MSRP abcd SEND\r\nX: ${'a'.repeat(100_000)}\r\n-------abcd$\r\n`);
  assert.equal(engineEvents(open, [big]).map((e) => e.type), ['head', 'end']);
  const before = process.env.MSRP_ENGINE;
  try {
    process.env.MSRP_ENGINE = 'js';
    assert.instance(createFramingEngine(), JsFramingEngine);
    process.env.MSRP_ENGINE = 'fast';
    assert.throws(() => createFramingEngine(), RangeError);
  } finally {
    if (before === undefined) delete process.env.MSRP_ENGINE;
    else process.env.MSRP_ENGINE = before;
  }
});

loading.run();

const pool = suite('wasm core: slot pool');

for (const variant of VARIANTS) {
  pool(`${variant}: alloc and free are counted, stale slots are refused`, () => {
    const core = createCore(variant, { slots: 3 });
    const x = core.exports;
    assert.is(x.msrp_slots_used(), 0);
    const a = x.msrp_alloc(100, 8, 1000, Infinity);
    const b = x.msrp_alloc(100, 8, 1000, Infinity);
    const c = x.msrp_alloc(100, 8, 1000, Infinity);
    assert.equal([a, b, c].sort(), [0, 1, 2]);
    assert.is(x.msrp_alloc(100, 8, 1000, Infinity), -1, 'pool exhausted');
    assert.is(x.msrp_alloc(100, 65, 1000, Infinity), -2, 'more headers than an entry table holds');
    assert.is(x.msrp_slots_used(), 3);
    assert.is(x.msrp_free(b), 1);
    assert.is(x.msrp_free(b), 0, 'double free');
    assert.is(x.msrp_feed(b, 0, 1), FeedStatus.BAD_SLOT);
    assert.is(x.msrp_finish(b), FeedStatus.BAD_SLOT);
    assert.is(x.msrp_feed(a, core.inputSize, 1), FeedStatus.BAD_RANGE);
    assert.is(x.msrp_free(-1), 0);
    assert.is(x.msrp_free(3), 0);
    assert.is(x.msrp_slots_used(), 2);
    assert.is(x.msrp_alloc(100, 8, 1000, Infinity), b, 'a freed slot is reused');
    for (const s of [a, b, c]) x.msrp_free(s);
    assert.is(x.msrp_slots_used(), 0);
  });

  pool(`${variant}: an engine holds its slot until finish() or free(); reset() takes one again`, () => {
    const core = createCore(variant, { slots: 2 });
    const used = (): number => core.exports.msrp_slots_used();
    const one = new WasmFramingEngine(core);
    const two = new WasmFramingEngine(core);
    assert.is(used(), 2);
    assert.throws(() => new WasmFramingEngine(core), (e: unknown) => e instanceof RangeError && /slot/.test(String(e)));
    const events = engineEvents(one, [chunk('abcd', 'hi')]);
    assert.equal(events.map((e) => e.type), ['head', 'body', 'end']);
    assert.is(used(), 1, 'finish() gave the slot back');
    assert.is(one.slot, -1);
    assert.is(one.feed(chunk('abcd', 'x'), { onHead() {}, onBody() {}, onEnd() {}, onError() {} }), chunk('abcd', 'x').length);
    one.reset();
    assert.is(used(), 2);
    assert.equal(engineEvents(one, [chunk('efgh', null)]).map((e) => e.type), ['head', 'end']);
    one.free();
    two.free();
    two.free();
    assert.is(used(), 0);
    one.reset();
    assert.is(used(), 0, 'a freed engine stays freed');
  });

  pool(`${variant}: 10,000 concurrent streams, each with its own slot`, () => {
    const core = createCore(variant, { slots: 10_000 });
    const before = core.memory.buffer;
    const engines = Array.from({ length: 10_000 }, () => new WasmFramingEngine(core));
    assert.is(core.exports.msrp_slots_used(), 10_000);
    assert.throws(() => new WasmFramingEngine(core), RangeError);
    // interleave: every engine sees half a chunk, then the other half
    const inputs = engines.map((_, i) => chunk(`t${String(i).padStart(5, '0')}`, `body ${i}`));
    const seen = engines.map(() => [] as string[]);
    const sink = (i: number): FramingSink => ({
      onHead: (h) => { seen[i].push(h.transactionId); },
      onBody: (b) => { seen[i].push(b.toString()); },
      onEnd: (f) => { seen[i].push(String.fromCharCode(f)); },
      onError: (e) => { seen[i].push(`error ${e.code}`); },
    });
    for (let i = 0; i < engines.length; i++) engines[i].feed(inputs[i].subarray(0, 30), sink(i));
    for (let i = 0; i < engines.length; i++) engines[i].feed(inputs[i].subarray(30), sink(i));
    for (let i = 0; i < engines.length; i++) {
      assert.equal(seen[i], [`t${String(i).padStart(5, '0')}`, `body ${i}`, '$'], `stream ${i}`);
      engines[i].free();
    }
    assert.is(core.exports.msrp_slots_used(), 0);
    assert.is(core.memory.buffer, before, 'memory did not grow');
  });
}

pool.run();

const adapter = suite('wasm core: window, event table, nesting');

function withCore(variant: CoreVariant, sizes: Parameters<typeof createCore>[1], fn: (core: CoreInstance) => void): void {
  fn(createCore(variant, sizes));
}

for (const variant of VARIANTS) {
  adapter(`${variant}: feeds larger than the window go through in several passes`, () => {
    withCore(variant, { slots: 2, window: 64 }, (core) => {
      const input = Buffer.concat([chunk('abcd', 'x'.repeat(500)), chunk('efgh', null),
        chunk('ijkl', 'y\r\n-------ijkl'.repeat(20))]);
      for (const size of [input.length, 100, 64, 63, 7]) {
        assert.equal(engineEvents(new WasmFramingEngine(core), splitEvery(input, size)), referenceEvents(input), `${size}`);
      }
      assert.is(core.exports.msrp_slots_used(), 0);
    });
  });

  adapter(`${variant}: a long head fed an octet at a time is kept and decoded whole`, () => {
    const core = loadCore(variant) as CoreInstance;
    const values = Array.from({ length: 40 }, (_, i) => `${'v'.repeat(300)}${i} \xc3\xa9`);
    const input = Buffer.from(`MSRP long1 SEND\r\n${values.map((v, i) => `X-H${i}: ${v}\r\n`).join('')}`
      + 'Content-Type: text/plain\r\n\r\nbody\r\n-------long1$\r\n', 'latin1');
    const pieces = Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
    const events = engineEvents(new WasmFramingEngine(core), pieces);
    assert.equal(events, referenceEvents(input));
    const head = events[0];
    assert.ok(head.type === 'head' && head.headers.length === 41 && head.headers[39][1].endsWith('39 é'));
  });

  adapter(`${variant}: a full event table pauses the core and the adapter resumes it`, () => {
    const core = loadCore(variant) as CoreInstance;
    // 80 octets of records per bodiless chunk of 30 octets: 64 KiB of them overflow 128 KiB of events
    const input = Buffer.concat(Array.from({ length: 2500 }, (_, i) => Buffer.from(
      `MSRP t${String(i).padStart(4, '0')} A\r\n-------t${String(i).padStart(4, '0')}$\r\n`)));
    const x = core.exports;
    const slot = x.msrp_alloc(100, 8, 1000, Infinity);
    core.bytes().set(input.subarray(0, core.inputSize), core.inputPtr);
    assert.is(x.msrp_feed(slot, 0, core.inputSize), FeedStatus.PAUSED);
    x.msrp_free(slot);
    const events = engineEvents(new WasmFramingEngine(core), [input]);
    assert.is(events.filter((e) => e.type === 'end').length, 2500);
    assert.equal(events, referenceEvents(input));
  });

  adapter(`${variant}: a sink may feed another engine of the same core`, () => {
    const core = loadCore(variant) as CoreInstance;
    const inner = new WasmFramingEngine(core);
    const innerLog: string[] = [];
    const innerSink: FramingSink = {
      onHead: (h) => { innerLog.push(`head ${h.transactionId}`); },
      onBody: (b) => { innerLog.push(`body ${b.toString()}`); },
      onEnd: () => { innerLog.push('end'); },
      onError: (e) => { innerLog.push(`error ${e.code}`); },
    };
    const outer = new WasmFramingEngine(core);
    const outerLog: string[] = [];
    const input = Buffer.concat([chunk('abcd', 'one'), chunk('efgh', 'two'), chunk('ijkl', null)]);
    outer.feed(input, {
      onHead: (h) => { outerLog.push(`head ${h.transactionId}`); },
      onBody: (b) => {
        outerLog.push(`body ${b.toString()}`);
        // relay-style: forward at once through another parser on the same core (records of
        // another shape, so an unsaved event table would be garbled)
        inner.feed(Buffer.from(`MSRP zz${b.toString()} SEND\r\nA: 1\r\nB: 2\r\nC: 3\r\n-------zz${b.toString()}$\r\n`), innerSink);
      },
      onEnd: () => { outerLog.push('end'); },
      onError: (e) => { outerLog.push(`error ${e.code}`); },
    });
    assert.equal(outerLog, ['head abcd', 'body one', 'end', 'head efgh', 'body two', 'end', 'head ijkl', 'end']);
    assert.equal(innerLog, ['head zzone', 'end', 'head zztwo', 'end']);
    inner.free();
    outer.free();
  });

  adapter(`${variant}: memory never grows after start`, () => {
    const core = createCore(variant, { slots: 8 });
    const buffer = core.memory.buffer;
    const big = chunk('abcd', 'z'.repeat(3 << 20));
    for (let k = 0; k < 3; k++) {
      const events = engineEvents(new WasmFramingEngine(core), splitEvery(big, 65536 + k));
      assert.equal(events.map((e) => e.type), ['head', 'body', 'end']);
      assert.is((events[1] as { data: string }).data.length, 3 << 20);
    }
    assert.is(core.memory.buffer, buffer);
    assert.is(core.memory.buffer.byteLength, buffer.byteLength);
  });
}

adapter.run();
