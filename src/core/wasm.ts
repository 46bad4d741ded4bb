/**
 * The WebAssembly core loader: the one place that compiles and instantiates
 * the core (assembly/, built by scripts/build-wasm.mjs into a baseline and a
 * SIMD binary embedded in wasm-binaries.generated.ts). Each variant is compiled
 * lazily, once per process, and initialised at once with its fixed pools
 * (configureCore), so its memory grows at start and never afterwards.
 *
 * The SIMD build is preferred where the runtime validates it; the environment
 * variable MSRP_NO_WASM_SIMD forces the baseline build. Modelled on undici's
 * lazy llhttp loading.
 */
import type { RangeExports } from './range-types.ts';
import { baselineWasm, simdWasm } from './wasm-binaries.generated.ts';

/** The two builds of the core. */
export type CoreVariant = 'simd' | 'baseline';

/** The framing exports of assembly/index.ts (numbers only). */
export interface FramingExports {
  memory: WebAssembly.Memory;
  msrp_init(slots: number, maxHeaders: number, window: number): number;
  msrp_input_ptr(): number;
  msrp_input_size(): number;
  msrp_result_ptr(): number;
  msrp_events_ptr(): number;
  msrp_simd(): number;
  msrp_alloc(maxLine: number, maxHeaders: number, maxHead: number, maxBody: number): number;
  msrp_free(slot: number): number;
  msrp_feed(slot: number, offset: number, length: number): number;
  msrp_finish(slot: number): number;
  msrp_reset(slot: number): number;
  msrp_dead(slot: number): number;
  msrp_slots_used(): number;
  msrp_slot_count(): number;
  msrp_header_capacity(): number;
  msrp_tid_max(): number;
  msrp_body_room(slot: number): number;
  msrp_body_advance(slot: number, n: number): number;
  msrp_needle_ptr(slot: number): number;
  msrp_needle_length(slot: number): number;
}

/** Everything one core instance exports: framing and the Byte-Range tracker (ranges.ts). */
export type CoreExports = FramingExports & RangeExports;

/** Sizes of the fixed pools, chosen before the first load. */
export interface CoreOptions {
  /** parser slots: concurrent framing streams (one per connection direction) */
  slots?: number;
  /** header entries each slot holds: the highest maxHeaders an engine can ask for */
  maxHeaders?: number;
  /** octets of the input window a feed is copied into (larger feeds go in several passes) */
  window?: number;
}

/** 16384 slots (a relay's 10,000 connections fit), 64 headers, a 64 KiB window. */
export const DEFAULT_CORE_OPTIONS: Readonly<Required<CoreOptions>> = Object.freeze({
  slots: 16384,
  maxHeaders: 64,
  window: 65536,
});

/** One loaded core: its exports, fixed addresses and memory views. */
export interface CoreInstance {
  readonly variant: CoreVariant;
  readonly exports: CoreExports;
  readonly memory: WebAssembly.Memory;
  readonly options: Readonly<Required<CoreOptions>>;
  /** address and size of the input window */
  readonly inputPtr: number;
  readonly inputSize: number;
  /** address of the result words and of the event table (assembly/events.ts) */
  readonly resultPtr: number;
  readonly eventsPtr: number;
  /** octets of memory, rebuilt if memory.buffer ever changes */
  bytes(): Buffer;
  /** the same memory as a DataView */
  view(): DataView;
}

let options: Required<CoreOptions> = { ...DEFAULT_CORE_OPTIONS };
const loaded = new Map<CoreVariant, CoreInstance | null>();
const failures = new Map<CoreVariant, unknown>();

function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/**
 * Sets the pool sizes. Must come before the first loadCore(); a RangeError
 * afterwards (the pools are carved once).
 */
export function configureCore(next: CoreOptions): void {
  if (loaded.size > 0) throw new RangeError('configureCore() must be called before the core is loaded');
  const merged = { ...options, ...next };
  for (const [key, value] of Object.entries(merged)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer, got ${value}`);
  }
  if (merged.window < 64) throw new RangeError(`window must be at least 64 octets, got ${merged.window}`);
  options = merged;
}

let simdChecked: boolean | undefined;

/** True when this runtime validates the SIMD build. */
export function simdSupported(): boolean {
  if (simdChecked === undefined) {
    try {
      simdChecked = typeof WebAssembly === 'object' && WebAssembly.validate(simdWasm());
    } catch {
      simdChecked = false;
    }
  }
  return simdChecked;
}

/** The variant loadCore() picks by default: SIMD when supported, unless MSRP_NO_WASM_SIMD is set. */
export function preferredVariant(): CoreVariant {
  const off = env('MSRP_NO_WASM_SIMD');
  const forced = off !== undefined && off !== '' && off !== '0';
  return forced || !simdSupported() ? 'baseline' : 'simd';
}

/**
 * The core, compiled and initialised on first use (one instance per variant
 * per process). Null when it cannot be loaded here (no WebAssembly, or a
 * failed compile or init); loadFailure() then tells why.
 */
export function loadCore(variant: CoreVariant = preferredVariant()): CoreInstance | null {
  const cached = loaded.get(variant);
  if (cached !== undefined) return cached;
  let core: CoreInstance | null = null;
  try {
    core = createCore(variant, options);
  } catch (err) {
    failures.set(variant, err);
  }
  loaded.set(variant, core);
  return core;
}

/** Why loadCore(variant) returned null, if it did. */
export function loadFailure(variant: CoreVariant): unknown {
  return failures.get(variant);
}

const modules = new Map<CoreVariant, WebAssembly.Module>();

/**
 * A new, separate instance of the core with its own pools (loadCore() keeps
 * one per process; tests use this for a fresh pool or a small window).
 * Throws when WebAssembly or the variant is unavailable.
 */
export function createCore(variant: CoreVariant, sizes: CoreOptions = {}): CoreInstance {
  if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available');
  const o = { ...DEFAULT_CORE_OPTIONS, ...sizes };
  let module = modules.get(variant);
  if (module === undefined) {
    module = new WebAssembly.Module(variant === 'simd' ? simdWasm() : baselineWasm());
    modules.set(variant, module);
  }
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as CoreExports;
  const status = exports.msrp_init(o.slots, o.maxHeaders, o.window);
  if (status !== 0) throw new Error(`msrp_init failed with status ${status} for ${JSON.stringify(o)}`);
  const memory = exports.memory;
  let bytes = Buffer.alloc(0);
  let view = new DataView(new ArrayBuffer(0));
  // a grown memory detaches the old ArrayBuffer, whose views then read as empty:
  // checking that costs a field load where `memory.buffer` is a ~35 ns getter, four times a feed
  const refresh = (): void => {
    if (bytes.length === 0) {
      const buffer = memory.buffer;
      bytes = Buffer.from(buffer);
      view = new DataView(buffer);
    }
  };
  return {
    variant,
    exports,
    memory,
    options: Object.freeze(o),
    inputPtr: exports.msrp_input_ptr(),
    inputSize: exports.msrp_input_size(),
    resultPtr: exports.msrp_result_ptr(),
    eventsPtr: exports.msrp_events_ptr(),
    bytes() { refresh(); return bytes; },
    view() { refresh(); return view; },
  };
}
