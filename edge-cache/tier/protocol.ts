/**
 * @module tier/protocol
 * What the edge and a tier shard say to each other: the request the edge sends (plain data, so it
 * crosses Durable Object RPC as is), and the `edge-l1` field of the answer, written and read here.
 */

import type { ZoneGrants } from '../../origin/dependencies'
import type { ChaosFault } from '../../schemas/api/chaos'
import type { OriginTarget } from '../../schemas/api/pool'
import { lengthOf } from '../policy/content-length'
import type { Residency, ResidencyRule } from '../residency'
import { receivedTrace, type TraceContext } from '../tracing/trace-context'
import { admitToL1 } from './admission'
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

/**
 * Internal response field from the tier to the edge: whether the edge may keep an L1 copy. The
 * edge removes it before answering the client.
 */
export const EDGE_L1_FIELD = 'edge-l1'

/** `edge-l1` for archival (tier-only) paths: the edge keeps no L1 copy. */
export const L1_TIER_ONLY = 'no-store'

/**
 * The `edge-l1` value by which a tier tells the edge that the object has not earned an L1 copy
 * yet. Like the archival `no-store`, the edge keeps no copy; it reports `detail=l1-not-admitted`.
 */
export const L1_NOT_ADMITTED = 'no-store; reason=not-admitted'

/**
 * What the edge does with the tier's `edge-l1` field.
 * @returns undefined to store as usual, or the Cache-Status detail to report when not storing
 */
export function edgeL1Refusal(value: string | null): string | undefined {
  if (value === L1_TIER_ONLY) return 'tier-only'
  if (value === L1_NOT_ADMITTED) return 'l1-not-admitted'
  return undefined
}

/**
 * The `edge-l1` value a shard answers with, if any: archival paths stay in the tier, and a large
 * body goes to L1 only from its second hit (tier/admission.ts `admitToL1`).
 * @param tierOnly whether the path is under the route's archival prefix
 * @param frequency the key's estimated frequency, counting this request
 * @param length the answer's Content-Length, when it has one
 * @param secondHitBytes bodies from this size (or of unknown size) need a second hit
 * @returns the field's value, or undefined when the edge may store as usual
 */
export function edgeL1Field(
  tierOnly: boolean,
  frequency: number,
  length: string | null,
  secondHitBytes: number
): string | undefined {
  if (tierOnly) return L1_TIER_ONLY
  return admitToL1(frequency, lengthOf(length), secondHitBytes) ? undefined : L1_NOT_ADMITTED
}

/** The edge's trace, from the `traceparent` it sent with the request (tier log lines, spans). */
export function tierRequestTrace(request: TierRequest): TraceContext | undefined {
  return receivedTrace(request.headers.find(([name]) => name === 'traceparent')?.[1])
}
