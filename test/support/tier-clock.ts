/**
 * The tier shards' clock, set from a test inside workerd: a shard reads `clock` on every use, so
 * a ManualClock put there moves freshness, the sweep, restore windows and breakers without
 * sleeping. Give the system clock back when the test is done (the object outlives the test).
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { type Clock, systemClock } from '../../edge-cache/clock'
import { cacheKey } from '../../edge-cache/key'
import { shardFor, tierObjectName } from '../../edge-cache/shard'
import type { CacheTier } from '../../edge-cache/tier/cache-tier'
import { regionNamed } from '../../schemas/regions'

type TierStub = DurableObjectStub<CacheTier>

/** The shard `tier:<region>:<n>` by name. */
export function tierShard(name: string): TierStub {
  return env.CACHE_TIER.get(env.CACHE_TIER.idFromName(name))
}

/** The shard of `region` that the edge sends `url` to. */
export function tierShardOf(url: string, region = 'eu'): TierStub {
  const n = shardFor(cacheKey(new URL(url)), regionNamed(region).shards)
  return tierShard(tierObjectName(region, n))
}

/** Every shard of a region. */
export function regionShards(region = 'eu'): TierStub[] {
  const { shards } = regionNamed(region)
  return Array.from({ length: shards }, (_, n) => tierShard(tierObjectName(region, n)))
}

/**
 * Puts `clock` in the shards.
 * @returns gives them the system clock back
 */
export async function setTierClock(stubs: TierStub[], clock: Clock): Promise<() => Promise<void>> {
  for (const stub of stubs) {
    await runInDurableObject(stub, (tier: CacheTier) => {
      tier.clock = clock
    })
  }
  return async () => {
    for (const stub of stubs) {
      await runInDurableObject(stub, (tier: CacheTier) => {
        tier.clock = systemClock
      })
    }
  }
}
