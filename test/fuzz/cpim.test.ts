// Bounded, fixed-seed run of the CPIM properties (fuzz/cpim.fuzz.ts).
import { cpimFuzzSuite } from '../../fuzz/cpim.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) cpimFuzzSuite();
