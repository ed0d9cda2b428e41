/**
 * Picking URLs that meet in one tier shard, for tests of state a shard keeps per origin (its
 * circuit breakers): `tier:<region>:<n>` is chosen by rendezvous hashing of the cache key.
 */
import { cacheKey } from '../../edge-cache/key'
import { shardFor } from '../../edge-cache/shard'
import { regionNamed } from '../../schemas/regions'

/**
 * @param anchor a URL whose shard to meet
 * @param url another URL, to which `?shard=<n>` is added until it lands in the same shard
 * @param region the region whose shard count applies
 * @returns `url` with the query that puts it in the anchor's shard
 */
export function onSameShard(anchor: string, url: string, region = 'eu'): string {
  const { shards } = regionNamed(region)
  const target = shardFor(cacheKey(new URL(anchor)), shards)
  for (let n = 0; ; n++) {
    const candidate = `${url}?shard=${n}`
    if (shardFor(cacheKey(new URL(candidate)), shards) === target) return candidate
  }
}
