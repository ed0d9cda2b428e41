/**
 * @module origin/steering
 * Which member of a pool a cache key goes to, as pure functions. `weighted`: weighted
 * rendezvous hashing (each member scores `weight / -ln(u)` with `u` uniform from a hash of member
 * and key; the highest wins), so a key always meets the same member, each member gets its weight's
 * share of the keys, and changing one weight moves only the keys that must move. The rest of the
 * ranking is the failover order for that key. `failover`: the members in their listed order.
 * @see https://en.wikipedia.org/wiki/Rendezvous_hashing#Weighted_rendezvous_hash
 */
import { hash32 } from '../edge-cache/hash'
import type { ResolvedPool } from '../schemas/api/pool'

export type PoolMember = ResolvedPool['members'][number]

/**
 * @param pool the pool
 * @param key the primary cache key
 * @returns the members, the one this key is steered to first, then the order to fail over in
 */
export function rankMembers(pool: ResolvedPool, key: string): PoolMember[] {
  if (pool.steering === 'failover') return [...pool.members]
  return pool.members
    .map((member) => ({ member, score: score(member, key) }))
    .sort((a, b) => b.score - a.score)
    .map(({ member }) => member)
}

/** A member's weighted rendezvous score for a key; a weight of 0 ranks last. */
function score(member: PoolMember, key: string): number {
  if (member.weight <= 0) return -1
  // u in (0, 1): never 0 (ln 0) nor 1 (division by 0).
  const u = (hash32(`${member.name}\u0000${key}`) + 0.5) / 2 ** 32
  return member.weight / -Math.log(u)
}
