// Bounded, fixed-seed run of the relay SRV ordering properties (fuzz/relay-srv.fuzz.ts).
import { relaySrvFuzzSuite } from '../../fuzz/relay-srv.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) relaySrvFuzzSuite();
