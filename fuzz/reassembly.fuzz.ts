/**
 * Model-based property of MessageReassembler (and the Byte-Range tracker under
 * it, wasm and TypeScript): random messages cut into random chunks, shuffled,
 * duplicated, overlapped and aborted, reassemble to exactly what a plain model
 * (one boolean and one byte per position) says, or fail exactly where it says.
 *
 * The model is the rule set of RFC 4975 §7.3.1 as this library applies it:
 * a chunk covers [start-1, start-1+body length); the chunk ending in `$` sets
 * the total and drops what is held past it; other chunks are cut at a known
 * total; the last chunk received wins; `#` discards the message; a message
 * needing more byte ranges than maxIntervals, or one more message than
 * maxMessages, is stopped with 413 and so are its later chunks; a range that
 * cannot be tracked is answered 400 and changes nothing.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { Flag } from '../src/core/constants.ts';
import { JsRangeTracker, type RangeTracker, WasmRangeTracker } from '../src/core/ranges.ts';
import { loadCore } from '../src/core/wasm.ts';
import { MessageReassembler, type ReassemblySink } from '../src/protocol/reassembler.ts';
import { type ChunkStep, type ReassemblyScenario, reassemblyScenarioArb } from './arbitraries/messageArb.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

interface ModelMessage {
  held: boolean[];
  bytes: number[];
  total: number;
}

/** What the model expects of one chunk. */
interface Expected {
  status: number;
  newBytes: number;
  duplicateBytes: number;
  delivered: Buffer | null;
  failed: { reason: string; ranges: Array<{ start: number; end: number }> } | null;
}

/** Runs of true in `held`, as 1-based inclusive ranges. */
function runs(held: boolean[]): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < held.length; i++) {
    if (!held[i]) continue;
    const from = i;
    while (i + 1 < held.length && held[i + 1]) i++;
    out.push({ start: from + 1, end: i + 1 });
  }
  return out;
}

/** The reference: arrays of booleans and bytes per message. */
class Model {
  readonly messages = new Map<string, ModelMessage>();
  readonly stopped = new Set<string>();
  constructor(readonly maxMessages: number, readonly maxIntervals: number) {}

  step(c: ChunkStep): Expected {
    const none = (status: number): Expected => ({ status, newBytes: 0, duplicateBytes: 0, delivered: null, failed: null });
    const r = c.byteRange;
    const start = r ? r.start : 1;
    if (!Number.isSafeInteger(start) || start < 1 || (r && r.end !== '*' && r.end < start - 1)) return none(400);
    if (this.stopped.has(c.messageId)) return none(413);
    let m = this.messages.get(c.messageId);
    if (!m) {
      if (this.messages.size >= this.maxMessages) {
        this.stopped.add(c.messageId);
        return none(413);
      }
      m = { held: [], bytes: [], total: -1 };
      this.messages.set(c.messageId, m);
    }
    if (c.flag === Flag.ABORT) {
      this.messages.delete(c.messageId);
      return { ...none(200), failed: { reason: 'aborted', ranges: [] } };
    }
    const s = start - 1;
    let e = s + c.body.length;
    if (c.flag === Flag.END) {
      m.held.length = Math.min(m.held.length, e);
      m.total = e;
    } else if (m.total >= 0) {
      e = Math.min(e, m.total);
    }
    const after = m.held.slice();
    for (let i = s; i < e; i++) after[i] = true;
    for (let i = 0; i < after.length; i++) after[i] = after[i] === true;
    if (runs(after).length > this.maxIntervals) {
      this.messages.delete(c.messageId);
      this.stopped.add(c.messageId);
      return { ...none(413), failed: { reason: 'too-large', ranges: runs(m.held) } };
    }
    let fresh = 0;
    for (let i = s; i < e; i++) {
      if (!m.held[i]) fresh++;
      m.bytes[i] = c.body[i - s];
    }
    m.held = after;
    const out: Expected = { ...none(200), newBytes: fresh, duplicateBytes: Math.max(0, e - s) - fresh };
    if (m.total >= 0 && m.held.length === m.total && m.held.every(Boolean)) {
      this.messages.delete(c.messageId);
      out.delivered = Buffer.from(m.bytes.slice(0, m.total));
    }
    return out;
  }
}

/** A sink that keeps what it is given. */
class MemorySink implements ReassemblySink {
  bytes = Buffer.alloc(0);
  ended = -1;
  write(offset: number, data: Buffer): void {
    if (offset + data.length > this.bytes.length) {
      const grown = Buffer.alloc(offset + data.length);
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    data.copy(this.bytes, offset);
  }
  end(total: number): void { this.ended = total; }
  abort(): void { this.ended = -2; }
}

function fail(i: number, what: string, got: unknown, want: unknown): never {
  throw new Error(`step ${i}: ${what}: got ${JSON.stringify(got)}, model says ${JSON.stringify(want)}`);
}

/** Replays a scenario through a reassembler and the model side by side. */
function replay(s: ReassemblyScenario, tracker: RangeTracker): void {
  const model = new Model(s.maxMessages, s.maxIntervals);
  const r = new MessageReassembler<null>({
    tracker, inlineLimit: s.inlineLimit, maxBufferedBytes: s.maxBufferedBytes, expireMs: 0,
    createSink: () => new MemorySink(),
  });
  const events: string[] = [];
  let delivered: Buffer | null = null;
  let failed: { reason: string; ranges: unknown } | null = null;
  r.on('message', (msg) => {
    const bytes = msg.body ?? (msg.sink as MemorySink).bytes.subarray(0, msg.total);
    if (msg.sink && (msg.sink as MemorySink).ended !== msg.total) throw new Error('sink not ended at the total');
    delivered = Buffer.from(bytes);
  });
  r.on('failed', (f) => { failed = { reason: f.reason, ranges: f.ranges }; });
  s.steps.forEach((c, i) => {
    delivered = null;
    failed = null;
    const want = model.step(c);
    const chunk = r.begin(c.messageId, c.byteRange, null);
    const step = Math.max(1, Math.ceil(c.body.length / c.pieces));
    for (let at = 0; at < c.body.length; at += step) chunk.write(c.body.subarray(at, at + step));
    const got = chunk.end(c.flag);
    events.push(`${c.messageId} ${JSON.stringify(c.byteRange)} len=${c.body.length} ${String.fromCharCode(c.flag)} -> ${got.status}`);
    const gotCounts = [got.status, got.newBytes, got.duplicateBytes];
    const wantCounts = [want.status, want.newBytes, want.duplicateBytes];
    if (JSON.stringify(gotCounts) !== JSON.stringify(wantCounts)) fail(i, 'status/new/duplicate', gotCounts, wantCounts);
    const d = delivered as Buffer | null;
    if ((d === null) !== (want.delivered === null) || (d && !d.equals(want.delivered!))) {
      fail(i, `delivered (${events.join('; ')})`, d?.toString('hex'), want.delivered?.toString('hex'));
    }
    if (JSON.stringify(failed) !== JSON.stringify(want.failed)) fail(i, 'failure', failed, want.failed);
    if (r.bufferedBytes > s.maxBufferedBytes) fail(i, 'buffered bytes', r.bufferedBytes, `<= ${s.maxBufferedBytes}`);
  });
  // what is still in progress holds exactly the model's ranges
  for (const [id, m] of model.messages) {
    const held = r.ranges(id);
    if (JSON.stringify(held) !== JSON.stringify(runs(m.held))) fail(s.steps.length, `ranges of ${id}`, held, runs(m.held));
  }
  if (r.size !== model.messages.size) fail(s.steps.length, 'messages in progress', r.size, model.messages.size);
  r.close();
}

/** The properties, by sentence. */
export const reassemblyProperties: Record<string, AnyProperty> = {
  'chunks reassemble as the boolean-array model says (wasm tracker)': fc.property(reassemblyScenarioArb, (s) => {
    replay(s, new WasmRangeTracker(loadCore()!.exports, { maxMessages: s.maxMessages, maxIntervals: s.maxIntervals }));
  }),
  'chunks reassemble as the boolean-array model says (TypeScript tracker)': fc.property(reassemblyScenarioArb, (s) => {
    replay(s, new JsRangeTracker({ maxMessages: s.maxMessages, maxIntervals: s.maxIntervals }));
  }),
};

/** Runs every property as a uvu test. */
export function reassemblyFuzzSuite(): void {
  const s = suite(FUZZ_LONG ? 'reassembly properties (long)' : 'reassembly properties');
  for (const [name, property] of Object.entries(reassemblyProperties)) s(name, () => checkProperty(name, property, 1000));
  s.run();
}

if (FUZZ_LONG) reassemblyFuzzSuite();
