import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it } from 'vitest'
import { putZone } from '../support/config'
import { originControl } from '../support/origin-control'
import { AMS, FRA } from '../support/pops'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)

function get(url: string, cf: object = FRA, init: RequestInit = {}) {
  return exports.default.fetch(new Request(url, { ...init, cf } as RequestInit))
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'it',
    hosts: ['it.test'],
    origin: { kind: 'http', url: originUrl },
  })
  await putZone(env.CONFIG_DB, {
    name: 'slow',
    hosts: ['slow.test'],
    origin: { kind: 'http', url: originUrl, timeoutMs: 300 },
  })
  await putZone(env.CONFIG_DB, {
    name: 'l1-only',
    hosts: ['l1-only.test'],
    origin: { kind: 'http', url: originUrl },
    route: { tieredCache: false },
  })
  await putZone(env.CONFIG_DB, {
    name: 'down',
    hosts: ['down.test'],
    // A port nothing listens on: connection refused.
    origin: { kind: 'http', url: 'http://127.0.0.1:9' },
  })
})

describe('the request path', () => {
  it('collapses 50 concurrent first requests for one key into one origin fetch', async ({
    expect,
  }) => {
    await origin.script('/collapse.bin', { bytes: 256 * 1024, delayMs: 300 })
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => get('https://it.test/collapse.bin'))
    )
    const bodies = await Promise.all(responses.map((r) => r.arrayBuffer()))
    expect(responses.every((r) => r.status === 200)).toBe(true)
    expect(bodies.every((b) => b.byteLength === 256 * 1024)).toBe(true)
    expect(await origin.hits('/collapse.bin')).toHaveLength(1)
    const collapsed = responses.filter((r) => r.headers.get('cache-status')?.includes('collapsed'))
    expect(collapsed.length).toBeGreaterThan(0)
  })

  it('collapses concurrent misses at L1 within an isolate: followers read what the leader stored', async ({
    expect,
  }) => {
    await origin.script('/l1-collapse.css', { delayMs: 200 })
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => get('https://it.test/l1-collapse.css'))
    )
    const bodies = await Promise.all(responses.map((r) => r.text()))
    expect(bodies.every((b) => b === 'origin body for /l1-collapse.css')).toBe(true)
    const statuses = responses.map((r) => r.headers.get('cache-status') ?? '')
    // One request went to the tier; the others waited for its L1 store and hit L1.
    expect(statuses.filter((s) => s.includes('edge-tier'))).toHaveLength(1)
    expect(statuses.filter((s) => /^edge-l1; hit; ttl=\d+; collapsed$/.test(s))).toHaveLength(19)
    expect(await origin.hits('/l1-collapse.css')).toHaveLength(1)
  })

  it("gives concurrent waiters of an uncacheable response their own fetch, never the leader's body", async ({
    expect,
  }) => {
    await origin.script('/no-store.txt', { delayMs: 200, headers: { 'cache-control': 'no-store' } })
    // Different PoPs of one region: no L1 collapsing, all meet in the same tier shard.
    const colos = ['FRA', 'AMS', 'CDG', 'MAD', 'MUC', 'VIE', 'WAW', 'ZRH', 'DUB', 'LHR']
    const responses = await Promise.all(
      colos.map((colo) =>
        get('https://it.test/no-store.txt', { colo, country: 'DE', continent: 'EU' })
      )
    )
    const bodies = await Promise.all(responses.map((r) => r.text()))
    expect(responses.map((r) => r.status)).toEqual(colos.map(() => 200))
    expect(bodies.every((b) => b === 'origin body for /no-store.txt')).toBe(true)
    expect(await origin.hits('/no-store.txt')).toHaveLength(colos.length)
  })

  it('serves the second request from L1 and another PoP of the region from the tier', async ({
    expect,
  }) => {
    const first = await get('https://it.test/a.css')
    expect(await first.text()).toBe('origin body for /a.css')
    expect(first.headers.get('cache-status')).toMatch(
      /edge-tier; fwd=uri-miss.*edge-l1; fwd=uri-miss/
    )

    const second = await get('https://it.test/a.css')
    expect(await second.text()).toBe('origin body for /a.css')
    expect(second.headers.get('cache-status')).toMatch(/^edge-l1; hit; ttl=\d+$/)

    const elsewhere = await get('https://it.test/a.css', AMS)
    await elsewhere.text()
    expect(elsewhere.headers.get('cache-status')).toMatch(
      /^edge-tier; hit; ttl=\d+, edge-l1; fwd=uri-miss/
    )
    expect(await origin.hits('/a.css')).toHaveLength(1)
    expect(second.headers.get('server-timing')).toMatch(/edge;dur=\d+/)
  })

  it('gives the first client the fields named by no-cache="…" and later clients the stored response without them', async ({
    expect,
  }) => {
    await origin.script('/qualified.css', {
      headers: { 'cache-control': 'max-age=60, no-cache="x-secret"', 'x-secret': 'for you only' },
    })
    const first = await get('https://it.test/qualified.css')
    await first.text()
    expect(first.headers.get('x-secret')).toBe('for you only')
    const again = await get('https://it.test/qualified.css')
    await again.text()
    expect(again.headers.get('cache-status')).toMatch(/^edge-l1; hit/)
    expect(again.headers.has('x-secret')).toBe(false)
    const elsewhere = await get('https://it.test/qualified.css', AMS)
    await elsewhere.text()
    expect(elsewhere.headers.get('cache-status')).toMatch(/^edge-tier; hit/)
    expect(elsewhere.headers.has('x-secret')).toBe(false)
    expect(await origin.hits('/qualified.css')).toHaveLength(1)
  })

  it('goes from each PoP straight to the origin on a route without the tier (L1 only)', async ({
    expect,
  }) => {
    const first = await get('https://l1-only.test/b.css')
    expect(await first.text()).toBe('origin body for /b.css')
    expect(first.headers.get('cache-status')).toMatch(
      /^edge-l1; fwd=uri-miss; fwd-status=200; stored$/
    )

    const again = await get('https://l1-only.test/b.css')
    await again.text()
    expect(again.headers.get('cache-status')).toMatch(/^edge-l1; hit; ttl=\d+$/)

    const elsewhere = await get('https://l1-only.test/b.css', AMS)
    expect(await elsewhere.text()).toBe('origin body for /b.css')
    expect(elsewhere.headers.get('cache-status')).not.toContain('edge-tier')
    expect(await origin.hits('/b.css')).toHaveLength(2)
  })

  it('answers an unknown host with 404 and a JSON body', async ({ expect }) => {
    const res = await get('https://nowhere.test/x')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({
      error: { code: 'no_zone', message: 'no zone or route serves nowhere.test/x' },
    })
  })

  it('answers 502 with a JSON body when the origin refuses connections', async ({ expect }) => {
    const res = await get('https://down.test/x')
    expect(res.status).toBe(502)
    const body = (await res.json()) as { error: { code: string } }
    expect(body.error.code).toBe('origin_unreachable')
  })

  it('answers 504 with a JSON body when the origin sends nothing in time', async ({ expect }) => {
    await origin.script('/hang', { hang: true })
    const res = await get('https://slow.test/hang')
    expect(res.status).toBe(504)
    const body = (await res.json()) as { error: { code: string } }
    expect(body.error.code).toBe('origin_timeout')
  })
})
