/**
 * @module origin/circuit-breaker
 * A per-origin circuit breaker as a pure state machine: time comes in as `now`, nothing is
 * scheduled. Closed, it counts consecutive failures and opens at `failureThreshold`. Open, it
 * refuses every request until `coolDownMs` has passed, then turns half-open and lets exactly one
 * probe through: the probe's success closes it, its failure opens it again for another
 * cool-down. A probe that never reports back (its request vanished) is replaced by a new one
 * after another cool-down, so the breaker cannot stick half-open.
 * @see https://martinfowler.com/bliki/CircuitBreaker.html
 * @see origin/resilient.ts, which drives it around each origin attempt
 */

export interface BreakerOptions {
  /** Consecutive failures that open the breaker (at least 1). */
  failureThreshold: number
  /** How long the breaker stays open before one probe may pass, in milliseconds. */
  coolDownMs: number
}

export type BreakerState =
  | { kind: 'closed'; failures: number }
  | { kind: 'open'; openedAt: number }
  /** `probeSince` is when the probe in flight was admitted, undefined while none is. */
  | { kind: 'half-open'; probeSince: number | undefined }

/** What an attempt proved about the origin. 'neutral' proves nothing (e.g. a bad path). */
export type BreakerOutcome = 'success' | 'failure' | 'neutral'

export type Admission =
  | { admitted: true; state: BreakerState; probe: boolean }
  | { admitted: false; state: BreakerState; retryAfterMs: number }

export const CLOSED: BreakerState = { kind: 'closed', failures: 0 }

/**
 * May a request go to the origin now?
 * @param state the current state
 * @param now the current time in ms
 * @param options threshold and cool-down
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
 * @param options threshold and cool-down
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
      if (outcome === 'success') return state.failures === 0 ? state : CLOSED
      if (outcome === 'neutral') return state
      const failures = state.failures + 1
      return failures >= options.failureThreshold
        ? { kind: 'open', openedAt: now }
        : { kind: 'closed', failures }
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
