/**
 * @module purge-relay-client
 * How an edge reads purges: from its region's relay of the zone's log (purge/purge-relay.ts),
 * within a bound that is short when the edge's view is what keeps purged content out of L1,
 * and long when Cloudflare's own purge (forwarded by the log) already does that and the view
 * is only the safety net.
 */
import { relayShardOf } from '../edge-cache/purge/purge-log'
import { relayName } from '../edge-cache/purge/purge-push'
import type { PurgeLogReader } from '../edge-cache/purge/purge-view'
import type { RegionDefinition } from '../schemas/regions'

/**
 * @param namespace the PURGE_RELAY binding
 * @param region the edge's region
 * @param zone the zone whose records are read
 */
export function relayReader(
  namespace: Env['PURGE_RELAY'],
  region: RegionDefinition,
  zone: string
): PurgeLogReader {
  const relay = namespace.get(namespace.idFromName(relayName(region.name, relayShardOf(zone))), {
    locationHint: region.locationHint,
  })
  return {
    async snapshot(after) {
      const [delta] = await relay.deltas([{ zone, after }])
      if (!delta) throw new TypeError(`relay answered no delta for zone ${zone}`)
      return delta
    },
  }
}

/** @returns how stale the edge's purge view may be, in ms */
export function edgePurgeBound(env: Env): number {
  const forwarding = Boolean(env.CLOUDFLARE_ZONE_ID && env.CLOUDFLARE_API_TOKEN)
  return forwarding
    ? positive(env.PURGE_FORWARDED_STALENESS_MS, 30_000)
    : positive(env.PURGE_STALENESS_MS, 100)
}

function positive(value: string | undefined, fallback: number): number {
  const parsed = Number(value)
  return value !== undefined && value !== '' && Number.isFinite(parsed) && parsed >= 0
    ? parsed
    : fallback
}
