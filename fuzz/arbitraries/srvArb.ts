/**
 * SRV record sets (RFC 2782) for the relay SRV ordering properties: a few
 * priorities, weights including 0, targets that may be "." (service not offered).
 */
import type { SrvRecord } from 'node:dns';
import fc from 'fast-check';

/** One SRV record. */
export const srvRecordArb: fc.Arbitrary<SrvRecord> = fc.record({
  name: fc.constantFrom('a.relay.test', 'b.relay.test', 'c.relay.test', '.', 'd.relay.test.'),
  port: fc.integer({ min: 1, max: 65535 }),
  priority: fc.integer({ min: 0, max: 3 }),
  weight: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 65535 })),
});

/** An answer to an SRV query: up to 12 records. */
export const srvRecordsArb = fc.array(srvRecordArb, { maxLength: 12 });

/** A random() stand-in: a fixed sequence of numbers in [0, 1), repeated. */
export const randomSequenceArb = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 16 })
  .map((values) => {
    let i = 0;
    return () => values[i++ % values.length];
  });
