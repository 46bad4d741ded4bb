// Bounded, fixed-seed run of the Chunk round-trip properties (fuzz/chunk.fuzz.ts).
import { chunkFuzzSuite } from '../../fuzz/chunk.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) chunkFuzzSuite();
