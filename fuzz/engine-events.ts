/**
 * Runs a FramingEngine over a stream cut into pieces and records what it
 * reports as normalized events (fuzz/reference-parser.ts `RefEvent`), so that
 * engines, splits and the reference model can be compared with one deepEqual.
 */
import { ErrorCodeName } from '../src/core/constants.ts';
import type { FramingEngine, FramingLimits, FramingSink, RawHead } from '../src/core/types.ts';
import type { RefEvent } from './reference-parser.ts';

/** Makes a fresh engine enforcing `limits` (defaults when omitted). */
export type MakeEngine = (limits?: FramingLimits) => FramingEngine;

/** How the recording sink behaves. */
export interface RunOptions {
  /** pause (return false) after every head, body and end event, then feed the rest again */
  pause?: boolean;
  /** called with every body segment and the piece being fed (to check segments are views) */
  onSegment?: (segment: Buffer, piece: Buffer) => void;
}

/** The pieces of `input` cut at the given offsets (sorted, duplicates allowed). */
export function splitAt(input: Buffer, cuts: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const at = Math.min(Math.max(cut, from), input.length);
    pieces.push(input.subarray(from, at));
    from = at;
  }
  pieces.push(input.subarray(from));
  return pieces;
}

/** The pieces of `input`, `size` octets each (the last may be shorter). */
export function splitEvery(input: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < input.length; at += size) pieces.push(input.subarray(at, at + size));
  return pieces;
}

/**
 * Feeds every piece (again from where it paused, when the sink paused), then
 * finish(); returns the events. Throws when a feed stops short without having
 * reported anything (no progress) or returns an impossible count.
 */
export function engineEvents(engine: FramingEngine, pieces: Buffer[], options: RunOptions = {}): RefEvent[] {
  const events: RefEvent[] = [];
  let piece: Buffer = Buffer.alloc(0);
  // what head/body/end return: false pauses the engine
  const goOn = options.pause !== true;
  let calls = 0;
  const sink: FramingSink = {
    onHead(head: RawHead) {
      events.push({
        type: 'head', transactionId: head.transactionId, method: head.method, code: head.code,
        comment: head.comment, headers: head.names.map((n, i) => [n, head.values[i]]), ids: [...head.ids],
        hasBody: head.hasBody, offset: head.offset,
      });
      calls++;
      return goOn;
    },
    onBody(segment: Buffer) {
      options.onSegment?.(segment, piece);
      const last = events[events.length - 1];
      if (last?.type === 'body') last.data += segment.toString('latin1');
      else events.push({ type: 'body', data: segment.toString('latin1') });
      calls++;
      return goOn;
    },
    onEnd(flag: number) {
      events.push({ type: 'end', flag: String.fromCharCode(flag) });
      calls++;
      return goOn;
    },
    onError(e) {
      calls++;
      events.push({ type: 'error', code: ErrorCodeName[e.code] ?? String(e.code), statusCode: e.statusCode,
        fatal: e.fatal, offset: e.offset, transactionId: e.transactionId });
    },
  };
  for (const whole of pieces) {
    piece = whole;
    for (;;) {
      const before = calls;
      const consumed = engine.feed(piece, sink);
      if (!Number.isInteger(consumed) || consumed < 0 || consumed > piece.length) {
        throw new Error(`feed returned ${consumed} for ${piece.length} octets`);
      }
      if (consumed === piece.length) break;
      if (calls === before) {
        throw new Error(`feed consumed ${consumed} of ${piece.length} octets and reported nothing`);
      }
      piece = piece.subarray(consumed);
    }
  }
  engine.finish(sink);
  return events;
}
