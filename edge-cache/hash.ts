/**
 * @module hash
 * The one 32-bit string hash the cache uses (shard choice, admission sketch): FNV-1a over UTF-16
 * code units, finished with murmur3's avalanche so that every input bit moves every output bit.
 */

export function hash32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return avalanche(h)
}

/** murmur3's 32-bit finaliser. */
export function avalanche(value: number): number {
  let h = value
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
