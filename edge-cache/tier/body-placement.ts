/**
 * @module tier/body-placement
 * Where a tier shard keeps a complete body: in its SQLite rows, or in an R2 tier bucket. A
 * shard writes large bodies only to its own region's bucket (schemas/regions.ts `tierBucket`),
 * so an EU shard's bytes land in the bucket created with `--jurisdiction eu` and nowhere else.
 * A shard whose region has no bucket bound puts content no residency rule pins in the shared
 * bucket, and keeps resident content out of R2 altogether: in its SQLite up to a bound, above
 * that not at all (streamed from the origin through the tier on every miss). Pure decisions;
 * the caller resolves bindings.
 */
import { r2Binding } from '../../origin/r2'
import { REGIONS, SHARED_TIER_BUCKET } from '../../schemas/regions'

/** `Cache-Status` detail: resident content kept in the shard's SQLite, no regional bucket. */
export const RESIDENT_IN_SHARD = 'resident-in-shard'
/** `Cache-Status` detail: resident content too large to keep without a regional bucket. */
export const RESIDENT_NO_BUCKET = 'resident-no-bucket'

export type BodyPlacement =
  /** SQLite rows; `detail` says why a large body stays there. */
  | { kind: 'shard'; detail?: typeof RESIDENT_IN_SHARD }
  | { kind: 'bucket'; binding: string }
  | { kind: 'not-stored'; detail: typeof RESIDENT_NO_BUCKET }

/** The tier buckets a shard may write, by binding name, as bound in its Worker. */
export interface ShardBuckets {
  /** Its own region's bucket, when the region declares one and it is bound. */
  own?: string
  /** The shared bucket, when bound: only for content no residency rule pins. */
  shared?: string
}

/**
 * How large a resident body a shard without a regional bucket keeps in SQLite: four times the
 * R2 threshold (32 MiB by default), a bound within the shard's byte budget.
 */
export function residentShardLimit(threshold: number): number {
  return 4 * threshold
}

/**
 * @param size the body's length (known, or declared by Content-Length before it arrives)
 * @param threshold bodies of at least this many bytes go to R2 when they may
 * @param resident whether a residency rule (by path or by tag) pins the content to this region
 * @param buckets the buckets this shard may write
 * @returns where the body is kept
 */
export function placeBody(
  size: number,
  threshold: number,
  resident: boolean,
  buckets: ShardBuckets
): BodyPlacement {
  if (size <= 0 || size < threshold) return { kind: 'shard' }
  if (buckets.own) return { kind: 'bucket', binding: buckets.own }
  if (!resident)
    return buckets.shared ? { kind: 'bucket', binding: buckets.shared } : { kind: 'shard' }
  return size <= residentShardLimit(threshold)
    ? { kind: 'shard', detail: RESIDENT_IN_SHARD }
    : { kind: 'not-stored', detail: RESIDENT_NO_BUCKET }
}

/**
 * The buckets a shard of `region` may write, from the Worker's bindings: a bucket the region
 * names but the Worker does not bind counts as absent (the audit, `npm run residency:check`,
 * catches that before deploy).
 * @param bindings the Worker's env
 * @param region the shard's region name (`tier:<region>:<n>`), or undefined for a shard that
 *   cannot tell (shared bucket only)
 */
export function shardBuckets(bindings: object, region: string | undefined): ShardBuckets {
  const own = REGIONS.find((r) => r.name === region)?.tierBucket?.binding
  return {
    own: own && r2Binding(bindings, own) ? own : undefined,
    shared: r2Binding(bindings, SHARED_TIER_BUCKET) ? SHARED_TIER_BUCKET : undefined,
  }
}
