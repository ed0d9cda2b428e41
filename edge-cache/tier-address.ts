/**
 * @module tier-address
 * Addresses one tier shard of a region: its object name, its Durable Object jurisdiction and
 * its location hint, in one place for every caller (the edge's tier client, the region's purge
 * relay). In production the regulated regions' shards live in their jurisdiction (e.g. `eu`);
 * workerd rejects jurisdictions locally, so `useJurisdictions` is off there and the same code
 * path runs without it. Either way each shard also knows its region from its name and enforces
 * it.
 */
import type { RegionDefinition } from '../schemas/regions'
import { tierObjectName } from './shard'

/** The slice of a Durable Object namespace this module uses. */
export interface TierNamespace<Stub> {
  idFromName(name: string): DurableObjectId
  get(id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions): Stub
  jurisdiction(name: DurableObjectJurisdiction): TierNamespace<Stub>
}

/**
 * @param namespace the CACHE_TIER binding
 * @param region the region the shard belongs to
 * @param useJurisdictions place regulated regions in their jurisdiction (production only)
 * @returns the stub of shard `n` of the region, placed near the region
 */
export function tierShards<Stub>(
  namespace: TierNamespace<Stub>,
  region: RegionDefinition,
  useJurisdictions: boolean
): (shard: number) => Stub {
  const scoped =
    useJurisdictions && region.jurisdiction
      ? namespace.jurisdiction(region.jurisdiction)
      : namespace
  return (shard) =>
    scoped.get(scoped.idFromName(tierObjectName(region.name, shard)), {
      locationHint: region.locationHint,
    })
}
