/**
 * `serveFromEdge` inside workerd (it streams into the Cache API through FixedLengthStream), with
 * real dependencies: this PoP's L1, the test's loopback HTTP origin, an empty purge index, and a
 * manual clock, so freshness is decided without waiting. Runs in the `workers` project.
 */
import { beforeEach, describe, expect, inject, it } from 'vitest'
import { serveFromEdge } from '../../edge-cache/edge'
import type { EdgeDependencies, EdgeRequest } from '../../edge-cache/edge-request'
import { entryMetaOf } from '../../edge-cache/entry'
import { cacheKey } from '../../edge-cache/key'
import { PurgeIndex } from '../../edge-cache/purge/purge-index'
import { L1Cache } from '../../edge-cache/store/l1'
import { POP_FILL_WAIT_MS } from '../../edge-cache/store/pop-fill'
import { NO_GRANTS, originDependencies } from '../../origin/dependencies'
import { selectOrigin } from '../../origin/select'
import { ManualClock } from '../support/clock'
import { originControl } from '../support/origin-control'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
let run = 0

interface Harness {
  deps: EdgeDependencies & { l1: L1Cache }
  clock: ManualClock
  pending: Promise<unknown>[]
  purgedTags: string[]
  /** Every pause the request path asked for, in ms (each advances the manual clock). */
  pauses: number[]
  /** What "another isolate of the PoP" does while the request pauses. */
  duringPause?: () => Promise<void>
}

let harness: Harness

beforeEach(async () => {
  run++
  const clock = new ManualClock(Date.now())
  const pending: Promise<unknown>[] = []
  const purgedTags: string[] = []
  const pauses: number[] = []
  harness = {
    clock,
    pending,
    purgedTags,
    pauses,
    deps: {
      l1: await L1Cache.open(`edge-test-${run}`),
      tier: () => Promise.reject(new Error('no tier in this test')),
      invalidateTier: async () => {},
      purgeTags: async (tags) => {
        purgedTags.push(...tags)
      },
      origin: () =>
        selectOrigin({ kind: 'http', url: originUrl }, originDependencies({}, NO_GRANTS, 5000)),
      originTimeoutMs: 5000,
      waitUntil: (promise) => pending.push(promise),
      clock,
      purge: new PurgeIndex({ seq: 0, floor: 0, records: [] }),
      pause: async (ms) => {
        pauses.push(ms)
        clock.advance(ms)
        await harness.duringPause?.()
      },
    },
  }
})

function edgeRequest(path: string, init: RequestInit = {}, overrides: Partial<EdgeRequest> = {}) {
  const url = new URL(`https://edge.test${path}`)
  return {
    request: new Request(url, init),
    zone: 'edge',
    key: cacheKey(url),
    originPath: url.pathname,
    search: url.search,
    tier: { origin: { kind: 'http', url: originUrl }, grants: NO_GRANTS, allowSetCookie: false },
    rules: [],
    bypass: false,
    tiered: false,
    clientRegion: 'eu',
    residency: { kind: 'open' },
    compression: false,
    ...overrides,
  } as EdgeRequest
}

async function serve(path: string, init?: RequestInit, overrides?: Partial<EdgeRequest>) {
  const result = await serveFromEdge(edgeRequest(path, init, overrides), harness.deps)
  const body = await result.response.text()
  await Promise.all(harness.pending.splice(0))
  return { ...result, body }
}

describe('serveFromEdge', () => {
  it('fills L1 on a miss and serves the next request from it, Cache-Status as data too', async ({
    expect,
  }) => {
    const path = `/edge-unit/${run}/a.css`
    const miss = await serve(path)
    expect(miss.response.status).toBe(200)
    expect(miss.body).toContain(path)
    expect(miss.response.headers.get('cache-status')).toBe(
      'edge-l1; fwd=uri-miss; fwd-status=200; stored'
    )
    expect(miss.cacheStatus).toEqual([
      { cache: 'edge-l1', fwd: 'uri-miss', fwdStatus: 200, stored: true },
    ])
    const hit = await serve(path)
    expect(hit.body).toBe(miss.body)
    expect(hit.cacheStatus).toEqual([{ cache: 'edge-l1', hit: true, ttl: 60 }])
    expect(hit.response.headers.get('cache-status')).toBe('edge-l1; hit; ttl=60')
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('says why a body of unknown length is not kept: not “too large”', async ({ expect }) => {
    const path = `/edge-unit/${run}/chunked.css`
    await origin.script(path, {
      body: 'a { color: red }',
      chunked: true,
      headers: { 'content-type': 'text/css', 'cache-control': 'max-age=60' },
    })
    const miss = await serve(path)
    expect(miss.body).toBe('a { color: red }')
    expect(miss.cacheStatus).toEqual([
      { cache: 'edge-l1', fwd: 'uri-miss', fwdStatus: 200, detail: 'length-unknown' },
    ])
  })

  it('goes upstream once the clock passes max-age, without waiting', async ({ expect }) => {
    const path = `/edge-unit/${run}/b.css`
    await serve(path)
    harness.clock.advance(30_000)
    const fresh = await serve(path)
    expect(fresh.cacheStatus[0]).toMatchObject({ hit: true, ttl: 30 })
    harness.clock.advance(31_000)
    const expired = await serve(path)
    // The origin dates its answer by the real clock, so to the manual one the new copy is
    // already 61 s old, past max-age=60: served, and rightly not kept.
    expect(expired.cacheStatus).toEqual([{ cache: 'edge-l1', fwd: 'stale', fwdStatus: 200 }])
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('passes an unsafe method to the origin and drops the target from L1', async ({ expect }) => {
    const path = `/edge-unit/${run}/c.css`
    await serve(path)
    const post = await serve(path, { method: 'POST', body: 'x' })
    expect(post.cacheStatus).toEqual([{ cache: 'edge-l1', fwd: 'method', fwdStatus: 200 }])
    const after = await serve(path)
    expect(after.cacheStatus[0]).toMatchObject({ fwd: 'uri-miss', stored: true })
    expect(await origin.hits(path)).toHaveLength(3)
  })

  it('refuses content resident in another region with 451 and no cache entry', async ({
    expect,
  }) => {
    const path = `/edge-unit/${run}/d.css`
    const residency = { region: 'apac', mode: 'serve-in-region', rule: 'sg' } as const
    const refused = await serve(path, {}, { residency: { kind: 'refuse', residency } })
    expect(refused.response.status).toBe(451)
    expect(refused.cacheStatus).toEqual([])
    expect(await origin.hits(path)).toHaveLength(0)
  })
})

/** A fresh copy of `path` put in L1 as another isolate of the PoP would after its refill. */
async function refillAsAnotherIsolate(path: string, body: string) {
  const url = new URL(`https://edge.test${path}`)
  const now = harness.clock.now()
  const response = new Response(body, {
    headers: { 'cache-control': 'max-age=60', date: new Date(now).toUTCString() },
  })
  const meta = entryMetaOf({
    response,
    vary: [],
    requestHeaders: new Headers(),
    requestTime: now,
    responseTime: now,
    purgeSeq: 0,
    zone: 'edge',
    size: body.length,
  })
  await harness.deps.l1.put(cacheKey(url), meta, response.headers, response.body, 60)
}

/** Serves `path` from the origin, then from L1 until it expires: a hot key, just expired. */
async function hotThenExpired(path: string) {
  await serve(path)
  harness.clock.advance(55_000)
  expect((await serve(path)).cacheStatus[0]).toMatchObject({ hit: true, ttl: 5 })
  harness.clock.advance(6_000)
  return cacheKey(new URL(`https://edge.test${path}`))
}

describe('a hot key refilled once per PoP', () => {
  it('claims the refill when no isolate of the PoP has, and releases it when the fill ends', async () => {
    const path = `/edge-unit/${run}/pop-claim.css`
    const key = await hotThenExpired(path)
    const claims: number[] = []
    const claimFill = harness.deps.l1.claimFill.bind(harness.deps.l1)
    harness.deps.l1.claimFill = (claimed, until) => {
      claims.push(until)
      return claimFill(claimed, until)
    }
    const refill = await serve(path)
    expect(refill.cacheStatus[0]).toMatchObject({ fwd: 'stale', fwdStatus: 200 })
    expect(harness.pauses).toEqual([])
    expect(claims).toEqual([harness.clock.now() + POP_FILL_WAIT_MS])
    expect(await harness.deps.l1.fillClaim(key)).toBeUndefined()
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('waits for another isolate’s refill and serves it, collapsed, without going upstream', async () => {
    const path = `/edge-unit/${run}/pop-wait.css`
    const key = await hotThenExpired(path)
    await harness.deps.l1.claimFill(key, harness.clock.now() + POP_FILL_WAIT_MS)
    harness.duringPause = () => refillAsAnotherIsolate(path, 'refilled by another isolate')
    const joined = await serve(path)
    expect(joined.body).toBe('refilled by another isolate')
    expect(joined.cacheStatus).toEqual([{ cache: 'edge-l1', hit: true, ttl: 60, collapsed: true }])
    expect(harness.pauses).toEqual([10])
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('waits at most POP_FILL_WAIT_MS, then goes upstream without taking the claim', async () => {
    const path = `/edge-unit/${run}/pop-timeout.css`
    const key = await hotThenExpired(path)
    const until = harness.clock.now() + 10 * POP_FILL_WAIT_MS
    await harness.deps.l1.claimFill(key, until)
    const alone = await serve(path)
    expect(alone.cacheStatus[0]).toMatchObject({ fwd: 'stale', fwdStatus: 200 })
    expect(harness.pauses).toEqual([10, 10, 20, 40, 80, 160, 180])
    expect(harness.pauses.reduce((a, b) => a + b)).toBe(POP_FILL_WAIT_MS)
    expect(await harness.deps.l1.fillClaim(key)).toBe(until)
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('goes upstream at the next look once the claim is released unstored', async () => {
    const path = `/edge-unit/${run}/pop-release.css`
    const key = await hotThenExpired(path)
    await harness.deps.l1.claimFill(key, harness.clock.now() + POP_FILL_WAIT_MS)
    harness.duringPause = () => harness.deps.l1.releaseFill(key)
    const alone = await serve(path)
    expect(alone.cacheStatus[0]).toMatchObject({ fwd: 'stale', fwdStatus: 200 })
    expect(harness.pauses).toEqual([10])
    expect(await harness.deps.l1.fillClaim(key)).toBeUndefined()
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('does not make a client’s no-cache request wait for a refill it would refuse', async () => {
    const path = `/edge-unit/${run}/pop-no-cache.css`
    const key = await hotThenExpired(path)
    await harness.deps.l1.claimFill(key, harness.clock.now() + POP_FILL_WAIT_MS)
    const direct = await serve(path, { headers: { 'cache-control': 'no-cache' } })
    expect(direct.cacheStatus[0]).toMatchObject({ fwd: 'request', fwdStatus: 200 })
    expect(harness.pauses).toEqual([])
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('leaves a cold key’s miss alone: no claim read, no wait', async () => {
    const path = `/edge-unit/${run}/pop-cold.css`
    const key = cacheKey(new URL(`https://edge.test${path}`))
    await harness.deps.l1.claimFill(key, harness.clock.now() + POP_FILL_WAIT_MS)
    const miss = await serve(path)
    expect(miss.cacheStatus[0]).toMatchObject({ fwd: 'uri-miss', stored: true })
    expect(harness.pauses).toEqual([])
    expect(await origin.hits(path)).toHaveLength(1)
  })
})

describe('a stale-while-revalidate refresh', () => {
  const swr = { 'cache-control': 'max-age=60, stale-while-revalidate=30' }

  it('goes upstream once per isolate however many requests are served stale meanwhile', async () => {
    const path = `/edge-unit/${run}/swr-once.css`
    await origin.script(path, { headers: swr, body: 'v1' })
    await serve(path)
    harness.clock.advance(61_000)
    const stale = await Promise.all([
      serveFromEdge(edgeRequest(path), harness.deps),
      serveFromEdge(edgeRequest(path), harness.deps),
      serveFromEdge(edgeRequest(path), harness.deps),
    ])
    for (const { cacheStatus } of stale) {
      expect(cacheStatus[0]).toMatchObject({ hit: true, detail: 'stale-while-revalidate' })
    }
    await Promise.all(stale.map(({ response }) => response.text()))
    await Promise.all(harness.pending.splice(0))
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('is left to the isolate of the PoP that claimed it', async () => {
    const path = `/edge-unit/${run}/swr-claimed.css`
    await origin.script(path, { headers: swr, body: 'v1' })
    await serve(path)
    harness.clock.advance(61_000)
    const key = cacheKey(new URL(`https://edge.test${path}`))
    await harness.deps.l1.claimFill(key, harness.clock.now() + POP_FILL_WAIT_MS)
    const stale = await serve(path)
    expect(stale.cacheStatus[0]).toMatchObject({ detail: 'stale-while-revalidate' })
    expect(await origin.hits(path)).toHaveLength(1)
  })
})
