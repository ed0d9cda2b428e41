/**
 * @module shard
 * Rendezvous (highest random weight) hashing of a cache key onto a region's tier shards:
 * changing the shard count from N to N+1 moves only ~1/(N+1) of the keys.
 */
import { hash32 } from './hash'

/**
 * @param key the primary cache key
 * @param shards how many shards the region has (≥ 1)
 * @returns the shard index in [0, shards)
 * @throws TypeError when `shards` is not a positive integer
 */
export function shardFor(key: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) {
    throw new TypeError(`expected a positive shard count, got ${shards}`)
  }
  let best = 0
  let bestWeight = -1
  for (let n = 0; n < shards; n++) {
    const weight = hash32(`${n}\u0000${key}`)
    if (weight > bestWeight) {
      best = n
      bestWeight = weight
    }
  }
  return best
}

/** The name of a tier shard's Durable Object. */
export function tierObjectName(region: string, shard: number): string {
  return `tier:${region}:${shard}`
}

/** The inverse of `tierObjectName`, or undefined for any other name. */
export function parseTierName(
  name: string | undefined
): { region: string; shard: number } | undefined {
  const match = /^tier:([a-z]+):(\d+)$/.exec(name ?? '')
  if (!match?.[1] || !match[2]) return undefined
  return { region: match[1], shard: Number(match[2]) }
}
