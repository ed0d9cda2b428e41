/**
 * @module origin/pool-origin
 * A pool as one `Origin`: each request goes to the first member of its key's ranking
 * (origin/steering.ts) that its active monitor does not see down (origin/monitor-view.ts) and
 * whose breaker would let it through, else to the fallback pool's, and
 * moves on to the next when a member refuses (its breaker opened meanwhile) or cannot be reached
 * (an idempotent request, after that member's own retries). When every member is out it throws
 * `CircuitOpenError`, which the tier answers with a stale copy or a 503. Responses name the
 * member that answered in `ORIGIN_MEMBER_FIELD`, which is stored with cached copies, so a hit
 * names the member that filled it.
 */
import type { OriginSpec } from '../schemas/api/config'
import type { OriginTarget, ResolvedPool } from '../schemas/api/pool'
import type { ZoneBreakers } from './breakers'
import { admit, retryAfterSeconds } from './circuit-breaker'
import { CircuitOpenError } from './errors'
import { isRetryable } from './resilient'
import { rankMembers } from './steering'
import type { Origin, OriginRequest } from './types'

/** The response field naming the pool member that answered. */
export const ORIGIN_MEMBER_FIELD = 'edge-origin'

/** Retry-After when the monitors, not the breakers, took every member out. */
const MONITOR_RETRY_MS = 5000

export interface PoolOptions {
  /** The clock, injectable for tests. */
  now?: () => number
  /** Names of the zone's origins that active monitors see down. */
  down?: () => Promise<ReadonlySet<string>>
}

/**
 * The origin for a route's target: a single origin protected by its breaker, or a pool.
 * @param target the route's origin or pool
 * @param key the primary cache key (steers the request within a pool)
 * @param region the residency region whose bucket is read, if any
 * @param breakers the zone's breakers, of whoever keeps them (a tier shard, an isolate)
 * @param build makes the adapter for one concrete origin
 * @param now the clock, injectable for tests
 */
export function targetOrigin(
  target: OriginTarget,
  key: string,
  region: string | undefined,
  breakers: ZoneBreakers,
  build: (spec: OriginSpec, name?: string) => Origin,
  options: PoolOptions = {}
): Origin {
  if (target.kind !== 'pool') return breakers.protect(build(target), target, region)
  const now = options.now ?? Date.now
  const { down } = options
  return {
    async fetch(request) {
      const skip = down ? await down() : new Set<string>()
      return fetchFromPool(target, key, request, region, breakers, build, now, skip)
    },
  }
}

/** Does any member of the pool or its fallbacks have an active monitor? */
export function isMonitored(target: OriginTarget | undefined): boolean {
  if (target?.kind !== 'pool') return false
  const monitored = target.members.some((m) => m.spec.kind === 'http' && m.spec.monitor)
  return monitored || isMonitored(target.fallback)
}

async function fetchFromPool(
  pool: ResolvedPool,
  key: string,
  request: OriginRequest,
  region: string | undefined,
  breakers: ZoneBreakers,
  build: (spec: OriginSpec, name?: string) => Origin,
  now: () => number,
  down: ReadonlySet<string>
): Promise<Response> {
  let lastError: unknown
  let retryAfterMs = Number.POSITIVE_INFINITY
  for (let current: ResolvedPool | undefined = pool; current; current = current.fallback) {
    for (const member of rankMembers(current, key)) {
      if (down.has(member.name)) {
        retryAfterMs = Math.min(retryAfterMs, MONITOR_RETRY_MS)
        continue
      }
      const breaker = breakers.breakerFor(member.spec, region)
      // A look, not an admission: the member's own wrapper admits (and may take the probe).
      const look = admit(breaker.state, now(), breaker.options)
      if (!look.admitted) {
        retryAfterMs = Math.min(retryAfterMs, look.retryAfterMs)
        continue
      }
      try {
        const response = await breakers
          .protect(build(member.spec, member.name), member.spec, region)
          .fetch(request)
        return withMember(response, member.name)
      } catch (error) {
        const movesOn = error instanceof CircuitOpenError || isRetryable(request.method, error)
        if (!movesOn) throw error
        lastError = error
      }
    }
  }
  if (lastError !== undefined && !(lastError instanceof CircuitOpenError)) throw lastError
  const seconds = retryAfterSeconds(Number.isFinite(retryAfterMs) ? retryAfterMs : 1000)
  throw new CircuitOpenError(`every member of pool ${pool.name} is down`, seconds, {
    cause: lastError,
  })
}

function withMember(response: Response, member: string): Response {
  const headers = new Headers(response.headers)
  headers.set(ORIGIN_MEMBER_FIELD, member)
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  })
}
