/**
 * Archived objects end to end through the edge (`exports.default.fetch`), against moto over
 * real HTTP with SigV4 verified: a GLACIER object answers 503 + Retry-After + JSON while exactly
 * one RestoreObject is started (counted twice: by a counting pass-through proxy in front of
 * moto, and in the tier shard's `restores` table); once restored (moto restores at once) it is
 * served and cached in the tier only, never in L1.
 *
 * The Worker resolves the origin's keys from the secrets `S3_TEST_KEY` / `S3_TEST_SECRET`, which
 * test/vitest.config.ts binds from moto's credentials file; without them (or without moto) the
 * tests skip and say why.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import {
  CreateBucketCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3'
import { beforeAll, describe, inject, it, onTestFinished } from 'vitest'
import type { CacheTier } from '../../edge-cache/tier/cache-tier'
import { s3Client } from '../../origin/s3'
import { REGIONS } from '../../schemas/regions'
import type { S3TestServer } from '../setup/s3'
import { ManualClock } from '../support/clock'
import { putZone } from '../support/config'
import type { OriginHit } from '../support/origin'
import { originControl } from '../support/origin-control'
import { AMS, FRA } from '../support/pops'
import { setTierClock, tierShardOf } from '../support/tier-clock'

const HOST = 'archive.test'

const s3: S3TestServer = inject('s3') ?? { available: false, reason: 'inject("s3") is unset' }
const boundKey = Reflect.get(env, 'S3_TEST_KEY')
const skipReason = !s3.available
  ? `${s3.reason}; start moto with \`bash .scripts/s3-moto.sh start\``
  : typeof boundKey !== 'string' || boundKey === ''
    ? 'the Worker has no S3_TEST_KEY/S3_TEST_SECRET bindings (test/vitest.config.ts miniflare.bindings)'
    : boundKey !== s3.accessKeyId
      ? 'S3_TEST_KEY is not the running moto’s key (moto restarted after the config was read?)'
      : undefined

function get(path: string, cf: object = FRA) {
  return exports.default.fetch(new Request(`https://${HOST}${path}`, { cf } as RequestInit))
}

interface ErrorBody {
  error: { code: string; message: string; retryAfterSeconds: number; storageClass: string }
}

/** `restores` rows of every EU tier shard (FRA and AMS are served by the EU tier). */
async function restoreRows(): Promise<{ key: string; started_at: number }[]> {
  const eu = REGIONS.find((r) => r.name === 'eu')
  const rows: { key: string; started_at: number }[] = []
  for (let n = 0; n < (eu?.shards ?? 0); n++) {
    const stub = env.CACHE_TIER.get(env.CACHE_TIER.idFromName(`tier:eu:${n}`))
    const found = await runInDurableObject(stub, (_tier: CacheTier, state) => {
      const table = state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name = 'restores'")
        .toArray()
      if (table.length === 0) return []
      return state.storage.sql
        .exec<{ key: string; started_at: number }>('SELECT key, started_at FROM restores')
        .toArray()
    })
    rows.push(...found)
  }
  return rows
}

const isRestore = (key: string) => (hit: OriginHit) =>
  hit.method === 'POST' && hit.url.startsWith(`/${key}?restore`)

if (s3.available && skipReason === undefined) {
  const client = s3Client(s3)
  const bucket = `archival-${crypto.randomUUID().slice(0, 8)}`
  const put = (key: string, body: string, extra: Partial<PutObjectCommandInput> = {}) =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'text/plain',
        CacheControl: 'public, max-age=600',
        ...extra,
      })
    )
  let proxy: { url: string; hits(): Promise<OriginHit[]> }

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
    proxy = await originControl(inject('originUrl')).proxy(s3.endpoint)
    await putZone(env.CONFIG_DB, {
      name: 'archive',
      hosts: [HOST],
      origin: {
        kind: 's3',
        bucket,
        region: s3.region,
        // Every S3 request of the Worker goes through the counting proxy to moto.
        endpoint: proxy.url,
        forcePathStyle: true,
        prefix: '',
        accessKeyIdSecret: 'S3_TEST_KEY',
        secretAccessKeySecret: 'S3_TEST_SECRET',
        timeoutMs: 5000,
      },
      route: {
        archival: {
          prefix: '/cold/',
          restoreDays: 2,
          restoreTier: 'Bulk',
          restoreWindowSeconds: 3,
        },
      },
    })
  })

  describe('archived objects through the edge (moto)', () => {
    it('GLACIER: 503 + Retry-After + JSON to many concurrent clients, exactly one RestoreObject; then 200, cached in the tier only', async ({
      expect,
    }) => {
      await put('cold/report.txt', 'cold data', { StorageClass: 'GLACIER' })

      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => get('/cold/report.txt', i % 2 ? FRA : AMS))
      )
      const answers = await Promise.all(
        responses.map(async (res) => ({
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          cacheControl: res.headers.get('cache-control'),
          body: res.status === 503 ? ((await res.json()) as ErrorBody) : await res.text(),
        }))
      )
      const restoring = answers.filter((a) => a.status === 503)
      // moto restores at once, so a client arriving after the restore may already read it.
      expect(restoring.length).toBeGreaterThan(0)
      expect(answers.filter((a) => a.status !== 503)).toEqual(
        answers
          .filter((a) => a.status !== 503)
          .map((a) => ({ ...a, status: 200, body: 'cold data' }))
      )
      for (const answer of restoring) {
        expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(60)
        expect(answer.cacheControl).toBe('no-store')
        expect(answer.body).toEqual({
          error: {
            code: 'object_restoring',
            message: '/cold/report.txt is being restored from archival storage (GLACIER)',
            storageClass: 'GLACIER',
            // Bulk restores of GLACIER take up to 12 hours
            retryAfterSeconds: 12 * 3600,
          },
        })
      }
      const restores = (await proxy.hits()).filter(isRestore(`${bucket}/cold/report.txt`))
      expect(restores).toHaveLength(1)
      expect((await restoreRows()).filter((r) => r.key.endsWith('/cold/report.txt'))).toEqual([
        { key: `s3://${bucket}/cold/report.txt`, started_at: expect.any(Number) },
      ])

      // Restored: served, stored in the tier, not in L1.
      const served = await get('/cold/report.txt')
      expect(served.status).toBe(200)
      expect(await served.text()).toBe('cold data')
      expect(served.headers.get('edge-l1')).toBeNull()
      expect(served.headers.get('cache-status')).toMatch(/edge-l1; fwd=uri-miss.*detail=tier-only/)

      const gets = (await proxy.hits()).filter((h) => h.method === 'GET').length
      const hit = await get('/cold/report.txt')
      expect(hit.status).toBe(200)
      expect(await hit.text()).toBe('cold data')
      expect(hit.headers.get('cache-status')).toMatch(
        /^edge-tier; hit; ttl=\d+, edge-l1; fwd=uri-miss; fwd-status=200; detail=tier-only$/
      )
      // another PoP of the region: a tier hit too
      const elsewhere = await get('/cold/report.txt', AMS)
      expect(elsewhere.headers.get('cache-status')).toMatch(/^edge-tier; hit/)
      await elsewhere.arrayBuffer()
      expect((await proxy.hits()).filter((h) => h.method === 'GET')).toHaveLength(gets)
      expect((await proxy.hits()).filter(isRestore(`${bucket}/cold/report.txt`))).toHaveLength(1)
    })

    it('does not start a restore again while one stands, and does once the window has passed', async ({
      expect,
    }) => {
      const key = 'cold/again.txt'
      const restoresOf = async () =>
        (await proxy.hits()).filter(isRestore(`${bucket}/${key}`)).length
      // The restore window is the shard's time: a manual clock moves it.
      const clock = new ManualClock(Date.now())
      onTestFinished(await setTierClock([tierShardOf(`https://${HOST}/${key}`)], clock))
      await put(key, 'again', { StorageClass: 'DEEP_ARCHIVE' })
      const first = await get(`/${key}`)
      expect(first.status).toBe(503)
      expect(((await first.json()) as ErrorBody).error.storageClass).toBe('DEEP_ARCHIVE')
      expect(await restoresOf()).toBe(1)

      // Archived again (moto forgets the restore): the restore recorded 0 s ago still stands.
      await put(key, 'again', { StorageClass: 'DEEP_ARCHIVE' })
      for (let i = 0; i < 3; i++) {
        const res = await get(`/${key}`)
        expect(res.status).toBe(503)
        expect(((await res.json()) as ErrorBody).error.code).toBe('object_restoring')
      }
      expect(await restoresOf()).toBe(1)

      // The route's window (3 s) passes: the next request asks S3 again.
      clock.advance(3100)
      const later = await get(`/${key}`)
      expect(later.status).toBe(503)
      await later.arrayBuffer()
      expect(await restoresOf()).toBe(2)
      const restored = await get(`/${key}`)
      expect(restored.status).toBe(200)
      expect(await restored.text()).toBe('again')
    })

    it('caches objects outside the archival prefix in L1 as usual', async ({ expect }) => {
      await put('hot/page.txt', 'hot data')
      const first = await get('/hot/page.txt')
      expect(await first.text()).toBe('hot data')
      expect(first.headers.get('cache-status')).toMatch(
        /edge-l1; fwd=uri-miss; fwd-status=200; stored$/
      )
      const second = await get('/hot/page.txt')
      expect(second.headers.get('cache-status')).toMatch(/^edge-l1; hit/)
      await second.arrayBuffer()
    })

    it('restores an archived object outside the archival prefix too (route settings apply)', async ({
      expect,
    }) => {
      await put('warm/old.txt', 'old', { StorageClass: 'GLACIER' })
      const res = await get('/warm/old.txt')
      expect(res.status).toBe(503)
      expect(((await res.json()) as ErrorBody).error.code).toBe('object_restoring')
      expect((await proxy.hits()).filter(isRestore(`${bucket}/warm/old.txt`))).toHaveLength(1)
      const after = await get('/warm/old.txt')
      expect(after.status).toBe(200)
      expect(await after.text()).toBe('old')
    })
  })
} else {
  describe('archived objects through the edge (moto)', () => {
    it.skip(`skipped: ${skipReason}`, () => {})
  })
  console.warn(`archival tests skipped: ${skipReason}`)
}
