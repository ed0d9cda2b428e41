/**
 * Regional buckets end to end through the edge, against moto: content a residency rule pins to
 * a region is read from that region's bucket only, wherever the client is; a region without a
 * bucket fails with `no_regional_bucket` instead of falling back to the default bucket; content
 * no rule pins comes from the default bucket. Needs the `S3_TEST_KEY`/`S3_TEST_SECRET` bindings
 * (see test/integration/archival.test.ts).
 */
import { env, exports } from 'cloudflare:workers'
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { drizzle } from 'drizzle-orm/d1'
import { beforeAll, describe, inject, it } from 'vitest'
import { s3Client } from '../../origin/s3'
import type { ResidencyRuleSpec } from '../../schemas/api/config'
import { residencyRulesTable } from '../../schemas/config/tables'
import type { S3TestServer } from '../setup/s3'
import { putZone } from '../support/config'
import { DFW, FRA, SIN } from '../support/pops'

const POPS = {
  FRA,
  DFW,
  SIN,
}
const HOST = 'regional.test'

const s3: S3TestServer = inject('s3') ?? { available: false, reason: 'inject("s3") is unset' }
const boundKey = Reflect.get(env, 'S3_TEST_KEY')
const skipReason = !s3.available
  ? `${s3.reason}; start moto with \`bash .scripts/s3-moto.sh start\``
  : typeof boundKey !== 'string' || boundKey !== s3.accessKeyId
    ? 'the Worker has no S3_TEST_KEY/S3_TEST_SECRET bindings for the running moto (test/vitest.config.ts)'
    : undefined

function get(path: string, pop: keyof typeof POPS, method = 'GET') {
  return exports.default.fetch(
    new Request(`https://${HOST}${path}`, { method, cf: POPS[pop] } as RequestInit)
  )
}

if (s3.available && skipReason === undefined) {
  const client = s3Client(s3)
  const id = crypto.randomUUID().slice(0, 8)
  const defaultBucket = `regional-default-${id}`
  const euBucket = `regional-eu-${id}`
  const put = (bucket: string, key: string, body: string) =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        CacheControl: 'public, max-age=600',
      })
    )

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: defaultBucket }))
    await client.send(new CreateBucketCommand({ Bucket: euBucket }))
    await Promise.all([
      put(defaultBucket, 'eu/doc.txt', 'default copy'),
      put(defaultBucket, 'apac/doc.txt', 'default copy'),
      put(defaultBucket, 'open/doc.txt', 'open: default bucket'),
      put(euBucket, 'eu/doc.txt', 'eu copy'),
      put(euBucket, 'eu/other.txt', 'eu other'),
      put(euBucket, 'open/doc.txt', 'open: eu bucket'),
    ])
    await putZone(env.CONFIG_DB, {
      name: 'regional',
      hosts: [HOST],
      origin: {
        kind: 's3',
        bucket: defaultBucket,
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        prefix: '',
        accessKeyIdSecret: 'S3_TEST_KEY',
        secretAccessKeySecret: 'S3_TEST_SECRET',
        regions: { eu: { bucket: euBucket, region: 'eu-central-1' } },
      },
    })
    const rules: Record<string, ResidencyRuleSpec> = {
      'eu-data': { pathPrefix: '/eu/', region: 'eu', mode: 'cache-in-region' },
      'apac-data': { pathPrefix: '/apac/', region: 'apac', mode: 'cache-in-region' },
    }
    await drizzle(env.CONFIG_DB)
      .insert(residencyRulesTable)
      .values(Object.entries(rules).map(([name, spec]) => ({ zone: 'regional', name, spec })))
      .onConflictDoNothing()
  })

  describe('regional buckets (moto)', () => {
    it('reads EU-resident content from the EU bucket, for an EU client', async ({ expect }) => {
      const res = await get('/eu/doc.txt', 'FRA')
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('eu copy')
    })

    it('reads EU-resident content from the EU bucket, for a US client too', async ({ expect }) => {
      const res = await get('/eu/other.txt', 'DFW')
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('eu other')
      expect(res.headers.get('edge-residency')).toMatch(/^eu; /)
    })

    it('fails clearly for a region without a bucket, never serving the default bucket', async ({
      expect,
    }) => {
      for (const pop of ['SIN', 'FRA'] as const) {
        const res = await get('/apac/doc.txt', pop)
        expect(res.status).toBe(500)
        expect(res.headers.get('cache-control')).toBe('no-store')
        expect(await res.json()).toEqual({
          error: {
            code: 'no_regional_bucket',
            message: 'the origin has no bucket for region apac',
            region: 'apac',
          },
        })
      }
    })

    it('fails the same way on the edge’s own path to the origin (uncached methods)', async ({
      expect,
    }) => {
      const res = await get('/apac/doc.txt', 'SIN', 'DELETE')
      expect(res.status).toBe(500)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'no_regional_bucket'
      )
    })

    it('reads content no rule pins from the default bucket', async ({ expect }) => {
      for (const pop of ['FRA', 'SIN'] as const) {
        const res = await get('/open/doc.txt', pop)
        expect(res.status).toBe(200)
        expect(await res.text()).toBe('open: default bucket')
      }
    })
  })
} else {
  describe('regional buckets (moto)', () => {
    it.skip(`skipped: ${skipReason}`, () => {})
  })
}
