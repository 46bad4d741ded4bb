// Bounded, fixed-seed run of the RFC 4976 path properties (fuzz/use-path.fuzz.ts).
import { usePathFuzzSuite } from '../../fuzz/use-path.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) usePathFuzzSuite();
