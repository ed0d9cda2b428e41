/**
 * @module edge-request
 * What the edge's request path takes (the request as resolved by the route, and narrow
 * dependencies) and what it gives back, so the same path runs in the Worker, in tests and in
 * benchmarks.
 */
import type { Origin } from '../origin/types'
import type { Clock } from './clock'
import type { CacheStatusEntry } from './policy'
import type { PurgeIndex } from './purge/purge-index'
import type { ResidencyDecision, ResidencyRule } from './residency'
import type { L1Store } from './store/l1'
import type { TierRequest } from './tier/protocol'

/** This cache's name in `Cache-Status`. */
export const L1_CACHE_NAME = 'edge-l1'

/**
 * Largest body L1 stores while streaming it to the client. The copy for the cache is a tee
 * branch, and a tee buffers whatever the slower branch has not read, so an unbounded object and
 * a slow client could fill the isolate's 128 MB. Larger objects are served from the tier, which
 * streams them from storage at each reader's own pace.
 */
export const L1_MAX_STREAMED_BYTES = 16 * 1024 * 1024

export interface EdgeDependencies {
  l1: L1Store
  /** Calls the tier shard that owns `request.key`; rejects when the shard is unreachable. */
  tier(request: TierRequest): Promise<Response>
  /** Drops URLs (primary keys) from the region's tier shards. */
  invalidateTier(keys: string[]): Promise<void>
  /** Appends tag purges to the zone's purge log (RFC 9875 group invalidation). */
  purgeTags(tags: string[]): Promise<void>
  /** The route's origin, for uncached methods and when the tier is down. */
  origin(): Origin
  /** The default origin timeout (`ORIGIN_TIMEOUT_MS`), for origins that set none. */
  originTimeoutMs: number
  waitUntil(promise: Promise<unknown>): void
  clock: Clock
  /** Resolves after `ms` (a hot key's miss waiting on the PoP's refill, edge-pop-fill.ts). */
  pause(ms: number): Promise<void>
  /** This isolate's view of the zone's purge log. */
  purge: PurgeIndex
}

export interface EdgeRequest {
  request: Request
  zone: string
  key: string
  originPath: string
  search: string
  tier: Omit<
    TierRequest,
    'key' | 'headers' | 'originPath' | 'search' | 'residency' | 'rules' | 'purge'
  >
  /** The zone's residency rules, for tag rules applied to responses. */
  rules: readonly ResidencyRule[]
  bypass: boolean
  /** False: L1 only, misses go from the PoP straight to the origin. */
  tiered: boolean
  /** The region of the PoP the request entered (from `request.cf`). */
  clientRegion: string
  /** The path-based residency decision, made before any lookup. */
  residency: ResidencyDecision
  /** Compress identity text answers for clients that accept br or gzip (policy/encoding.ts). */
  compression: boolean
}

/** One request in flight on the edge: what it asked, what it may use, when it started. */
export interface EdgeCall {
  edge: EdgeRequest
  /** The client's fields without hop-by-hop ones, Accept-Encoding normalized. */
  requestHeaders: Headers
  deps: EdgeDependencies
  started: number
}

/** The client's response and the `Cache-Status` it carries, for analytics (no re-parsing). */
export interface EdgeResult {
  response: Response
  /** Every cache's entry, nearest the origin first; empty when no cache took part. */
  cacheStatus: readonly CacheStatusEntry[]
}
