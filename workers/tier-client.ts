/**
 * @module tier-client
 * Calls the tier shard that owns a cache key in a region (placement: edge-cache/tier-address.ts).
 */
import { shardFor } from '../edge-cache/shard'
import type { TierRequest } from '../edge-cache/tier/protocol'
import { type TierNamespace, tierShards } from '../edge-cache/tier-address'
import type { RegionDefinition } from '../schemas/regions'

interface TierStub {
  serve(request: TierRequest): Promise<Response>
  invalidate(keys: string[]): Promise<number>
}

/**
 * @param namespace the CACHE_TIER binding
 * @param region the region whose tier serves the request
 * @param useJurisdictions place regulated regions in their jurisdiction (production only)
 * @returns calls to the shard that owns a key
 */
export function tierFor<Stub extends TierStub>(
  namespace: TierNamespace<Stub>,
  region: RegionDefinition,
  useJurisdictions: boolean
) {
  const shard = tierShards(namespace, region, useJurisdictions)
  const shardOf = (key: string) => shard(shardFor(key, region.shards))
  return {
    serve: (request: TierRequest): Promise<Response> => shardOf(request.key).serve(request),
    /** Each key goes to the shard that owns it. */
    async invalidate(keys: string[]): Promise<void> {
      await Promise.all(keys.map((key) => shardOf(key).invalidate([key])))
    },
  }
}
