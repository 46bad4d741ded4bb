/**
 * Arbitraries for reassembly: random messages cut into random chunks, with
 * every Byte-Range style RFC 4975 §7.1.1 allows (and the wrong totals its own
 * examples carry), interrupted chunks, duplicates, overlaps carrying other
 * bytes, `#` aborts and malformed ranges; all chunks of all messages shuffled
 * together (reordering inside a message, interleaving across messages).
 */
import fc from 'fast-check';
import { Flag } from '../../src/core/constants.ts';
import type { ByteRange } from '../../src/protocol/headers.ts';

/** One chunk as a session would feed it: head, body in `pieces` segments, end-line flag. */
export interface ChunkStep {
  messageId: string;
  /** null: the SEND had no Byte-Range (it starts at 1) */
  byteRange: ByteRange | null;
  body: Buffer;
  flag: number;
  pieces: number;
}

/** Reassembler caps and the chunk sequence. */
export interface ReassemblyScenario {
  maxMessages: number;
  maxIntervals: number;
  inlineLimit: number;
  maxBufferedBytes: number;
  steps: ChunkStep[];
}

/** How a chunk's Byte-Range is written. */
type RangeStyle = 'exact' | 'star-end' | 'star-total' | 'stars' | 'wrong' | 'none' | 'bad';

const styleArb: fc.Arbitrary<RangeStyle> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<RangeStyle>('exact', 'star-end', 'star-total', 'stars', 'wrong') },
  { weight: 1, arbitrary: fc.constantFrom<RangeStyle>('none', 'bad') },
);

/** The Byte-Range of a chunk carrying [s, s + length) of a `total`-octet message. */
function rangeOf(style: RangeStyle, s: number, length: number, total: number, skew: number): ByteRange | null {
  const start = s + 1;
  const end = s + length;
  switch (style) {
    case 'exact': return { start, end, total };
    case 'star-end': return { start, end: '*', total };
    case 'star-total': return { start, end, total: '*' };
    case 'stars': return { start, end: '*', total: '*' };
    // like RFC 4975 §4 Figure 2 (1-25/25 over 23 octets): off by `skew`, still end <= total
    case 'wrong': return { start, end: Math.max(start - 1, end + skew), total: Math.max(start - 1, end + skew, total + skew) };
    case 'none': return s === 0 ? null : { start, end, total };
    case 'bad': return skew % 2 === 0 ? { start: 0, end, total } : { start: start + 2, end: start, total: '*' };
  }
}

const chunkPlanArb = fc.record({
  style: styleArb,
  skew: fc.integer({ min: -3, max: 3 }),
  pieces: fc.integer({ min: 1, max: 3 }),
});

/** An extra chunk: a duplicate or overlap of [a, b), maybe with other bytes, maybe ending in `$`. */
const extraArb = fc.record({
  a: fc.nat(),
  b: fc.nat(),
  foreign: fc.boolean(),
  end: fc.boolean(),
  plan: chunkPlanArb,
});

/** `arb` one time in `oneIn`, else null. */
const sometimes = <T>(arb: fc.Arbitrary<T>, oneIn: number) =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const messagePlanArb = fc.record({
  // lengths spread evenly up to 96 (the default size would keep most bodies tiny)
  content: fc.integer({ min: 0, max: 96 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  cuts: fc.uniqueArray(fc.nat({ max: 95 }), { maxLength: 5, size: 'max' }),
  /** per regular chunk: interrupted after this share of its body (the rest follows as its own chunk) */
  interrupt: fc.array(sometimes(fc.double({ min: 0, max: 1, noNaN: true }), 3), { minLength: 6, maxLength: 6 }),
  plans: fc.array(chunkPlanArb, { minLength: 12, maxLength: 12 }),
  extras: fc.array(extraArb, { maxLength: 3 }),
  abort: sometimes(fc.record({ a: fc.nat(), length: fc.nat({ max: 8 }) }), 5),
});

type MessagePlan = typeof messagePlanArb extends fc.Arbitrary<infer T> ? T : never;

function stepsOf(id: string, p: MessagePlan): ChunkStep[] {
  const content = Buffer.from(p.content);
  const L = content.length;
  const cuts = [...new Set([0, ...p.cuts.filter((c) => c < L), L])].sort((x, y) => x - y);
  const pieces: Array<[number, number]> = [];
  for (let k = 0; k + 1 < cuts.length || (k === 0 && L === 0); k++) {
    const [a, b] = L === 0 ? [0, 0] : [cuts[k], cuts[k + 1]];
    const share = p.interrupt[k];
    // An interrupted chunk (RFC 4975 §7.1.1): its body stops early, the rest comes in the next one.
    const mid = share == null ? b : a + Math.floor((b - a) * share);
    if (mid > a && mid < b) pieces.push([a, mid], [mid, b]);
    else pieces.push([a, b]);
  }
  const steps: ChunkStep[] = [];
  const plan = (k: number) => p.plans[k % p.plans.length];
  pieces.forEach(([a, b], k) => {
    const { style, skew, pieces: n } = plan(k);
    steps.push({
      messageId: id, byteRange: rangeOf(style, a, b - a, L, skew), body: content.subarray(a, b),
      flag: b === L ? Flag.END : Flag.MORE, pieces: n,
    });
  });
  for (const x of p.extras) {
    const a = L === 0 ? 0 : x.a % (L + 1);
    const b = a + (L === 0 ? 0 : x.b % (L - a + 1));
    const body = x.foreign ? Buffer.alloc(b - a, 0x2a) : content.subarray(a, b);
    const flag = x.end && b === L ? Flag.END : x.end && x.foreign ? Flag.END : Flag.MORE;
    steps.push({ messageId: id, byteRange: rangeOf(x.plan.style, a, b - a, L, x.plan.skew), body, flag, pieces: x.plan.pieces });
  }
  if (p.abort) {
    const a = L === 0 ? 0 : p.abort.a % L;
    steps.push({
      messageId: id, byteRange: { start: a + 1, end: '*', total: '*' },
      body: Buffer.alloc(p.abort.length, 0x23), flag: Flag.ABORT, pieces: 1,
    });
  }
  return steps;
}

/** A scenario: 1 to 4 messages, their chunks shuffled together, and caps from tight to roomy. */
export const reassemblyScenarioArb: fc.Arbitrary<ReassemblyScenario> = fc.record({
  maxMessages: fc.integer({ min: 1, max: 5 }),
  maxIntervals: fc.integer({ min: 1, max: 8 }),
  inlineLimit: fc.integer({ min: 1, max: 128 }),
  maxBufferedBytes: fc.integer({ min: 1, max: 256 }),
  messages: fc.array(messagePlanArb, { minLength: 1, maxLength: 4 }),
}).chain(({ messages, ...caps }) => {
  const all = messages.flatMap((p, i) => stepsOf(`msg-${i}`, p));
  return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length })
    .map((steps) => ({ ...caps, steps }));
});
