/**
 * @module config/edge-config
 * The edge's in-memory view of configuration and the pure lookup from (host, path) to a route.
 */
import { faultsFor } from '../../origin/chaos'
import type { ZoneGrants } from '../../origin/dependencies'
import type { ChaosFault } from '../../schemas/api/chaos'
import type { ResidencyRuleSpec, RouteSpec } from '../../schemas/api/config'
import { type OriginRecord, type OriginTarget, resolvePool } from '../../schemas/api/pool'
import { requestHost } from '../../schemas/hosts'

export interface ZoneConfig {
  name: string
  hosts: string[]
  /** Concrete origins and pools by name. */
  origins: ReadonlyMap<string, OriginRecord>
  /** Longest path prefix first. */
  routes: readonly { name: string; spec: RouteSpec }[]
  /** Where the zone's content may be cached and served, in name order. */
  residencyRules: readonly { name: string; spec: ResidencyRuleSpec }[]
  /** The secrets and buckets the zone's origins may use (origin/dependencies.ts). */
  grants: ZoneGrants
  /** Chaos drills not over when the snapshot was read (each also ends by its own `endsAt`). */
  chaos?: readonly ChaosFault[]
}

export interface EdgeConfig {
  zones: readonly ZoneConfig[]
}

export interface ResolvedRoute {
  zone: string
  route: string
  spec: RouteSpec
  originName: string
  /** The origin, or the pool with its members looked up. */
  origin: OriginTarget
  /** The zone's chaos drills that apply to this route. */
  chaos: ChaosFault[]
  /** The path below the route's prefix, starting with `/`. */
  originPath: string
  /** The zone's grants: all its origin may resolve. */
  grants: ZoneGrants
}

/**
 * Finds the zone for a host (exact, then the longest `*.suffix` wildcard, then `*`; a trailing
 * dot ignored) and its longest matching route.
 * @param config the current snapshot
 * @param host the request's host, without port
 * @param path the request's path, percent-encoded
 * @returns the route, or undefined when no zone or route matches
 */
export function resolveRoute(
  config: EdgeConfig,
  host: string,
  path: string
): ResolvedRoute | undefined {
  const zone = findZone(config.zones, requestHost(host))
  if (!zone) return undefined
  const route = zone.routes.find((r) => routeMatches(r.spec.pathPrefix, path))
  if (!route) return undefined
  const record = zone.origins.get(route.spec.origin)
  const origin = record?.kind === 'pool' ? resolvePool(route.spec.origin, zone.origins) : record
  if (!origin) return undefined
  const rest = path.slice(route.spec.pathPrefix.replace(/\/$/, '').length)
  return {
    zone: zone.name,
    route: route.name,
    spec: route.spec,
    originName: route.spec.origin,
    origin,
    chaos: faultsFor(zone.chaos, origin, route.spec.origin),
    originPath: rest.startsWith('/') ? rest : `/${rest}`,
    grants: zone.grants,
  }
}

function findZone(zones: readonly ZoneConfig[], host: string): ZoneConfig | undefined {
  const exact = zones.find((z) => z.hosts.includes(host))
  if (exact) return exact
  // The longest wildcard wins, whichever zone came first: `*.shop.example.com` over another
  // zone's `*.example.com`.
  let wildcard: { zone: ZoneConfig; length: number } | undefined
  for (const zone of zones) {
    for (const h of zone.hosts) {
      const matches = h.startsWith('*.') && host.endsWith(h.slice(1))
      if (matches && h.length > (wildcard?.length ?? 0)) wildcard = { zone, length: h.length }
    }
  }
  return wildcard?.zone ?? zones.find((z) => z.hosts.includes('*'))
}

/**
 * A route's prefix matches whole path segments: `/api` and `/api/` take `/api` and `/api/…`,
 * never `/apiary` (the prefix is cut from the path the origin gets, so `/apiary/bees` would
 * have reached it as `/ary/bees`).
 */
export function routeMatches(pathPrefix: string, path: string): boolean {
  const base = pathPrefix.replace(/\/$/, '')
  return path === base || path.startsWith(`${base}/`)
}

/** Orders routes so that the longest prefix is tried first. */
export function byLongestPrefix(a: { spec: RouteSpec }, b: { spec: RouteSpec }): number {
  return b.spec.pathPrefix.length - a.spec.pathPrefix.length
}
