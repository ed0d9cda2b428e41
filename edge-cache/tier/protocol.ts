/**
 * @module tier/protocol
 * What the edge sends a tier shard. Plain data, so it crosses Durable Object RPC as is.
 */
import type { ZoneGrants } from '../../origin/dependencies'
import type { ChaosFault } from '../../schemas/api/chaos'
import type { OriginTarget } from '../../schemas/api/pool'
import type { Residency, ResidencyRule } from '../residency'
import type { TierArchival } from './archival'

export interface TierRequest {
  /** The primary cache key. */
  key: string
  /** End-to-end request headers; client conditionals and Range are already removed. */
  headers: [string, string][]
  /** The route's origin, or its pool (origin/pool-origin.ts). */
  origin: OriginTarget
  /** What the origin may resolve: its zone's grants (origin/dependencies.ts). */
  grants: ZoneGrants
  /** The zone's chaos drills that apply to this route (origin/chaos.ts). */
  chaos?: ChaosFault[]
  /** Path below the route, as the origin adapter wants it. */
  originPath: string
  search: string
  allowSetCookie: boolean
  /** The route's settings for archived objects (restore tier and days, tier-only paths). */
  archival?: TierArchival
  /** The route's custom cache key fields: added to the origin's Vary (origin/key-headers.ts). */
  cacheKeyHeaders?: string[]
  /** The path-based residency of the content, when a rule pins it. */
  residency?: Residency
  /** The zone's residency rules, for tag rules the tier applies to responses. */
  rules: ResidencyRule[]
  /**
   * The client's single-request Range (and If-Range), for the tier to answer itself when the
   * body is larger than `minSize` (what the edge would keep in L1): a 206 from the rows that
   * hold the range, or from the origin while the fill has not reached them, rather than the
   * whole body streamed to the edge to be cut there. Smaller bodies come back whole.
   */
  range?: { value: string; ifRange?: string; minSize: number }
  /** Whose purge log applies, and the newest purge the edge has seen: the tier must know it too. */
  purge: { zone: string; minSeq: number }
}

/** The name a tier gives itself in `Cache-Status`. */
export const TIER_CACHE_NAME = 'edge-tier'
