// The parser battery (test/suites/parser.ts) on the SIMD WebAssembly core.
import { loadCore } from '../../src/core/wasm.ts';
import { WasmFramingEngine } from '../../src/core/wasm-engine.ts';
import { parserSuites } from '../suites/parser.ts';

const core = loadCore('simd');
if (core === null) throw new Error('the SIMD wasm core did not load');
parserSuites('wasm SIMD engine', (limits) => new WasmFramingEngine(core, limits));
