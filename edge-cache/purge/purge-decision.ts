/**
 * @module purge/purge-decision
 * What a purge means for a stored entry's serve decision. A hard purge makes it a miss. A soft
 * purge (Fastly's) makes it stale: still usable under stale-while-revalidate and stale-if-error,
 * never served as fresh.
 */
import { entryFreshness, forbidsStale, type ServeDecision, type StoredEntry } from '../policy'
import type { PurgeState } from './purge-index'

/**
 * @param decision the RFC 9111 decision for the entry
 * @param state the entry's purge state
 * @param entry the entry
 * @param now current time in ms
 * @returns the decision with the purge applied, or 'miss' when the entry is gone
 */
export function applyPurge(
  decision: ServeDecision,
  state: PurgeState,
  entry: StoredEntry,
  now: number
): ServeDecision | 'miss' {
  if (state === 'purged') return 'miss'
  if (state === 'live' || decision.action !== 'fresh') return decision
  const { directives } = entryFreshness(entry, now)
  const ttl = Math.min(decision.ttl, 0)
  if ((directives.staleWhileRevalidate ?? 0) > 0 && !forbidsStale(directives)) {
    return { action: 'stale-while-revalidate', age: decision.age, ttl }
  }
  return { action: 'revalidate', age: decision.age, ttl, reason: 'stale' }
}
