/**
 * @module tier-client
 * Addresses the tier shard that owns a cache key in a region. In production the regulated
 * regions' shards live in their Durable Object jurisdiction (e.g. `eu`); workerd rejects
 * jurisdictions locally, so `useJurisdictions` is off there and the same code path runs
 * without it. Either way each shard also knows its region from its name and enforces it.
 */
import { shardFor, tierObjectName } from '../edge-cache/shard'
import type { TierRequest } from '../edge-cache/tier/protocol'
import type { RegionDefinition } from '../schemas/regions'

/** The slice of a Durable Object namespace this module uses. */
export interface TierNamespace<Stub> {
  idFromName(name: string): DurableObjectId
  get(id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions): Stub
  jurisdiction(name: DurableObjectJurisdiction): TierNamespace<Stub>
}

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
  const scoped =
    useJurisdictions && region.jurisdiction
      ? namespace.jurisdiction(region.jurisdiction)
      : namespace
  const shardOf = (key: string) => {
    const name = tierObjectName(region.name, shardFor(key, region.shards))
    return scoped.get(scoped.idFromName(name), { locationHint: region.locationHint })
  }
  return {
    serve: (request: TierRequest): Promise<Response> => shardOf(request.key).serve(request),
    /** Each key goes to the shard that owns it. */
    async invalidate(keys: string[]): Promise<void> {
      await Promise.all(keys.map((key) => shardOf(key).invalidate([key])))
    },
  }
}
