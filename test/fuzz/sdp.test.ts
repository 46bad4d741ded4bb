// Bounded, fixed-seed run of the SDP properties (fuzz/sdp.fuzz.ts).
import { sdpFuzzSuite } from '../../fuzz/sdp.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) sdpFuzzSuite();
