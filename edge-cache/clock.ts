/**
 * @module edge-cache/clock
 * The one source of "now" for the edge and the tier. Pure logic takes `now` as an argument;
 * the parts that do I/O (the edge request path, Durable Objects) hold a `Clock`, which tests
 * replace with a manual one (test/support/clock.ts) instead of sleeping.
 */

/** Milliseconds since the epoch, like `Date.now()`. */
export interface Clock {
  now(): number
}

/** The real clock. In workerd it advances only across I/O, which is what caching needs. */
export const systemClock: Clock = { now: () => Date.now() }
