// Bounded, fixed-seed run of the MsrpUri properties (fuzz/uri.fuzz.ts).
import { uriFuzzSuite } from '../../fuzz/uri.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) uriFuzzSuite();
