// Bounded, fixed-seed run of the digest AUTH properties (fuzz/digest.fuzz.ts).
import { digestFuzzSuite } from '../../fuzz/digest.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) digestFuzzSuite();
