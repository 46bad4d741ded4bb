// Bounded, fixed-seed run of fuzz/reused-read.fuzz.ts: reads into one reused buffer (the shared read window).
import { reusedReadFuzzSuite } from '../../fuzz/reused-read.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) reusedReadFuzzSuite();
