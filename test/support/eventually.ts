/**
 * @module eventually
 * Waiting for an event the test cannot observe directly (an analytics flush, a health probe, a
 * purge reaching a PoP) by polling for its effect. The wait ends as soon as the effect shows,
 * so the test is not slower than the system, and a deadline bounds it: a correctness wait,
 * never a timing assertion.
 */

export interface EventuallyOptions {
  /** How long to keep trying before answering false (default 30 s). */
  timeoutMs?: number
  /** Pause between tries (default 50 ms). */
  intervalMs?: number
}

/**
 * Calls `check` until it returns true or `timeoutMs` pass; the last try is after the deadline.
 * @param check whether the awaited effect has shown
 * @returns whether it did: assert on it, so a timeout fails the test where it waited
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 50 }: EventuallyOptions = {}
): Promise<boolean> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  return check()
}
