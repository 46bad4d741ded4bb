/**
 * Properties of the relay client's SRV ordering (src/connect/relay-options.ts
 * orderSrv, RFC 2782 as RFC 4976 §8 asks): whatever the records and the
 * random draws, every usable record is tried exactly once, lower priorities
 * first; "." targets are never tried; and records that all weigh 0 keep
 * their order within a priority.
 */
import { suite } from 'uvu';
import fc from 'fast-check';
import { orderSrv } from '../src/connect/relay-options.ts';
import { randomSequenceArb, srvRecordsArb } from './arbitraries/srvArb.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

/** The properties, by sentence. */
export const relaySrvProperties: Record<string, AnyProperty> = {
  'every usable record is tried once, by priority, and "." never': fc.property(srvRecordsArb, randomSequenceArb, (records, random) => {
    const ordered = orderSrv(records, random);
    const usable = records.filter((r) => r.name !== '.' && r.name !== '');
    if (ordered.length !== usable.length) throw new Error(`${ordered.length} of ${usable.length} usable records tried`);
    for (const r of usable) if (!ordered.includes(r)) throw new Error(`${r.name}:${r.port} never tried`);
    for (let i = 1; i < ordered.length; i++) {
      if (ordered[i].priority < ordered[i - 1].priority) throw new Error('a lower priority came later');
    }
  }),
  'all weights 0 keep the records of a priority in their given order (the draw picks the first)': fc.property(
    srvRecordsArb.map((rs) => rs.map((r) => ({ ...r, weight: 0 }))), randomSequenceArb, (records, random) => {
      const ordered = orderSrv(records, random);
      const expected = records.filter((r) => r.name !== '.').sort((a, b) => a.priority - b.priority);
      if (ordered.some((r, i) => r !== expected[i])) throw new Error('order changed among weight-0 records');
    }),
};

/** Runs every property as a uvu test. */
export function relaySrvFuzzSuite(): void {
  const s = suite(FUZZ_LONG ? 'relay SRV properties (long)' : 'relay SRV properties');
  for (const [name, property] of Object.entries(relaySrvProperties)) s(name, () => checkProperty(name, property, 300));
  s.run();
}

if (FUZZ_LONG) relaySrvFuzzSuite();
