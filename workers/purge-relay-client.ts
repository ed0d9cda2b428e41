/**
 * @module purge-relay-client
 * How an edge reads purges: from its region's relay of the zone's log (purge/purge-relay.ts),
 * within a bound that is short when the edge's view is what keeps purged content out of L1,
 * and long when Cloudflare's own purge (forwarded by the log) already does that and the view
 * is only the safety net.
 */
import type { Clock } from '../edge-cache/clock'
import { relayName, relayShardOf } from '../edge-cache/purge/purge-push'
import { applyPush, heldViews, type PurgeLogReader } from '../edge-cache/purge/purge-view'
import type { RegionDefinition } from '../schemas/regions'
import { settingsOf } from '../schemas/settings'

/**
 * Reads one zone's records from its relay, and in the same call refreshes every other view
 * this isolate holds on that relay that is past half its bound: an isolate asks each relay
 * about once per bound, however many zones it serves.
 * @param namespace the PURGE_RELAY binding
 * @param region the edge's region
 * @param zone the zone whose records are read
 * @param boundMs the edge's purge bound
 * @param clock the edge's clock
 */
export function relayReader(
  namespace: Env['PURGE_RELAY'],
  region: RegionDefinition,
  zone: string,
  boundMs: number,
  clock: Clock
): PurgeLogReader {
  const shard = relayShardOf(zone)
  const relay = namespace.get(namespace.idFromName(relayName(region.name, shard)), {
    locationHint: region.locationHint,
  })
  return {
    async snapshot(after) {
      const now = clock.now()
      const others = heldViews(now - boundMs / 2).filter(
        (v) => v.zone !== zone && relayShardOf(v.zone) === shard
      )
      const [delta, ...rest] = await relay.deltas([{ zone, after }, ...others])
      if (!delta) throw new TypeError(`relay answered no delta for zone ${zone}`)
      for (const [i, other] of others.entries()) {
        const snapshot = rest[i]
        if (snapshot) applyPush(other.zone, other.after, snapshot, now)
      }
      return delta
    },
  }
}

/**
 * @param env the Worker's env: its settings, and whether the forwarding token is set
 * @returns how stale the edge's purge view may be, in ms
 * @throws SettingsError when a purge setting is malformed
 */
export function edgePurgeBound(env: Env): number {
  const settings = settingsOf(env)
  const forwarding = Boolean(settings.cloudflareZoneId && env.CLOUDFLARE_API_TOKEN)
  return forwarding ? settings.purgeForwardedStalenessMs : settings.purgeStalenessMs
}
