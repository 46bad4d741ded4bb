// The parser battery (test/suites/parser.ts) on the baseline WebAssembly core.
import { loadCore } from '../../src/core/wasm.ts';
import { WasmFramingEngine } from '../../src/core/wasm-engine.ts';
import { parserSuites } from '../suites/parser.ts';

const core = loadCore('baseline');
if (core === null) throw new Error('the baseline wasm core did not load');
parserSuites('wasm baseline engine', (limits) => new WasmFramingEngine(core, limits));
