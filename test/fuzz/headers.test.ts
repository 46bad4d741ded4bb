// Bounded, fixed-seed run of the header codec properties (fuzz/headers.fuzz.ts).
import { headerFuzzSuite } from '../../fuzz/headers.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) headerFuzzSuite();
