// Bounded, fixed-seed run of the reassembly model properties (fuzz/reassembly.fuzz.ts).
import { reassemblyFuzzSuite } from '../../fuzz/reassembly.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) reassemblyFuzzSuite();
