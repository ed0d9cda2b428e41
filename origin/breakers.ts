/**
 * @module origin/breakers
 * One circuit breaker per origin of a zone, held by whoever keeps state for a set of requests
 * (the tier Durable Object: every PoP whose requests reach that shard shares its breakers). An
 * origin is identified by its zone, its validated spec and the residency region whose bucket it
 * reads: a changed spec is a new origin with a fresh breaker, and another zone naming the same
 * origin has its own, so that neither its traffic nor its chaos drills open this zone's. Bounded:
 * the least recently used breaker goes first.
 * @see origin/circuit-breaker.ts
 * @see origin/resilient.ts
 */
import type { OriginSpec } from '../schemas/api/config'
import { type BreakerOptions, CircuitBreaker } from './circuit-breaker'
import {
  DEFAULT_FAILURE_STATUSES,
  DEFAULT_RESILIENCE,
  type ResilienceOptions,
  resilientOrigin,
} from './resilient'
import { regionalBucket } from './select'
import type { Origin } from './types'

/** How many origins' breakers one registry keeps. */
export const MAX_BREAKERS = 256

/** The breakers of one zone's origins (BreakerRegistry.forZone). */
export interface ZoneBreakers {
  /**
   * @param spec the origin
   * @param region the residency region whose bucket is read, if any
   * @returns the origin's breaker, created closed on first use
   */
  breakerFor(spec: OriginSpec, region: string | undefined): CircuitBreaker
  /**
   * Wraps an adapter with the retries its spec configures and its breaker.
   * @param origin the adapter `selectOrigin(spec, deps, region)` built
   */
  protect(origin: Origin, spec: OriginSpec, region: string | undefined): Origin
}

export class BreakerRegistry {
  readonly #breakers = new Map<string, CircuitBreaker>()
  readonly #limit: number
  readonly #now: (() => number) | undefined

  /**
   * @param limit how many origins' breakers to keep
   * @param now the clock the breakers run on (a tier shard's), default `Date.now`
   */
  constructor(limit = MAX_BREAKERS, now?: () => number) {
    this.#limit = limit
    this.#now = now
  }

  /**
   * @param zone the zone whose requests these are
   * @returns the breakers of that zone's origins
   */
  forZone(zone: string): ZoneBreakers {
    return {
      breakerFor: (spec, region) => this.#breakerFor(zone, spec, region),
      protect: (origin, spec, region) => this.#protect(zone, origin, spec, region),
    }
  }

  #breakerFor(zone: string, spec: OriginSpec, region: string | undefined): CircuitBreaker {
    const key = `${zone}\n${region ?? ''}\n${JSON.stringify(spec)}`
    let breaker = this.#breakers.get(key)
    if (breaker) {
      this.#breakers.delete(key)
    } else {
      breaker = new CircuitBreaker(breakerOptions(spec))
    }
    this.#breakers.set(key, breaker)
    if (this.#breakers.size > this.#limit) {
      const oldest = this.#breakers.keys().next().value
      if (oldest !== undefined) this.#breakers.delete(oldest)
    }
    return breaker
  }

  #protect(zone: string, origin: Origin, spec: OriginSpec, region: string | undefined): Origin {
    return resilientOrigin(origin, {
      ...retryOptions(spec),
      breaker: this.#breakerFor(zone, spec, region),
      name: originName(spec, region),
      failureStatuses: failureStatuses(spec),
      ...(this.#now ? { now: this.#now } : {}),
    })
  }
}

/**
 * The breaker settings a spec configures, defaults filled in. A config written before the error
 * ratio (`failureThreshold`: consecutive failures) keeps working: its threshold is read as the
 * minimum volume, which at the default ratio opens after as many failures in a row.
 */
export function breakerOptions(spec: OriginSpec): BreakerOptions {
  const resilience = spec.resilience ?? {}
  return {
    errorRatio: resilience.errorRatio ?? DEFAULT_RESILIENCE.errorRatio,
    minRequests:
      resilience.minRequests ?? resilience.failureThreshold ?? DEFAULT_RESILIENCE.minRequests,
    windowMs: resilience.windowMs ?? DEFAULT_RESILIENCE.windowMs,
    coolDownMs: resilience.coolDownMs ?? DEFAULT_RESILIENCE.coolDownMs,
  }
}

/** The answer statuses a spec counts as the origin failing. */
export function failureStatuses(spec: OriginSpec): ReadonlySet<number> {
  const listed = spec.resilience?.failureStatuses
  return listed ? new Set(listed) : DEFAULT_FAILURE_STATUSES
}

/** The retries and backoff a spec configures, defaults filled in. */
export function retryOptions(spec: OriginSpec): Pick<ResilienceOptions, 'retries' | 'backoff'> {
  const resilience = spec.resilience ?? {}
  return {
    retries: resilience.retries ?? DEFAULT_RESILIENCE.retries,
    backoff: {
      baseMs: resilience.backoffBaseMs ?? DEFAULT_RESILIENCE.backoff.baseMs,
      maxMs: resilience.backoffMaxMs ?? DEFAULT_RESILIENCE.backoff.maxMs,
    },
  }
}

/** A name for messages: where the origin is, never a credential. */
export function originName(spec: OriginSpec, region?: string): string {
  const where = region === undefined ? '' : ` (region ${region})`
  switch (spec.kind) {
    case 'http':
      return `origin ${new URL(spec.url).host}`
    case 'r2': {
      const regional = regionalBucket(spec.regions, region)
      const binding = typeof regional === 'object' ? regional.binding : spec.binding
      return `R2 origin ${binding}${where}`
    }
    case 's3': {
      const regional = regionalBucket(spec.regions, region)
      const bucket = typeof regional === 'object' ? regional.bucket : spec.bucket
      return `S3 origin ${bucket}${where}`
    }
  }
}
