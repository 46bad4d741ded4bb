// Bounded, fixed-seed run of fuzz/native.fuzz.ts: the native accelerator's searches against their models.
import { nativeFuzzSuite } from '../../fuzz/native.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) nativeFuzzSuite();
