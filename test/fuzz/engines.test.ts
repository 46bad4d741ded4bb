// Bounded, fixed-seed runs of the wasm engine properties (fuzz/engines.fuzz.ts),
// and of the engine-parameterised split and hostile-bytes properties
// (fuzz/split.fuzz.ts, fuzz/bytes.fuzz.ts) on both wasm builds.
import { bytesFuzzSuite } from '../../fuzz/bytes.fuzz.ts';
import { enginesFuzzSuite } from '../../fuzz/engines.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';
import { splitFuzzSuite } from '../../fuzz/split.fuzz.ts';
import { type CoreInstance, loadCore } from '../../src/core/wasm.ts';
import { WasmFramingEngine } from '../../src/core/wasm-engine.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) {
  enginesFuzzSuite();
  for (const variant of ['baseline', 'simd'] as const) {
    const core = loadCore(variant) as CoreInstance;
    splitFuzzSuite(`wasm ${variant} engine`, (limits) => new WasmFramingEngine(core, limits), 200);
    bytesFuzzSuite(`wasm ${variant} engine`, (limits) => new WasmFramingEngine(core, limits), 300);
  }
}
