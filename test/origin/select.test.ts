/**
 * Which bucket a request reads: the residency region's, never another's.
 * @see origin/select.ts
 */
import { describe, it } from 'vitest'
import type { OriginDependencies } from '../../origin/dependencies'
import { NoRegionalBucketError } from '../../origin/errors'
import { regionalBucket, selectOrigin, timeoutOf } from '../../origin/select'
import { type OriginSpec, originSpecSchema } from '../../schemas/api/config'

describe('regionalBucket', () => {
  const regions = { eu: { bucket: 'eu-bucket' }, apac: { bucket: 'apac-bucket' } }
  it.for([
    ['not resident: the default bucket', regions, undefined, undefined],
    ['resident in eu: the eu bucket', regions, 'eu', { bucket: 'eu-bucket' }],
    ['resident in apac: the apac bucket', regions, 'apac', { bucket: 'apac-bucket' }],
    ['resident in us, no us bucket: missing (no fallback)', regions, 'us', 'missing'],
    ['resident in an unknown region: missing', regions, 'global', 'missing'],
    ['regional buckets declared but empty: missing', {}, 'eu', 'missing'],
    ['an origin without regional buckets: the default bucket', undefined, 'eu', undefined],
  ] as const)('%s', ([, regionsSpec, region, expected], { expect }) => {
    expect(regionalBucket(regionsSpec, region)).toEqual(expected)
  })
})

describe('selectOrigin', () => {
  const deps: OriginDependencies = {
    bucket(binding) {
      throw new Error(`no R2 binding ${binding} in this test`)
    },
    secret: (name) => `value-of-${name}`,
    mtls(binding) {
      throw new Error(`no certificate binding ${binding} in this test`)
    },
    timeoutMs: 1000,
  }
  const request = { method: 'GET', path: '/x', search: '', headers: new Headers() }

  it.for([
    originSpecSchema.parse({
      kind: 's3',
      bucket: 'default-bucket',
      region: 'us-east-1',
      accessKeyIdSecret: 'KEY',
      secretAccessKeySecret: 'SECRET',
      regions: { eu: { bucket: 'eu-bucket' } },
    }),
    originSpecSchema.parse({
      kind: 'r2',
      binding: 'DEFAULT_BUCKET',
      regions: { eu: { binding: 'EU_BUCKET' } },
    }),
  ])(
    'a $kind origin rejects resident apac content with NoRegionalBucketError',
    async (spec, { expect }) => {
      const error = await selectOrigin(spec, deps, 'apac')
        .fetch(request)
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(NoRegionalBucketError)
      expect(error).toMatchObject({ region: 'apac' })
    }
  )

  it('picks the region’s R2 binding, and the default one for content no rule pins', ({
    expect,
  }) => {
    const asked: string[] = []
    const recording: OriginDependencies = {
      ...deps,
      bucket(binding) {
        asked.push(binding)
        return {} as R2Bucket
      },
    }
    const spec = originSpecSchema.parse({
      kind: 'r2',
      binding: 'DEFAULT_BUCKET',
      regions: { eu: { binding: 'EU_BUCKET' } },
    })
    selectOrigin(spec, recording, 'eu')
    selectOrigin(spec, recording, undefined)
    expect(asked).toEqual(['EU_BUCKET', 'DEFAULT_BUCKET'])
  })

  it.for([
    {
      kind: 's3',
      bucket: 'b'.repeat(3),
      region: 'x',
      accessKeyIdSecret: 'K',
      secretAccessKeySecret: 'S',
      regions: { mars: { bucket: 'abc' } },
    },
    {
      kind: 's3',
      bucket: 'bbb',
      region: 'x',
      accessKeyIdSecret: 'K',
      secretAccessKeySecret: 'S',
      regions: { eu: { bucket: 'ab' } },
    },
    { kind: 'r2', binding: 'B', regions: { eu: { binding: 'lower' } } },
  ])('rejects the spec %j', (spec, { expect }) => {
    expect(originSpecSchema.safeParse(spec).success).toBe(false)
  })
})

describe('timeoutOf', () => {
  const http = (timeoutMs?: number) => ({ kind: 'http' as const, url: 'https://o.test', timeoutMs })
  const member = (name: string, spec: OriginSpec) => ({ name, weight: 1, spec })

  it("is an origin's own timeout, else the default", ({ expect }) => {
    expect(timeoutOf(http(300), 10_000)).toBe(300)
    expect(timeoutOf(http(), 10_000)).toBe(10_000)
    expect(timeoutOf({ kind: 'r2', binding: 'B', prefix: '' }, 10_000)).toBe(10_000)
  })

  it('is the longest of a pool, its fallback included: any member may answer', ({ expect }) => {
    const pool = {
      kind: 'pool' as const,
      name: 'web',
      steering: 'failover' as const,
      members: [member('a', http(300)), member('b', http(2_000))],
      fallback: {
        kind: 'pool' as const,
        name: 'dr',
        steering: 'failover' as const,
        members: [member('c', http(5_000))],
      },
    }
    expect(timeoutOf(pool, 1_000)).toBe(5_000)
    expect(timeoutOf({ ...pool, fallback: undefined }, 1_000)).toBe(2_000)
  })
})
