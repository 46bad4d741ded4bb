/**
 * Waiting in tests for something to happen, without a fixed sleep: a sleep
 * long enough on a quiet machine is too short on a loaded one.
 */

/** Resolves once `check` holds, polling every 5 ms; rejects after `ms` naming `what`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
