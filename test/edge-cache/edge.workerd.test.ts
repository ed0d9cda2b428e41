/**
 * `serveFromEdge` inside workerd (it streams into the Cache API through FixedLengthStream), with
 * real dependencies: this PoP's L1, the test's loopback HTTP origin, an empty purge index, and a
 * manual clock, so freshness is decided without waiting. Runs in the `workers` project.
 */
import { beforeEach, describe, inject, it } from 'vitest'
import { serveFromEdge } from '../../edge-cache/edge'
import type { EdgeDependencies, EdgeRequest } from '../../edge-cache/edge-request'
import { cacheKey } from '../../edge-cache/key'
import { PurgeIndex } from '../../edge-cache/purge/purge-index'
import { L1Cache } from '../../edge-cache/store/l1'
import { NO_GRANTS, originDependencies } from '../../origin/dependencies'
import { selectOrigin } from '../../origin/select'
import { ManualClock } from '../support/clock'
import { originControl } from '../support/origin-control'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
let run = 0

interface Harness {
  deps: EdgeDependencies
  clock: ManualClock
  pending: Promise<unknown>[]
  purgedTags: string[]
}

let harness: Harness

beforeEach(async () => {
  run++
  const clock = new ManualClock(Date.now())
  const pending: Promise<unknown>[] = []
  const purgedTags: string[] = []
  harness = {
    clock,
    pending,
    purgedTags,
    deps: {
      l1: await L1Cache.open(`edge-test-${run}`),
      tier: () => Promise.reject(new Error('no tier in this test')),
      invalidateTier: async () => {},
      purgeTags: async (tags) => {
        purgedTags.push(...tags)
      },
      origin: () =>
        selectOrigin({ kind: 'http', url: originUrl }, originDependencies({}, NO_GRANTS, 5000)),
      waitUntil: (promise) => pending.push(promise),
      clock,
      purge: new PurgeIndex({ seq: 0, floor: 0, records: [] }),
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
