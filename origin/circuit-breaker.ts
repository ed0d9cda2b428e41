/**
 * @module origin/circuit-breaker
 * Passive health of one origin as a pure state machine: time comes in as `now`, nothing is
 * scheduled. Closed, it counts attempts and failures over a sliding window (`windowMs`, kept as
 * `WINDOW_BUCKETS` buckets) and opens once the window holds at least `minRequests` attempts of
 * which at least `errorRatio` failed, so a few failures among many successes never cut the origin
 * off, and a quiet origin is not judged on one or two answers (Envoy's outlier detection
 * `success_rate_minimum_hosts`/`request_volume`, nginx's `max_fails` within `fail_timeout`).
 * Open, it refuses every request until `coolDownMs` has passed, then turns half-open and lets
 * exactly one probe through: the probe's success closes it with an empty window, its failure
 * opens it again for another cool-down. A probe that never reports back (its request vanished) is
 * replaced by a new one after another cool-down, so the breaker cannot stick half-open.
 * What counts as a failure is decided by the caller (origin/resilient.ts `responseOutcome`).
 * @see https://martinfowler.com/bliki/CircuitBreaker.html
 * @see https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier
 * @see origin/resilient.ts, which drives it around each origin attempt
 */

export interface BreakerOptions {
  /** Share of failed attempts in the window (0 < r ≤ 1) that opens the breaker. */
  errorRatio: number
  /** Attempts the window must hold before its ratio can open the breaker (at least 1). */
  minRequests: number
  /** The sliding window, in milliseconds. */
  windowMs: number
  /** How long the breaker stays open before one probe may pass, in milliseconds. */
  coolDownMs: number
}

/** Attempts and failures counted in one slice of the window, which starts at `slice · bucketMs`. */
export interface WindowBucket {
  slice: number
  requests: number
  failures: number
}

export type BreakerState =
  | { kind: 'closed'; window: readonly WindowBucket[] }
  | { kind: 'open'; openedAt: number }
  /** `probeSince` is when the probe in flight was admitted, undefined while none is. */
  | { kind: 'half-open'; probeSince: number | undefined }

/** What an attempt proved about the origin. 'neutral' proves nothing (e.g. a bad path). */
export type BreakerOutcome = 'success' | 'failure' | 'neutral'

export type Admission =
  | { admitted: true; state: BreakerState; probe: boolean }
  | { admitted: false; state: BreakerState; retryAfterMs: number }

export const CLOSED: BreakerState = { kind: 'closed', window: [] }

/** The window is kept as this many buckets: it slides by a tenth of its length. */
export const WINDOW_BUCKETS = 10

/**
 * May a request go to the origin now?
 * @param state the current state
 * @param now the current time in ms
 * @param options window, thresholds and cool-down
 * @returns the admission and the state after it
 */
export function admit(state: BreakerState, now: number, options: BreakerOptions): Admission {
  switch (state.kind) {
    case 'closed':
      return { admitted: true, state, probe: false }
    case 'open': {
      const reopensAt = state.openedAt + options.coolDownMs
      if (now < reopensAt) return { admitted: false, state, retryAfterMs: reopensAt - now }
      return { admitted: true, state: { kind: 'half-open', probeSince: now }, probe: true }
    }
    case 'half-open': {
      const { probeSince } = state
      if (probeSince === undefined || now >= probeSince + options.coolDownMs) {
        return { admitted: true, state: { kind: 'half-open', probeSince: now }, probe: true }
      }
      return { admitted: false, state, retryAfterMs: probeSince + options.coolDownMs - now }
    }
  }
}

/**
 * Records how an admitted attempt went.
 * @param state the current state
 * @param probe whether the attempt was admitted as the half-open probe
 * @param outcome what the attempt proved
 * @param now the current time in ms
 * @param options window, thresholds and cool-down
 * @returns the next state
 */
export function settle(
  state: BreakerState,
  probe: boolean,
  outcome: BreakerOutcome,
  now: number,
  options: BreakerOptions
): BreakerState {
  switch (state.kind) {
    case 'closed': {
      if (outcome === 'neutral') return state
      const window = record(state.window, outcome === 'failure', now, options.windowMs)
      return tripped(window, options) ? { kind: 'open', openedAt: now } : { kind: 'closed', window }
    }
    // Late answers to requests admitted before the breaker opened change nothing.
    case 'open':
      return state
    case 'half-open': {
      // Only the probe decides; stragglers from the closed state do not.
      if (!probe) return state
      if (outcome === 'success') return CLOSED
      if (outcome === 'failure') return { kind: 'open', openedAt: now }
      return { kind: 'half-open', probeSince: undefined }
    }
  }
}

/**
 * Adds one attempt to the window, dropping buckets that slid out of it.
 * @returns a new window (the given one is not changed)
 */
export function record(
  window: readonly WindowBucket[],
  failed: boolean,
  now: number,
  windowMs: number
): WindowBucket[] {
  const bucketMs = Math.max(1, windowMs / WINDOW_BUCKETS)
  const slice = Math.floor(now / bucketMs)
  const kept = window.filter((b) => b.slice > slice - WINDOW_BUCKETS)
  const last = kept.at(-1)
  const failures = failed ? 1 : 0
  if (last?.slice === slice) {
    kept[kept.length - 1] = {
      slice,
      requests: last.requests + 1,
      failures: last.failures + failures,
    }
  } else {
    kept.push({ slice, requests: 1, failures })
  }
  return kept
}

/** Attempts and failures in a window. */
export function windowTotals(window: readonly WindowBucket[]): {
  requests: number
  failures: number
} {
  let requests = 0
  let failures = 0
  for (const bucket of window) {
    requests += bucket.requests
    failures += bucket.failures
  }
  return { requests, failures }
}

/** Does this window open the breaker: enough volume and a high enough error ratio? */
function tripped(window: readonly WindowBucket[], options: BreakerOptions): boolean {
  const { requests, failures } = windowTotals(window)
  return requests >= options.minRequests && failures / requests >= options.errorRatio
}

/** Seconds for `Retry-After`: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}

/**
 * One origin's breaker: the state machine above with its state held in memory (the tier
 * Durable Object keeps one per origin, so every PoP going through that shard shares it).
 */
export class CircuitBreaker {
  readonly options: BreakerOptions
  #state: BreakerState = CLOSED

  constructor(options: BreakerOptions) {
    this.options = options
  }

  get state(): BreakerState {
    return this.#state
  }

  /** @see admit */
  admit(now: number): Admission {
    const admission = admit(this.#state, now, this.options)
    this.#state = admission.state
    return admission
  }

  /** @see settle */
  settle(probe: boolean, outcome: BreakerOutcome, now: number): void {
    this.#state = settle(this.#state, probe, outcome, now, this.options)
  }
}
