import { parseCacheStatus } from '../../edge-cache/policy'

/**
 * The layer that answered, as analytics label it (workers/analytics/event.ts): the first
 * `Cache-Status` hit names it, and a response no cache hit came from the origin.
 */
export function layerOf(cacheStatus: string | null): string {
  const hit = parseCacheStatus(cacheStatus).find((e) => e.hit)
  if (hit) return hit.cache === 'edge-l1' ? 'l1' : 'tier'
  return 'origin'
}
