/**
 * A tier shard's serving decisions, on a real Durable Object's SQLite (workerd) and the test's
 * loopback origin: each test builds the shard's parts (store, bodies, capacity, fills, origins)
 * as the CacheTier class does, on a ManualClock, and calls `serveRequest` with the purge index
 * it chooses. What each answer says (status, `Cache-Status`, `Age`, body), what the origin
 * received and what the store holds afterwards are the assertions.
 * @see edge-cache/tier/serve.ts
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, inject, it } from 'vitest'
import { type CacheStatusEntry, parseCacheStatus } from '../../../edge-cache/policy'
import { PurgeIndex, type PurgeRecord } from '../../../edge-cache/purge/purge-index'
import { DEFAULT_SKETCH_WIDTH, FrequencySketch } from '../../../edge-cache/tier/admission'
import { Bodies } from '../../../edge-cache/tier/bodies'
import type { CacheTier } from '../../../edge-cache/tier/cache-tier'
import { ShardCapacity } from '../../../edge-cache/tier/capacity'
import { type FillParts, ShardFills } from '../../../edge-cache/tier/fill'
import { Miniatures, SHARD_MINIATURES } from '../../../edge-cache/tier/miniatures'
import type { TierRequest } from '../../../edge-cache/tier/protocol'
import { RestoresStore } from '../../../edge-cache/tier/restores-store'
import { serveRequest } from '../../../edge-cache/tier/serve'
import { ShardOrigins } from '../../../edge-cache/tier/shard-origins'
import { type TierEntry, TierStore, variantKey } from '../../../edge-cache/tier/tier-store'
import { ManualClock } from '../../support/clock'
import type { OriginScript } from '../../support/origin'
import { originControl } from '../../support/origin-control'
import { tierRequest } from '../../support/tier-request'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)

/**
 * After the real clock, so the sweep alarm the shard's capacity sets on the object's storage
 * never comes due during a test (the CacheTier's own sweep runs on the system clock).
 */
const T0 = Date.UTC(2030, 0, 1)
const HOST = 'serve.test'
const NOTHING_PURGED = { seq: 0, floor: 0, records: [] }

/** The origin's Date at `seconds` after T0: the shard's clock and the origin's agree. */
const dateAt = (seconds = 0) => new Date(T0 + seconds * 1000).toUTCString()

/** A path no other test uses, on the origin and in the shard. */
const uniquePath = (name: string) => `/serve/${crypto.randomUUID()}/${name}`

/** What the shard answered, read whole inside the object. */
interface Answer {
  status: number
  headers: Headers
  body: string
  /** The shard's own `Cache-Status` entry. */
  cacheStatus: CacheStatusEntry | undefined
}

interface Shard {
  clock: ManualClock
  store: TierStore
  bodies: Bodies
  /**
   * Answers `request` as the shard does and reads the answer whole, then waits for the work
   * the shard left running (body writes, background revalidation).
   * @param purged the zone's purge log as the shard sees it
   */
  serve(request: TierRequest, purged?: PurgeIndex): Promise<Answer>
  /** Like `serve`, without waiting for the background work. */
  answer(request: TierRequest, purged?: PurgeIndex): Promise<Answer>
  /** Waits for the work the shard left running. */
  settle(): Promise<void>
  /** The stored entry of a URL without Vary, if any. */
  entry(url: string): TierEntry | undefined
}

interface ShardOptions {
  budget?: number
  r2Threshold?: number
  /** A fixed window share instead of the shard's miniatures (one copy, so never another). */
  windowShare?: number
}

/** Runs `fn` with the parts of a shard object no other test uses, wired as CacheTier does. */
function withShard<T>(fn: (shard: Shard) => Promise<T>, options: ShardOptions = {}): Promise<T> {
  const stub = env.CACHE_TIER.get(env.CACHE_TIER.idFromName(`tier:eu:${crypto.randomUUID()}`))
  return runInDurableObject(stub, async (_tier: CacheTier, state) => {
    const clock = new ManualClock(T0)
    const background: Promise<unknown>[] = []
    const waitUntil = (promise: Promise<unknown>) => {
      background.push(promise)
    }
    const store = new TierStore(state.storage.sql)
    const bodies = new Bodies(store, () => undefined, waitUntil)
    const capacity = new ShardCapacity({
      store,
      bodies,
      sketch: new FrequencySketch(DEFAULT_SKETCH_WIDTH, undefined, T0),
      miniatures: new Miniatures(
        options.budget ?? 8 * 1024 * 1024,
        options.windowShare === undefined
          ? SHARD_MINIATURES
          : { ...SHARD_MINIATURES, shares: [options.windowShare] }
      ),
      budget: options.budget ?? 8 * 1024 * 1024,
      r2Threshold: options.r2Threshold ?? 1024 * 1024,
      buckets: {},
      region: 'eu',
      alarms: state.storage,
      waitUntil,
      clock,
    })
    const origins = new ShardOrigins(env, 10_000, clock, async () => [])
    const fillParts: FillParts = {
      store,
      bodies,
      capacity,
      clock,
      region: 'eu',
      restores: () => new RestoresStore(state.storage.sql),
      originFor: (request) => origins.originFor(request),
      originTimeoutMs: (request) => origins.timeoutFor(request),
      waitUntil,
    }
    const parts = { ...fillParts, fills: new ShardFills(fillParts) }
    const settle = async () => {
      while (background.length > 0) await Promise.allSettled(background.splice(0))
    }
    const answer = async (request: TierRequest, purged = new PurgeIndex(NOTHING_PURGED)) => {
      const response = await serveRequest(parts, request, async () => purged)
      const body = await response.text()
      const cacheStatus = parseCacheStatus(response.headers.get('cache-status'))
      return {
        status: response.status,
        headers: response.headers,
        body,
        cacheStatus: cacheStatus[0],
      }
    }
    const serve = async (request: TierRequest, purged?: PurgeIndex) => {
      const answered = await answer(request, purged)
      await settle()
      return answered
    }
    const entry = (url: string) => store.get(variantKey(url, ''), clock.now())
    return fn({ clock, store, bodies, serve, answer, settle, entry })
  })
}

/** The edge's request for `path` on the test origin: no retries, so a failure is one attempt. */
function request(path: string, extra: Partial<TierRequest> = {}): TierRequest {
  const spec = { kind: 'http' as const, url: originUrl, resilience: { retries: 0 } }
  return tierRequest(originUrl, HOST, path, { origin: spec, ...extra })
}

/** The request with these end-to-end fields. */
function withHeaders(path: string, headers: Record<string, string>): TierRequest {
  return request(path, { headers: Object.entries(headers) })
}

const keyOf = (path: string) => `https://${HOST}${path}`

/** A zone purge log holding `records`, its sequence the newest of them. */
function purgeLog(...records: Omit<PurgeRecord, 'seq'>[]): PurgeIndex {
  const numbered = records.map((record, n) => ({ ...record, seq: n + 1 }))
  return new PurgeIndex({ seq: numbered.length, floor: 0, records: numbered })
}

/** A 200 the origin sends at `seconds` after T0. */
function sent(
  seconds: number,
  headers: Record<string, string>,
  extra: Partial<OriginScript> = {}
): OriginScript {
  return { headers: { date: dateAt(seconds), ...headers }, ...extra }
}

const TIER = 'edge-tier'

describe('serveRequest: a miss', () => {
  it('fills a miss from the origin and stores it at the purge sequence', async ({ expect }) => {
    const path = uniquePath('miss.txt')
    await origin.script(path, sent(0, { 'cache-control': 'max-age=60', etag: '"v1"' }))
    const got = await withShard(async (shard) => {
      const answer = await shard.serve(
        request(path),
        purgeLog({ kind: 'tag', value: 'x', soft: false })
      )
      return { answer, entry: shard.entry(keyOf(path)) }
    })
    expect(got.answer.status).toBe(200)
    expect(got.answer.body).toBe(`origin body for ${path}`)
    expect(got.answer.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'uri-miss',
      fwdStatus: 200,
      stored: true,
    })
    expect(got.answer.headers.get('server-timing')).toBe('tier;dur=0, origin;dur=0')
    expect(got.entry?.meta).toMatchObject({ status: 200, purgeSeq: 1, zone: 'serve' })
    expect(got.entry?.size).toBe(got.answer.body.length)
    const hits = await origin.hits(path)
    expect(hits).toHaveLength(1)
    expect(hits[0]?.headers['if-none-match']).toBeUndefined()
  })

  it('answers only-if-cached with 504 without asking the origin when nothing is stored', async ({
    expect,
  }) => {
    const path = uniquePath('only-if-cached.txt')
    const got = await withShard(async (shard) => ({
      answer: await shard.serve(withHeaders(path, { 'cache-control': 'only-if-cached' })),
      entry: shard.entry(keyOf(path)),
    }))
    expect(got.answer.status).toBe(504)
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'uri-miss' })
    expect(got.entry).toBeUndefined()
    expect(await origin.hits(path)).toHaveLength(0)
  })

  it('answers 502 when the origin is unreachable and nothing is stored', async ({ expect }) => {
    const path = uniquePath('unreachable.txt')
    await origin.script(path, { destroy: true })
    const got = await withShard(async (shard) => ({
      answer: await shard.serve(request(path)),
      entry: shard.entry(keyOf(path)),
    }))
    expect(got.answer.status).toBe(502)
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'uri-miss', detail: 'origin-error' })
    expect(got.entry).toBeUndefined()
  })
})

describe('serveRequest: a fresh entry', () => {
  it('answers a fresh entry itself, with its age and remaining ttl', async ({ expect }) => {
    const path = uniquePath('fresh.txt')
    // Chunked, without Content-Length: the stored answer declares the length it stored.
    await origin.script(path, sent(0, { 'cache-control': 'max-age=60' }, { chunked: true }))
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(10_000)
      return shard.serve(request(path))
    })
    expect(got.status).toBe(200)
    expect(got.body).toBe(`origin body for ${path}`)
    expect(got.headers.get('age')).toBe('10')
    expect(got.headers.get('content-length')).toBe(String(got.body.length))
    expect(got.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 50 })
    expect(got.headers.get('server-timing')).toBe('tier;dur=0')
    expect(await origin.hits(path)).toHaveLength(1)
  })
})

describe('serveRequest: a stale entry', () => {
  it('revalidates with the stored validator and answers the stored body on a 304', async ({
    expect,
  }) => {
    const path = uniquePath('revalidated.txt')
    const headers = { 'cache-control': 'max-age=60', etag: '"v1"' }
    await origin.script(path, { sequence: [sent(0, headers), sent(61, headers)] })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(61_000)
      const revalidated = await shard.serve(request(path))
      shard.clock.advance(30_000)
      return { revalidated, after: await shard.serve(request(path)) }
    })
    expect(got.revalidated.status).toBe(200)
    expect(got.revalidated.body).toBe(`origin body for ${path}`)
    expect(got.revalidated.cacheStatus).toEqual({ cache: TIER, fwd: 'stale', fwdStatus: 304 })
    expect(got.revalidated.headers.get('age')).toBe('0')
    // The 304 refreshed the stored entry: fresh again for its max-age, from the 304's time.
    expect(got.after.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 30 })
    const hits = await origin.hits(path)
    expect(hits.map((hit) => hit.headers['if-none-match'])).toEqual([undefined, '"v1"'])
  })

  it('replaces a stale entry the origin has changed', async ({ expect }) => {
    const path = uniquePath('changed.txt')
    await origin.script(path, {
      sequence: [
        sent(0, { 'cache-control': 'max-age=60', etag: '"v1"' }, { body: 'first' }),
        sent(61, { 'cache-control': 'max-age=60', etag: '"v2"' }, { body: 'second' }),
      ],
    })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(61_000)
      const answer = await shard.serve(request(path))
      return { answer, etag: new Headers(shard.entry(keyOf(path))?.headers).get('etag') }
    })
    expect(got.answer.body).toBe('second')
    expect(got.answer.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'stale',
      fwdStatus: 200,
      stored: true,
    })
    expect(got.etag).toBe('"v2"')
  })

  it('forwards a request whose own directives refuse the stored entry as fwd=request', async ({
    expect,
  }) => {
    const path = uniquePath('no-cache-request.txt')
    const headers = { 'cache-control': 'max-age=60', etag: '"v1"' }
    await origin.script(path, { sequence: [sent(0, headers), sent(5, headers)] })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(5_000)
      return shard.serve(withHeaders(path, { 'cache-control': 'no-cache' }))
    })
    expect(got.status).toBe(200)
    expect(got.cacheStatus).toEqual({ cache: TIER, fwd: 'request', fwdStatus: 304 })
    const hits = await origin.hits(path)
    expect(hits[1]?.headers['if-none-match']).toBe('"v1"')
  })

  it('answers only-if-cached with 504 for a stale entry, without asking the origin', async ({
    expect,
  }) => {
    const path = uniquePath('stale-only-if-cached.txt')
    await origin.script(path, sent(0, { 'cache-control': 'max-age=60', etag: '"v1"' }))
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(61_000)
      const answer = await shard.serve(withHeaders(path, { 'cache-control': 'only-if-cached' }))
      return { answer, entry: shard.entry(keyOf(path)) }
    })
    expect(got.answer.status).toBe(504)
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'stale' })
    expect(got.entry).toBeDefined()
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('answers from the stale body it holds even when the entry is deleted during the revalidation', async ({
    expect,
  }) => {
    const path = uniquePath('deleted-while-revalidating.txt')
    const headers = { 'cache-control': 'max-age=60', etag: '"v1"' }
    // The origin holds its 304 until the test has deleted the entry.
    const later = sent(61, headers, { holdUntil: path })
    await origin.script(path, { sequence: [sent(0, headers, { body: 'held body' }), later] })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(61_000)
      const revalidating = shard.answer(request(path))
      await expect.poll(async () => (await origin.hits(path)).length).toBe(2)
      const doomed = shard.store.deleteVariant(variantKey(keyOf(path), ''))
      if (doomed) shard.bodies.release(doomed)
      await origin.open(path)
      const answer = await revalidating
      await shard.settle()
      return { answer, entry: shard.entry(keyOf(path)) }
    })
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'stale', fwdStatus: 304 })
    expect(got.answer.body).toBe('held body')
    expect(got.entry).toBeUndefined()
  })
})

describe('serveRequest: stale-while-revalidate', () => {
  const headers = { 'cache-control': 'max-age=10, stale-while-revalidate=60', etag: '"v1"' }

  it('serves the stale entry at once and revalidates it in the background', async ({ expect }) => {
    const path = uniquePath('swr.txt')
    await origin.script(path, { sequence: [sent(0, headers), sent(20, headers)] })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(20_000)
      const stale = await shard.answer(request(path))
      await shard.settle()
      return { stale, after: await shard.serve(request(path)) }
    })
    expect(got.stale.status).toBe(200)
    expect(got.stale.body).toBe(`origin body for ${path}`)
    expect(got.stale.headers.get('age')).toBe('20')
    expect(got.stale.cacheStatus).toEqual({
      cache: TIER,
      hit: true,
      ttl: -10,
      detail: 'stale-while-revalidate',
    })
    // The background revalidation's 304 refreshed the entry: fresh for max-age from then.
    expect(got.after.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 10 })
    const hits = await origin.hits(path)
    expect(hits.map((hit) => hit.headers['if-none-match'])).toEqual([undefined, '"v1"'])
  })

  it('revalidates once however many requests meet the stale entry', async ({ expect }) => {
    const path = uniquePath('swr-once.txt')
    await origin.script(path, { sequence: [sent(0, headers), sent(20, headers)] })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(20_000)
      const answers = await Promise.all([shard.answer(request(path)), shard.answer(request(path))])
      await shard.settle()
      return answers
    })
    expect(got.map((answer) => answer.cacheStatus?.detail)).toEqual([
      'stale-while-revalidate',
      'stale-while-revalidate',
    ])
    expect(await origin.hits(path)).toHaveLength(2)
  })
})

describe('serveRequest: origin failures with a stale entry', () => {
  /** Stores `cacheControl` content, then has the origin answer `failure` 20 s later. */
  async function failing(name: string, cacheControl: string, failure: OriginScript) {
    const path = uniquePath(name)
    const stored = sent(0, { 'cache-control': cacheControl, etag: '"v1"' }, { body: 'stored' })
    await origin.script(path, { sequence: [stored, failure] })
    return path
  }

  /** Stores, moves 20 s on and asks again, with `extra` on the second request. */
  const staleAnswer = (path: string, extra: Partial<TierRequest> = {}) =>
    withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(20_000)
      const answer = await shard.serve(request(path, extra))
      return { answer, entry: shard.entry(keyOf(path)) }
    })

  const error503 = sent(20, { 'cache-control': 'no-store', etag: '"e"' }, { status: 503 })

  it('serves the stale entry for a 5xx within stale-if-error', async ({ expect }) => {
    const path = await failing('sie-503.txt', 'max-age=10, stale-if-error=60', error503)
    const got = await staleAnswer(path)
    expect(got.answer.status).toBe(200)
    expect(got.answer.body).toBe('stored')
    expect(got.answer.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'stale',
      fwdStatus: 503,
      detail: 'stale-if-error',
    })
    expect(got.entry?.bodyId).toBeDefined()
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('passes a 5xx on when the entry allows no stale-if-error', async ({ expect }) => {
    const path = await failing('no-sie-503.txt', 'max-age=10', error503)
    const got = await staleAnswer(path)
    expect(got.answer.status).toBe(503)
    expect(got.answer.body).not.toBe('stored')
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'stale', fwdStatus: 503 })
  })

  it('passes a 5xx on once the stale-if-error window is over', async ({ expect }) => {
    const path = await failing('sie-over.txt', 'max-age=10, stale-if-error=5', error503)
    const got = await staleAnswer(path)
    expect(got.answer.status).toBe(503)
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'stale', fwdStatus: 503 })
  })

  it('serves the stale entry while the origin is unreachable, without stale-if-error (RFC 9111 §4.2.4)', async ({
    expect,
  }) => {
    const path = await failing('down.txt', 'max-age=10', { destroy: true })
    const got = await staleAnswer(path)
    expect(got.answer.status).toBe(200)
    expect(got.answer.body).toBe('stored')
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'stale', detail: 'origin-down' })
  })

  it('answers 502 while the origin is unreachable when the entry forbids stale use', async ({
    expect,
  }) => {
    const path = await failing('down-must-revalidate.txt', 'max-age=10, must-revalidate', {
      destroy: true,
    })
    const got = await staleAnswer(path)
    expect(got.answer.status).toBe(502)
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'stale', detail: 'origin-error' })
  })

  // An origin the zone was not granted fails before anything is sent: a failure, not an outage.
  const ungranted = { origin: { kind: 'r2' as const, binding: 'ORIGIN_BUCKET', prefix: '' } }

  it('serves the stale entry within stale-if-error when the origin fails without an outage', async ({
    expect,
  }) => {
    const path = await failing('sie-failed.txt', 'max-age=10, stale-if-error=60', error503)
    const got = await staleAnswer(path, ungranted)
    expect(got.answer.status).toBe(200)
    expect(got.answer.body).toBe('stored')
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'stale', detail: 'stale-if-error' })
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('answers the failure when the origin fails without an outage and no stale-if-error', async ({
    expect,
  }) => {
    const path = await failing('failed.txt', 'max-age=10', error503)
    const got = await staleAnswer(path, ungranted)
    expect(got.answer.status).toBe(502)
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'stale', detail: 'origin-error' })
  })
})

describe('serveRequest: purges', () => {
  const headers = { 'cache-control': 'max-age=60', etag: '"v1"' }

  it('refetches an entry a newer hard purge covers, and stores it at the purge’s sequence', async ({
    expect,
  }) => {
    const path = uniquePath('purged.txt')
    await origin.script(path, { sequence: [sent(0, headers), sent(5, headers)] })
    const purged = purgeLog({ kind: 'url', value: `${HOST}${path}`, soft: false })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(5_000)
      const refetched = await shard.serve(request(path), purged)
      return {
        refetched,
        entry: shard.entry(keyOf(path)),
        after: await shard.serve(request(path), purged),
      }
    })
    expect(got.refetched.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'uri-miss',
      fwdStatus: 200,
      stored: true,
    })
    expect(got.entry?.meta.purgeSeq).toBe(1)
    expect(got.after.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 60 })
    // Not a revalidation: the purged entry's validator is not sent.
    const hits = await origin.hits(path)
    expect(hits.map((hit) => hit.headers['if-none-match'])).toEqual([undefined, undefined])
  })

  it('serves an entry that purges of other URLs do not cover', async ({ expect }) => {
    const path = uniquePath('not-purged.txt')
    await origin.script(path, sent(0, headers))
    const other = purgeLog({ kind: 'url', value: `${HOST}/elsewhere`, soft: false })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      return shard.serve(request(path), other)
    })
    expect(got.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 60 })
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('deletes a purged entry at once, even when only-if-cached keeps the origin out', async ({
    expect,
  }) => {
    const path = uniquePath('purged-only-if-cached.txt')
    await origin.script(path, sent(0, headers))
    const purged = purgeLog({ kind: 'host', value: HOST, soft: false })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      const only = withHeaders(path, { 'cache-control': 'only-if-cached' })
      return { answer: await shard.serve(only, purged), entry: shard.entry(keyOf(path)) }
    })
    expect(got.answer.status).toBe(504)
    expect(got.answer.cacheStatus).toEqual({ cache: TIER, fwd: 'uri-miss' })
    expect(got.entry).toBeUndefined()
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('reports a purged variant of a URL with Vary as a uri-miss, not a vary-miss', async ({
    expect,
  }) => {
    const path = uniquePath('purged-variant.txt')
    const varying = { 'cache-control': 'max-age=60', vary: 'accept-language' }
    await origin.script(path, { sequence: [sent(0, varying), sent(5, varying)] })
    const purged = purgeLog({ kind: 'url', value: `${HOST}${path}`, soft: false })
    const english = withHeaders(path, { 'accept-language': 'en' })
    const got = await withShard(async (shard) => {
      await shard.serve(english)
      shard.clock.advance(5_000)
      return shard.serve(english, purged)
    })
    expect(got.cacheStatus).toEqual({ cache: TIER, fwd: 'uri-miss', fwdStatus: 200, stored: true })
  })

  it('reports a miss of a URL without Vary as a uri-miss after a pushed purge deleted it', async ({
    expect,
  }) => {
    const path = uniquePath('pushed-purge.txt')
    await origin.script(path, { sequence: [sent(0, headers), sent(5, headers)] })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      // As CacheTier.applyPurges deletes: the variant goes, the URL's Vary record stays.
      const body = shard.store.deleteVariant(variantKey(keyOf(path), ''))
      if (body) shard.bodies.release(body)
      shard.clock.advance(5_000)
      return shard.serve(request(path))
    })
    expect(got.cacheStatus).toEqual({ cache: TIER, fwd: 'uri-miss', fwdStatus: 200, stored: true })
  })

  it('revalidates a fresh entry a soft purge covers, as a stale one', async ({ expect }) => {
    const path = uniquePath('soft-purged.txt')
    await origin.script(path, { sequence: [sent(0, headers), sent(5, headers)] })
    const softly = purgeLog({ kind: 'url', value: `${HOST}${path}`, soft: true })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(5_000)
      return shard.serve(request(path), softly)
    })
    expect(got.status).toBe(200)
    expect(got.cacheStatus).toEqual({ cache: TIER, fwd: 'stale', fwdStatus: 304 })
    const hits = await origin.hits(path)
    expect(hits.map((hit) => hit.headers['if-none-match'])).toEqual([undefined, '"v1"'])
  })

  it('does not serve an entry stored for another zone (a host that moved)', async ({ expect }) => {
    const path = uniquePath('moved.txt')
    await origin.script(path, { sequence: [sent(0, headers), sent(5, headers)] })
    const moved = request(path, { purge: { zone: 'moved', minSeq: 0 } })
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      shard.clock.advance(5_000)
      return { answer: await shard.serve(moved), entry: shard.entry(keyOf(path)) }
    })
    expect(got.answer.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'uri-miss',
      fwdStatus: 200,
      stored: true,
    })
    expect(got.entry?.meta.zone).toBe('moved')
    expect(await origin.hits(path)).toHaveLength(2)
  })
})

describe('serveRequest: Vary', () => {
  it('keeps a variant per Vary value: another value is a vary-miss, the same one a hit', async ({
    expect,
  }) => {
    const path = uniquePath('vary.txt')
    await origin.script(path, {
      ...sent(0, { 'cache-control': 'max-age=60', vary: 'accept-language' }),
      body: 'lang',
      echoHeaders: ['accept-language'],
    })
    const inLanguage = (lang: string) => withHeaders(path, { 'accept-language': lang })
    const got = await withShard(async (shard) => ({
      first: await shard.serve(inLanguage('en')),
      other: await shard.serve(inLanguage('fr')),
      again: await shard.serve(inLanguage('en')),
    }))
    expect(got.first.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'uri-miss',
      fwdStatus: 200,
      stored: true,
    })
    expect(got.other.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'vary-miss',
      fwdStatus: 200,
      stored: true,
    })
    expect(got.other.body).toBe('lang\naccept-language: fr')
    expect(got.again.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 60 })
    expect(got.again.body).toBe('lang\naccept-language: en')
    expect(await origin.hits(path)).toHaveLength(2)
  })
})

describe('serveRequest: ranges', () => {
  const TEN = '0123456789'

  /** The request for `path` with the client's range, for bodies over `minSize` bytes. */
  const ranged = (path: string, value: string, minSize = 0) =>
    request(path, { range: { value, minSize } })

  async function rangedBody(name: string) {
    const path = uniquePath(name)
    await origin.script(path, sent(0, { 'cache-control': 'max-age=60' }, { body: TEN }))
    return path
  }

  it('answers a range of a stored entry with 206 from its rows', async ({ expect }) => {
    const path = await rangedBody('range.txt')
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      return shard.serve(ranged(path, 'bytes=2-5'))
    })
    expect(got.status).toBe(206)
    expect(got.body).toBe('2345')
    expect(got.headers.get('content-range')).toBe('bytes 2-5/10')
    expect(got.headers.get('content-length')).toBe('4')
    expect(got.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 60 })
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('answers 416 for a range that starts past a stored entry’s end', async ({ expect }) => {
    const path = await rangedBody('range-416.txt')
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      return shard.serve(ranged(path, 'bytes=20-'))
    })
    expect(got.status).toBe(416)
    expect(got.headers.get('content-range')).toBe('bytes */10')
    expect(got.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 60 })
  })

  it('answers the whole body when it is no larger than the edge keeps itself', async ({
    expect,
  }) => {
    const path = await rangedBody('range-small.txt')
    const got = await withShard(async (shard) => {
      await shard.serve(request(path))
      return shard.serve(ranged(path, 'bytes=2-5', 10))
    })
    expect(got.status).toBe(200)
    expect(got.body).toBe(TEN)
  })

  it('answers a range on a miss from the fill, which stores the whole body', async ({ expect }) => {
    const path = await rangedBody('range-miss.txt')
    const got = await withShard(async (shard) => ({
      partial: await shard.serve(ranged(path, 'bytes=7-')),
      whole: await shard.serve(request(path)),
    }))
    expect(got.partial.status).toBe(206)
    expect(got.partial.body).toBe('789')
    expect(got.partial.headers.get('content-range')).toBe('bytes 7-9/10')
    expect(got.partial.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'uri-miss',
      fwdStatus: 200,
      stored: true,
    })
    expect(got.whole.body).toBe(TEN)
    expect(got.whole.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 60 })
    const hits = await origin.hits(path)
    expect(hits).toHaveLength(1)
    expect(hits[0]?.headers.range).toBeUndefined()
  })
})

describe('serveRequest: collapsing and passing', () => {
  it('collapses concurrent misses into one origin fetch whose body both stream', async ({
    expect,
  }) => {
    const path = uniquePath('collapsed.txt')
    await origin.script(path, sent(0, { 'cache-control': 'max-age=60' }))
    const got = await withShard(async (shard) => {
      const answers = await Promise.all([shard.answer(request(path)), shard.answer(request(path))])
      await shard.settle()
      return answers
    })
    const [leader, joiner] = got
    expect(leader?.body).toBe(`origin body for ${path}`)
    expect(joiner?.body).toBe(leader?.body)
    expect(leader?.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'uri-miss',
      fwdStatus: 200,
      stored: true,
    })
    expect(joiner?.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'uri-miss',
      fwdStatus: 200,
      stored: true,
      collapsed: true,
    })
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('gives the origin’s fields a shared cache may not reuse to the leader only', async ({
    expect,
  }) => {
    const path = uniquePath('private-field.txt')
    const headers = { 'cache-control': 'max-age=60, private="x-user"', 'x-user': 'alice' }
    await origin.script(path, sent(0, headers))
    const got = await withShard(async (shard) => {
      const [leader, joiner] = await Promise.all([
        shard.answer(request(path)),
        shard.answer(request(path)),
      ])
      await shard.settle()
      return { leader, joiner, hit: await shard.serve(request(path)) }
    })
    expect(got.leader.headers.get('x-user')).toBe('alice')
    expect(got.joiner.cacheStatus?.collapsed).toBe(true)
    expect(got.joiner.headers.get('x-user')).toBeNull()
    expect(got.hit.cacheStatus).toEqual({ cache: TIER, hit: true, ttl: 60 })
    expect(got.hit.headers.get('x-user')).toBeNull()
  })

  it('passes a response it may not store and keeps nothing', async ({ expect }) => {
    const path = uniquePath('pass.txt')
    await origin.script(path, sent(0, { 'cache-control': 'private, max-age=60' }))
    const got = await withShard(async (shard) => ({
      first: await shard.serve(request(path)),
      second: await shard.serve(request(path)),
      vary: shard.store.varyFields(keyOf(path)),
      usage: shard.store.usage(),
    }))
    expect(got.first.status).toBe(200)
    expect(got.first.body).toBe(`origin body for ${path}`)
    expect(got.first.cacheStatus).toEqual({ cache: TIER, fwd: 'uri-miss', fwdStatus: 200 })
    expect(got.second.cacheStatus).toEqual({ cache: TIER, fwd: 'uri-miss', fwdStatus: 200 })
    expect(got.vary).toBeUndefined()
    expect(got.usage.entries).toBe(0)
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('has a request that joined a fill that passes fetch its own response', async ({ expect }) => {
    const path = uniquePath('pass-collapsed.txt')
    await origin.script(path, sent(0, { 'cache-control': 'no-store' }))
    const got = await withShard(async (shard) => {
      const answers = await Promise.all([shard.answer(request(path)), shard.answer(request(path))])
      await shard.settle()
      return answers
    })
    for (const answer of got) {
      expect(answer.status).toBe(200)
      expect(answer.body).toBe(`origin body for ${path}`)
      expect(answer.cacheStatus).toEqual({ cache: TIER, fwd: 'uri-miss', fwdStatus: 200 })
    }
    expect(await origin.hits(path)).toHaveLength(2)
  })
})

describe('serveRequest: the admission window (W-TinyLFU)', () => {
  /** Five 10-byte objects asked once each, in order, of a 40-byte shard: what each holds. */
  async function fillFive(windowShare: number) {
    const paths = ['a', 'b', 'c', 'd', 'e'].map((name) => uniquePath(`window-${name}.txt`))
    for (const path of paths) {
      await origin.script(path, sent(0, { 'cache-control': 'max-age=60' }, { body: '0123456789' }))
    }
    return withShard(
      async (shard) => {
        const details: (string | undefined)[] = []
        for (const path of paths) {
          details.push((await shard.serve(request(path))).cacheStatus?.detail)
          shard.clock.advance(2000)
        }
        const placed = paths.map((path) => shard.store.placed(variantKey(keyOf(path), ''))?.segment)
        return { details, placed, usage: shard.store.segmentUsage() }
      },
      { budget: 40, windowShare }
    )
  }

  it('without a window, turns a newcomer no more popular than the victims away', async ({
    expect,
  }) => {
    const got = await fillFive(0)
    expect(got.details).toEqual([undefined, undefined, undefined, undefined, 'not-admitted'])
    expect(got.placed).toEqual(['main', 'main', 'main', 'main', undefined])
    expect(got.usage).toEqual({ window: 0, main: 40 })
  })

  it('with one, lets newcomers in through the window; an exit that loses to main leaves', async ({
    expect,
  }) => {
    const got = await fillFive(0.5)
    // a and b left the window while main had room; c left it once main was full, and lost.
    expect(got.details).toEqual([undefined, undefined, undefined, undefined, undefined])
    expect(got.placed).toEqual(['main', 'main', undefined, 'window', 'window'])
    expect(got.usage).toEqual({ window: 20, main: 20 })
  })
})

describe('serveRequest: what a fill may not keep', () => {
  it('streams a body that loses admission without keeping it (detail=not-admitted)', async ({
    expect,
  }) => {
    const path = uniquePath('not-admitted.txt')
    await origin.script(path, sent(0, { 'cache-control': 'max-age=60' }, { body: 'over budget' }))
    const got = await withShard(
      async (shard) => ({
        answer: await shard.serve(request(path)),
        entry: shard.entry(keyOf(path)),
      }),
      { budget: 4 }
    )
    expect(got.answer.body).toBe('over budget')
    expect(got.answer.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'uri-miss',
      fwdStatus: 200,
      detail: 'not-admitted',
    })
    expect(got.entry).toBeUndefined()
  })

  it('names why resident content too large for the shard is not kept', async ({ expect }) => {
    const path = uniquePath('resident.txt')
    const body = 'x'.repeat(20)
    await origin.script(path, sent(0, { 'cache-control': 'max-age=60' }, { body }))
    const residency = { rule: 'eu-only', region: 'eu', mode: 'cache-in-region' } as const
    const got = await withShard(
      async (shard) => ({
        answer: await shard.serve(request(path, { residency })),
        entry: shard.entry(keyOf(path)),
      }),
      // Resident bodies over 4 × 4 bytes have no place on a shard without a regional bucket.
      { r2Threshold: 4 }
    )
    expect(got.answer.body).toBe(body)
    expect(got.answer.cacheStatus).toEqual({
      cache: TIER,
      fwd: 'uri-miss',
      fwdStatus: 200,
      detail: 'resident-no-bucket',
    })
    expect(got.entry).toBeUndefined()
  })
})
