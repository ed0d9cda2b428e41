import { describe, it } from 'vitest'
import {
  placeBody,
  RESIDENT_IN_SHARD,
  RESIDENT_NO_BUCKET,
  residentShardLimit,
  shardBuckets,
} from '../../../edge-cache/tier/body-placement'

const MiB = 1024 * 1024
const THRESHOLD = 8 * MiB
// What the check calls on a bucket (origin/r2.ts isR2Bucket).
const bucket = { get() {}, head() {}, put() {}, list() {}, delete() {} }

describe('placeBody', () => {
  it.for([
    ['small, resident', MiB, true, { own: 'TIER_BUCKET_EU' }, { kind: 'shard' }],
    ['empty', 0, false, { own: 'TIER_BUCKET_EU' }, { kind: 'shard' }],
    [
      'large, resident, own bucket',
      20 * MiB,
      true,
      { own: 'TIER_BUCKET_EU', shared: 'TIER_BUCKET' },
      { kind: 'bucket', binding: 'TIER_BUCKET_EU' },
    ],
    [
      'large, not resident, own bucket: still the own bucket',
      20 * MiB,
      false,
      { own: 'TIER_BUCKET_EU', shared: 'TIER_BUCKET' },
      { kind: 'bucket', binding: 'TIER_BUCKET_EU' },
    ],
    [
      'large, not resident, no own bucket',
      20 * MiB,
      false,
      { shared: 'TIER_BUCKET' },
      { kind: 'bucket', binding: 'TIER_BUCKET' },
    ],
    ['large, not resident, no bucket at all', 20 * MiB, false, {}, { kind: 'shard' }],
    [
      'large, resident, only the shared bucket: kept in the shard',
      20 * MiB,
      true,
      { shared: 'TIER_BUCKET' },
      { kind: 'shard', detail: RESIDENT_IN_SHARD },
    ],
    [
      'too large, resident, only the shared bucket: not stored',
      200 * MiB,
      true,
      { shared: 'TIER_BUCKET' },
      { kind: 'not-stored', detail: RESIDENT_NO_BUCKET },
    ],
  ] as const)('%s', ([, size, resident, buckets, expected], { expect }) => {
    expect(placeBody(size, THRESHOLD, resident, buckets)).toEqual(expected)
  })

  it('keeps resident bodies in the shard up to the bound, not one byte more', ({ expect }) => {
    const limit = residentShardLimit(THRESHOLD)
    const shared = { shared: 'TIER_BUCKET' }
    expect(placeBody(limit, THRESHOLD, true, shared).kind).toBe('shard')
    expect(placeBody(limit + 1, THRESHOLD, true, shared).kind).toBe('not-stored')
  })
})

describe('shardBuckets', () => {
  it('gives a shard its own region’s bucket when it is bound', ({ expect }) => {
    const env = { TIER_BUCKET: bucket, TIER_BUCKET_EU: bucket }
    expect(shardBuckets(env, 'eu')).toEqual({ own: 'TIER_BUCKET_EU', shared: 'TIER_BUCKET' })
  })

  it('counts a declared but unbound bucket, or a non-bucket binding, as absent', ({ expect }) => {
    expect(shardBuckets({ TIER_BUCKET: bucket }, 'eu')).toEqual({ shared: 'TIER_BUCKET' })
    expect(shardBuckets({ TIER_BUCKET_EU: 'not a bucket' }, 'eu')).toEqual({})
  })

  it('gives a region without a bucket, or an unknown shard, the shared bucket only', ({
    expect,
  }) => {
    const env = { TIER_BUCKET: bucket, TIER_BUCKET_EU: bucket }
    expect(shardBuckets(env, 'global')).toEqual({ shared: 'TIER_BUCKET' })
    expect(shardBuckets(env, undefined)).toEqual({ shared: 'TIER_BUCKET' })
  })
})
