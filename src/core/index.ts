/**
 * The one place the default framing engine is chosen. Everything above
 * src/core/ asks for an engine here and never names an implementation.
 */
import { JsFramingEngine } from './js-engine.ts';
import type { FramingEngine, FramingLimits } from './types.ts';

export type { FramingEngine, FramingLimits, FramingSink, RawError, RawHead } from './types.ts';
export { DEFAULT_LIMITS } from './types.ts';
export { ErrorCode, ErrorCodeName, Flag, HeaderId, HeaderIdName } from './constants.ts';
export { JsFramingEngine } from './js-engine.ts';

/** A new framing engine for one byte stream, enforcing `limits`. */
export function createFramingEngine(limits: FramingLimits = {}): FramingEngine {
  return new JsFramingEngine(limits);
}
