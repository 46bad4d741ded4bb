/**
 * The one place the default framing engine is chosen. Everything above
 * src/core/ asks for an engine here and never names an implementation.
 *
 * Default: the WebAssembly core (SIMD where supported, unless
 * MSRP_NO_WASM_SIMD is set), falling back to the TypeScript engine when wasm
 * cannot load, its slots are all taken or the limits do not fit its pools.
 * MSRP_ENGINE=js|wasm|wasm-simd picks one (wasm = the baseline build); a wasm
 * choice that cannot be had still falls back to js.
 */
import { JsFramingEngine } from './js-engine.ts';
import type { FramingEngine, FramingLimits } from './types.ts';
import { type CoreInstance, type CoreVariant, DEFAULT_CORE_OPTIONS, loadCore } from './wasm.ts';
import { WasmFramingEngine } from './wasm-engine.ts';

export type { FramingEngine, FramingLimits, FramingSink, RawError, RawHead } from './types.ts';
export { DEFAULT_LIMITS } from './types.ts';
export { ErrorCode, ErrorCodeName, Flag, HeaderId, HeaderIdName } from './constants.ts';
export { JsFramingEngine } from './js-engine.ts';
export { WasmFramingEngine } from './wasm-engine.ts';
export { configureCore, DEFAULT_CORE_OPTIONS, type CoreOptions } from './wasm.ts';
export { indexOfNeedle, loadNative, type NativeScan } from './native.ts';

/** The engines MSRP_ENGINE can name. */
export type EngineName = 'js' | 'wasm' | 'wasm-simd';

function chosenEngine(): EngineName | undefined {
  const name = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MSRP_ENGINE;
  if (name === undefined || name === '') return undefined;
  if (name !== 'js' && name !== 'wasm' && name !== 'wasm-simd') {
    throw new RangeError(`MSRP_ENGINE must be js, wasm or wasm-simd, got ${JSON.stringify(name)}`);
  }
  return name;
}

/** The core `engine` runs on (the preferred variant when unnamed), null for js or when it cannot load. */
function coreOf(engine: EngineName | undefined): CoreInstance | null {
  if (engine === 'js') return null;
  const variant: CoreVariant | undefined = engine === 'wasm' ? 'baseline' : engine === 'wasm-simd' ? 'simd' : undefined;
  return loadCore(variant);
}

/** A new framing engine for one byte stream, enforcing `limits` (see the module comment for the choice). */
export function createFramingEngine(limits: FramingLimits = {}, engine: EngineName | undefined = chosenEngine()): FramingEngine {
  const core = coreOf(engine);
  if (core !== null) {
    try {
      return new WasmFramingEngine(core, limits);
    } catch (err) {
      // no free slot, or more headers than the pool's entries: the TypeScript engine has no such bounds
      if (!(err instanceof RangeError)) throw err;
    }
  }
  return new JsFramingEngine(limits);
}

let plainReadBuffer: Buffer | null = null;

/**
 * One buffer the process's sockets may read into (net.Socket `onread`), reused
 * by every read: the default core's input window when the default engine is
 * wasm, so a read lands where the core scans it and the engine copies nothing
 * (the copy into wasm memory cost about as much as the scan); else a plain 64
 * KiB Buffer. What is read there is valid only until the next read: the
 * engine and ChunkParser copy what they hold of it behind a pause (detach()),
 * and body segments handed on are views valid only during their callback.
 */
export function sharedReadBuffer(): Buffer {
  const core = coreOf(chosenEngine());
  if (core !== null) return core.bytes().subarray(core.inputPtr, core.inputPtr + core.inputSize);
  plainReadBuffer ??= Buffer.allocUnsafeSlow(DEFAULT_CORE_OPTIONS.window);
  return plainReadBuffer;
}
