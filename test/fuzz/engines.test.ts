// Bounded, fixed-seed runs of the wasm engine properties (fuzz/engines.fuzz.ts),
// and of the engine-parameterised split and hostile-bytes properties
// (fuzz/split.fuzz.ts, fuzz/bytes.fuzz.ts) on both wasm builds.
import { enginesFuzzSuite, wasmSplitAndBytesSuites } from '../../fuzz/engines.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) {
  enginesFuzzSuite();
  wasmSplitAndBytesSuites(200, 300);
}
