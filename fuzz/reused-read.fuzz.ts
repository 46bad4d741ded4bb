/**
 * Reused read memory: a socket that reads into one buffer (sharedReadBuffer()
 * in src/core/, the wasm core's input window) overwrites every read's octets
 * with the next read's, of any socket in the process. A ChunkParser fed that
 * way, exactly as MsrpConnection.push feeds it (detach() after a push that
 * left it paused, resume() later), must report what it reports for the same
 * stream in fresh Buffers, whatever its handlers pause on: so nothing it or
 * its engine keeps behind a pause, nor the bodies it gathers for onChunk, may
 * be a view of that buffer. The buffer is filled with garbage before every
 * read and while the parser is paused (other sockets reading meanwhile).
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { createFramingEngine, sharedReadBuffer } from '../src/core/index.ts';
import { JsFramingEngine } from '../src/core/js-engine.ts';
import { createCore } from '../src/core/wasm.ts';
import { WasmFramingEngine } from '../src/core/wasm-engine.ts';
import { ChunkParser } from '../src/protocol/chunk-parser.ts';
import { noisyStreamArb } from './arbitraries/streamArb.ts';
import type { MakeEngine } from './engine-events.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

/** What a parser reported, as plain records (bodies as latin1 text: copies, as the contract asks of a handler). */
type Reported =
  | { type: 'head'; transactionId: string; method: string | null; code: number; comment: string | null; headers: string; body: boolean }
  | { type: 'body'; data: string }
  | { type: 'end'; flag: string }
  | { type: 'chunk'; body: string | null }
  | { type: 'error'; code: string; statusCode: number; fatal: boolean; offset: number; transactionId: string | null };

/** Where reads land, and the engine that parses them. */
export interface ReadSetup {
  /** the memory every read is written into (the same each time) */
  buffer: () => Buffer;
  makeEngine: MakeEngine;
}

/** What fills the buffer between reads: octets a retained view must not show (CRLF and dashes, to look like framing). */
const GARBAGE = Buffer.from('\r\n-------\xee\xee', 'latin1');

/**
 * The events of a ChunkParser over `pieces`; its handlers return false when
 * `pauses` says so (the next value, cyclically, is 0). Without `buffer` each
 * piece goes in as a fresh Buffer; with it, each is written into `buffer`
 * first and pushed as a view of it, and whenever the parser is paused the
 * next value of `pauses` says whether the next read arrives anyway (0) or the
 * parser is resumed.
 */
function reported(setup: ReadSetup, input: Buffer, sizes: number[], wholeChunkLimit: number, pauses: number[],
  reused: boolean): Reported[] {
  const events: Reported[] = [];
  let step = 0;
  const go = (): boolean => !reused || pauses[step++ % pauses.length] !== 0;
  const parser = new ChunkParser({
    engine: setup.makeEngine,
    wholeChunkLimit,
    onHead: (c) => {
      events.push({ type: 'head', transactionId: c.transactionId, method: c.method, code: c.code, comment: c.comment,
        headers: JSON.stringify(c.headers), body: c.body !== undefined });
      return go();
    },
    onBody: (segment) => {
      const last = events[events.length - 1];
      if (last?.type === 'body') last.data += segment.toString('latin1');
      else events.push({ type: 'body', data: segment.toString('latin1') });
      return go();
    },
    onEnd: (c) => {
      events.push({ type: 'end', flag: c.continuationFlag });
      return go();
    },
    onChunk: (c) => {
      events.push({ type: 'chunk', body: c.body?.toString('latin1') ?? null });
      return go();
    },
    onError: (e) => {
      events.push({ type: 'error', code: e.code, statusCode: e.statusCode, fatal: e.fatal, offset: e.offset,
        transactionId: e.transactionId });
    },
  });
  const buffer = reused ? setup.buffer() : null;
  let at = 0;
  let read = 0;
  /** the next read: into the buffer (garbage around it), pushed as MsrpConnection.push does */
  const readNext = (): void => {
    const n = Math.min(sizes[read++ % sizes.length], input.length - at, buffer?.length ?? Infinity);
    let data: Buffer;
    if (buffer === null) data = Buffer.from(input.subarray(at, at + n));
    else {
      buffer.fill(GARBAGE);
      input.copy(buffer, 0, at, at + n);
      data = buffer.subarray(0, n);
    }
    at += n;
    parser.push(data);
    if (parser.isPaused) parser.detach();
  };
  /** a paused parser: other sockets read into the buffer, maybe this one too, then MsrpConnection.resume */
  const whilePaused = (): void => {
    (buffer as Buffer).fill(GARBAGE);
    if (at < input.length && pauses[step++ % pauses.length] === 0) readNext();
    else parser.resume();
  };
  let turns = 0;
  const guard = (): void => {
    if (++turns > 100_000) throw new Error('the parser makes no progress');
  };
  while (at < input.length) {
    guard();
    if (parser.isPaused) whilePaused();
    else readNext();
  }
  while (parser.isPaused) {
    guard();
    whilePaused();
  }
  parser.finish();
  while (parser.isPaused) {
    guard();
    whilePaused();
  }
  return events;
}

/** The properties, by sentence, for reads into `setup.buffer()` parsed by `setup.makeEngine`. */
export function reusedReadProperties(setup: ReadSetup): Record<string, AnyProperty> {
  return {
    'reads into one reused buffer, paused anywhere and detached, give the events of fresh Buffers': fc.property(
      noisyStreamArb, fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 16 }), fc.constantFrom(0, 64, Infinity),
      (input, sizes, pauses, wholeChunkLimit) => {
        const want = JSON.stringify(reported(setup, input, [input.length + 1], wholeChunkLimit, pauses, false));
        const got = JSON.stringify(reported(setup, input, sizes, wholeChunkLimit, pauses, true));
        if (got !== want) throw new Error(`reused buffer:\n${got}\n!=\n${want}`);
      }),
  };
}

/**
 * The setups: the default engine reading into the real sharedReadBuffer() and
 * into a Buffer of its own, a small-window core into its window, js into a Buffer.
 */
export function readSetups(): Array<[label: string, setup: ReadSetup]> {
  const small = createCore('baseline', { slots: 64, window: 97 });
  const plain = Buffer.allocUnsafeSlow(4096);
  return [
    // the wasm engine skips its copy into the window for these reads (a read lands where the core scans)
    ['default engine, sharedReadBuffer()', { buffer: sharedReadBuffer, makeEngine: (limits) => createFramingEngine(limits) }],
    // reads outside the window: copied into it, or with the native accelerator handed on where they lie
    ['default engine, one reused Buffer', { buffer: () => plain, makeEngine: (limits) => createFramingEngine(limits) }],
    ['wasm baseline, 97-octet window read into', {
      buffer: () => small.bytes().subarray(small.inputPtr, small.inputPtr + small.inputSize),
      makeEngine: (limits) => new WasmFramingEngine(small, limits),
    }],
    ['js engine, one reused Buffer', { buffer: () => plain, makeEngine: (limits) => new JsFramingEngine(limits) }],
  ];
}

/** Runs every property as a uvu test, for each setup. */
export function reusedReadFuzzSuite(numRuns = 300): void {
  const s = suite(`reused read memory: properties${FUZZ_LONG ? ' (long)' : ''}`);
  for (const [label, setup] of readSetups()) {
    for (const [name, property] of Object.entries(reusedReadProperties(setup))) {
      s(`${label}: ${name}`, () => checkProperty(name, property, numRuns));
    }
  }
  s.run();
}

if (FUZZ_LONG) reusedReadFuzzSuite();
