import { JsRangeTracker } from '../../src/core/js-ranges.ts';
import { rangeTrackerSuites } from '../suites/ranges.ts';

rangeTrackerSuites('JsRangeTracker', (o) => new JsRangeTracker(o));
