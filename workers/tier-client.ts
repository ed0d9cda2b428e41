/**
 * @module tier-client
 * Addresses the tier shard that owns a cache key in the client's region.
 */
import { shardFor, tierObjectName } from '../edge-cache/shard'
import type { TierRequest } from '../edge-cache/tier/protocol'
import type { RegionDefinition } from '../schemas/regions'

/**
 * @param namespace the CACHE_TIER binding
 * @param region the region whose tier serves this request
 * @returns a function that sends a request to the owning shard
 */
export function tierFor(namespace: Env['CACHE_TIER'], region: RegionDefinition) {
  const shardOf = (key: string) => {
    const name = tierObjectName(region.name, shardFor(key, region.shards))
    return namespace.get(namespace.idFromName(name), { locationHint: region.locationHint })
  }
  return {
    serve: (request: TierRequest): Promise<Response> => shardOf(request.key).serve(request),
    /** Each key goes to the shard that owns it. */
    async invalidate(keys: string[]): Promise<void> {
      await Promise.all(keys.map((key) => shardOf(key).invalidate([key])))
    },
  }
}
