/**
 * @module shard
 * Rendezvous (highest random weight) hashing of a cache key onto a region's tier shards:
 * changing the shard count from N to N+1 moves only ~1/(N+1) of the keys. The key is hashed
 * once and each shard's weight mixes that hash with the shard's number, so a region of 64
 * shards costs one string hash per lookup, not 64.
 */
import { avalanche, hash32 } from './hash'

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
  const keyHash = hash32(key)
  let best = 0
  let bestWeight = -1
  for (let n = 0; n < shards; n++) {
    // The golden-ratio multiple spreads shard numbers over 32 bits before the finaliser mixes.
    const weight = avalanche(keyHash ^ Math.imul(n + 1, 0x9e3779b9))
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
