// Bounded, fixed-seed run of fuzz/bytes.fuzz.ts on the plain TypeScript engine.
import { bytesFuzzSuite } from '../../fuzz/bytes.fuzz.ts';
import { FUZZ_LONG } from '../../fuzz/settings.ts';
import { JsFramingEngine } from '../../src/core/js-engine.ts';

// with MSRP_FUZZ_LONG=1 importing the property file has already run them
if (!FUZZ_LONG) bytesFuzzSuite('js engine', (limits) => new JsFramingEngine(limits));
