// Bounded, fixed-seed run of fuzz/split.fuzz.ts on the plain TypeScript engine.
import { splitFuzzSuite } from '../../fuzz/split.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';
import { JsFramingEngine } from '../../src/core/js-engine.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) splitFuzzSuite('js engine', (limits) => new JsFramingEngine(limits));
