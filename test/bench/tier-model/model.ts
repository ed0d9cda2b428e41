/**
 * The tier's load model: requests per second on the busiest tier shard (a Durable Object) at
 * network scale. Every L1 miss of a region goes to the one shard of that region that owns the
 * key (edge-cache/shard.ts), so a shard's load is its region's L1 misses times its share of
 * them, and a hot key's misses all land on one shard however many there are. Shard counts and
 * the hash are imported, so the model follows the code; the network is stated assumptions.
 */
import { hash32 } from '../../../edge-cache/hash'
import { shardFor } from '../../../edge-cache/shard'

export interface Assumptions {
  pops: number
  /** Share of the network's PoPs and requests in the busiest region. */
  busiestRegionShare: number
  /** L1 (per-PoP) hit ratio of the whole traffic. */
  l1HitRatio: number
  isolatesPerPop: number
  /** Edge → shard → edge with the L1 put started, ms: how long a refill leaves L1 empty. */
  refillMs: number
  /**
   * From an isolate's read of the PoP's fill claim to its own claim landing, ms: isolates that
   * read within it also go (edge-cache/store/pop-fill.ts).
   */
  claimRaceMs: number
  /**
   * Keys the misses spread over evenly: L1 absorbs the popular head, whose misses are bounded
   * per key (hotKeyLoad), so what reaches the tier is the long tail. The shards' imbalance
   * comes from the hash.
   */
  keys: number
}

export const ASSUMPTIONS: Assumptions = {
  pops: 330,
  busiestRegionShare: 0.4,
  l1HitRatio: 0.9,
  isolatesPerPop: 10,
  refillMs: 30,
  claimRaceMs: 5,
  keys: 100_000,
}

/**
 * The busiest shard's share of a region's misses over `shards` shards: `keys` keys named as a
 * zone's URLs are, placed by the shard choice the edge makes. Deterministic.
 */
export function busiestShardShare(shards: number, a: Assumptions = ASSUMPTIONS): number {
  const load = new Array<number>(shards).fill(0)
  for (let n = 1; n <= a.keys; n++) {
    const shard = shardFor(
      `https://zone-${hash32(String(n)) % 1000}.example/assets/${n}.js`,
      shards
    )
    load[shard] = (load[shard] ?? 0) + 1
  }
  return Math.max(...load) / a.keys
}

/**
 * Steady traffic: the network's edge requests per second, L1 misses in the busiest region,
 * spread over its shards by key.
 * @param share the busiest shard's share of the region's misses (busiestShardShare)
 */
export function steadyLoad(edgeRps: number, share: number, a: Assumptions = ASSUMPTIONS) {
  const regionMisses = edgeRps * a.busiestRegionShare * (1 - a.l1HitRatio)
  return { regionMisses, share, busiestRps: regionMisses * share }
}

/**
 * One hot key served with `ttlS` of freshness at `popRps` requests per second in each PoP of the
 * busiest region. When its L1 entry expires (or is purged), isolates collapse their own misses;
 * without a PoP-wide refill each isolate that asks before the refill lands misses once, with it
 * (the edge now) only those that read the PoP's fill claim before the first claim landed.
 */
export function hotKeyLoad(popRps: number, ttlS: number, a: Assumptions = ASSUMPTIONS) {
  const pops = Math.round(a.pops * a.busiestRegionShare)
  const isolatesAlone = Math.min(a.isolatesPerPop, 1 + (popRps * a.refillMs) / 1000)
  const popRefill = Math.min(a.isolatesPerPop, 1 + (popRps * a.claimRaceMs) / 1000)
  return {
    pops,
    isolatesAlone: { missesPerPop: isolatesAlone, rps: (pops * isolatesAlone) / ttlS },
    popRefill: { missesPerPop: popRefill, rps: (pops * popRefill) / ttlS },
  }
}
