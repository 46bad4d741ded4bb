// The parser battery (test/suites/parser.ts) on the plain TypeScript engine.
import { JsFramingEngine } from '../../src/core/js-engine.ts';
import { parserSuites } from '../suites/parser.ts';

parserSuites('js engine', (limits) => new JsFramingEngine(limits));
