/**
 * @module origin/chaos
 * Applies chaos drills (schemas/api/chaos.ts) to origin attempts, pool members and tier calls.
 * Each fault acts on a random `share` of requests until its `endsAt`, so a drill ends on time by
 * itself whatever the config snapshot still holds. Origin faults wrap the raw adapter, inside
 * retries and the breaker, so a drill exercises them exactly as a real fault would.
 */
import type { ChaosFault } from '../schemas/api/chaos'
import type { OriginTarget } from '../schemas/api/pool'
import { OriginError } from './errors'
import type { Origin } from './types'

export interface ChaosOptions {
  now?: () => number
  random?: () => number
  sleep?: (ms: number) => Promise<void>
}

/** The faults active at `now` of one kind, for origin `name` when it is given. */
export function activeFaults(
  faults: readonly ChaosFault[] | undefined,
  kind: ChaosFault['fault'],
  now: number,
  name?: string
): ChaosFault[] {
  return (faults ?? []).filter(
    (f) =>
      f.fault === kind &&
      now < f.endsAt &&
      (f.member === undefined || name === undefined || f.member === name)
  )
}

/** Does one of these faults hit this request (each by its own share)? */
export function hits(faults: readonly ChaosFault[], random: () => number): ChaosFault | undefined {
  return faults.find((f) => random() < f.share)
}

/**
 * @param origin the adapter
 * @param name the origin's record name (pool members are matched by it)
 * @param faults the zone's drills
 * @returns the adapter with the drills' latency, errors and resets applied; the adapter itself
 *   when no drill is active
 */
export function chaosOrigin(
  origin: Origin,
  name: string | undefined,
  faults: readonly ChaosFault[] | undefined,
  options: ChaosOptions = {}
): Origin {
  if (!faults?.length) return origin
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const wrapped: Origin = {
    async fetch(request) {
      const at = now()
      const slow = hits(activeFaults(faults, 'latency', at, name), random)
      if (slow?.latencyMs) await sleep(slow.latencyMs)
      if (hits(activeFaults(faults, 'resets', at, name), random)) {
        throw new OriginError('network', `chaos drill: connection to ${name ?? 'origin'} reset`)
      }
      const error = hits(activeFaults(faults, 'errors', at, name), random)
      if (error) {
        return Response.json(
          { error: { code: 'chaos_drill', message: `chaos drill ${error.id}` } },
          { status: error.status, headers: { 'cache-control': 'no-store' } }
        )
      }
      return origin.fetch(request)
    },
  }
  if (origin.restore) wrapped.restore = origin.restore.bind(origin)
  return wrapped
}

/** Pool members a `member-down` drill takes out now. */
export function drilledDown(faults: readonly ChaosFault[] | undefined, now: number): string[] {
  return activeFaults(faults, 'member-down', now).flatMap((f) => (f.member ? [f.member] : []))
}

/**
 * The zone's drills as they apply to a route: all of them for a pool (matched by member name
 * later); for a single origin, those for every origin or for that one (then unnamed).
 */
export function faultsFor(
  faults: readonly ChaosFault[] | undefined,
  target: OriginTarget,
  originName: string
): ChaosFault[] {
  if (!faults?.length) return []
  if (target.kind === 'pool') return [...faults]
  return faults
    .filter((f) => f.member === undefined || f.member === originName)
    .map(({ member: _, ...fault }) => fault)
}

/**
 * The tier call with `tier-unreachable` drills applied: for their share of calls it rejects as
 * an unreachable shard would, and the edge goes to the origin itself.
 */
export function chaosTier<T, R>(
  serve: (request: T) => Promise<R>,
  faults: readonly ChaosFault[],
  options: ChaosOptions = {}
): (request: T) => Promise<R> {
  if (!faults.some((f) => f.fault === 'tier-unreachable')) return serve
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  return (request) => {
    const hit = hits(activeFaults(faults, 'tier-unreachable', now()), random)
    if (hit) return Promise.reject(new Error(`chaos drill ${hit.id}: tier treated as unreachable`))
    return serve(request)
  }
}
