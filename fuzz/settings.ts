/**
 * How long properties run. `npm test` runs each with a fixed seed and a
 * bounded number of runs; with MSRP_FUZZ_LONG=1 (`npm run fuzz`) they run
 * many more times from a fresh seed (or MSRP_FUZZ_SEED), printed on failure
 * so the run can be replayed.
 */
import fc from 'fast-check';

/** Any property: the table of a property file holds properties over different value types. */
export type AnyProperty = fc.IRawProperty<any>;

/** True when long random runs were asked for. */
export const FUZZ_LONG = process.env.MSRP_FUZZ_LONG === '1';

/** Checks `property`: `numRuns` runs at seed 42, or 100 times as many from a fresh seed when FUZZ_LONG. */
export function checkProperty<T>(name: string, property: fc.IRawProperty<T>, numRuns = 200): void {
  if (!FUZZ_LONG) {
    fc.assert(property, { seed: 42, numRuns });
    return;
  }
  const seed = process.env.MSRP_FUZZ_SEED ? Number(process.env.MSRP_FUZZ_SEED) : Date.now() % 2 ** 31;
  try {
    fc.assert(property, { seed, numRuns: numRuns * 100 });
  } catch (err) {
    console.error(`property "${name}" failed with seed ${seed} (replay: MSRP_FUZZ_SEED=${seed})`);
    throw err;
  }
}

/** `checkProperty` for a property built with fc.asyncProperty. */
export async function checkAsyncProperty<T>(name: string, property: fc.IAsyncProperty<T>, numRuns = 200): Promise<void> {
  const seed = !FUZZ_LONG ? 42 : process.env.MSRP_FUZZ_SEED ? Number(process.env.MSRP_FUZZ_SEED) : Date.now() % 2 ** 31;
  await fc.assert(property, { seed, numRuns: FUZZ_LONG ? numRuns * 100 : numRuns }).catch((err: unknown) => {
    if (FUZZ_LONG) console.error(`property "${name}" failed with seed ${seed} (replay: MSRP_FUZZ_SEED=${seed})`);
    throw err;
  });
}
