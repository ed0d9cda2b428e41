/**
 * Origin pools through the edge (`exports.default.fetch`), configured through the admin API:
 * failover to the next member and to the fallback pool, and the answer naming the member (the
 * 90/10 split over 2,000 URLs is measured end to end: test/e2e/origin-pools.test.ts). Members are HTTP origins on the test server under their own base
 * paths, so the server's hits tell which member a request reached.
 * @see origin/pool-origin.ts
 */
import { exports } from 'cloudflare:workers'
import { describe, inject, it } from 'vitest'
import { admin } from '../support/admin'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'
import { onSameShard } from '../support/shards'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)

function get(url: string) {
  return exports.default.fetch(new Request(url, { cf: FRA } as RequestInit))
}

async function put(path: string, body: unknown) {
  const res = await admin('PUT', path, { body })
  if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${JSON.stringify(res.body)}`)
}

/** A zone whose route `/` goes to pool `web` over members named in `origins`. */
async function poolZone(name: string, origins: Record<string, unknown>, pools: object) {
  await put(`/zones/${name}`, { hosts: [`${name}.test`] })
  for (const [origin, spec] of Object.entries({ ...origins, ...pools })) {
    await put(`/zones/${name}/origins/${origin}`, spec)
  }
  await put(`/zones/${name}/routes/all`, { pathPrefix: '/', origin: 'web' })
  return `https://${name}.test`
}

const http = (path: string, resilience = {}) => ({
  kind: 'http',
  url: `${originUrl}${path}`,
  resilience,
})

describe('failover', () => {
  it('skips a member whose breaker is open, then uses the fallback pool, then answers 503', async ({
    expect,
  }) => {
    // primary refuses connections; failover steering tries it first
    const host = await poolZone(
      'pool-failover',
      {
        primary: {
          kind: 'http',
          url: 'http://127.0.0.1:9',
          resilience: { retries: 0, minRequests: 1, coolDownMs: 60_000 },
        },
        backup: http('/backup', { retries: 0, minRequests: 1, coolDownMs: 60_000 }),
        spare: http('/spare'),
      },
      {
        rescue: { kind: 'pool', members: [{ origin: 'spare' }] },
        web: {
          kind: 'pool',
          steering: 'failover',
          members: [{ origin: 'primary' }, { origin: 'backup' }],
          fallback: 'rescue',
        },
      }
    )
    // One shard for all three paths: breakers are kept per tier shard.
    const [p1, p2, p3] = ['/f/1', '/f/2', '/f/3'].map((p) =>
      onSameShard(`${host}/f/0`, `${host}${p}`).slice(host.length)
    )
    const first = await get(`${host}${p1}`)
    expect(first.status).toBe(200)
    expect(first.headers.get('edge-origin')).toBe('backup')
    expect(await first.text()).toBe(`origin body for /backup${p1}`)

    // backup now fails too (origin-level 503, half its window): the fallback pool serves next
    await origin.script('/backup/f/2', { status: 503, headers: { 'cache-control': 'no-store' } })
    const failed = await get(`${host}${p2}`)
    expect(failed.status).toBe(503)
    await failed.arrayBuffer()
    const rescued = await get(`${host}${p3}`)
    expect(rescued.headers.get('edge-origin')).toBe('spare')
    expect(await rescued.text()).toBe(`origin body for /spare${p3}`)
  })

  it('answers 503 JSON with Retry-After when every member and the fallback are out', async ({
    expect,
  }) => {
    const down = { retries: 0, minRequests: 1, coolDownMs: 60_000 }
    const host = await poolZone(
      'pool-all-down',
      {
        a: { kind: 'http', url: 'http://127.0.0.1:9', resilience: down },
        b: { kind: 'http', url: 'http://127.0.0.1:9/b', resilience: down },
      },
      { web: { kind: 'pool', steering: 'failover', members: [{ origin: 'a' }, { origin: 'b' }] } }
    )
    const first = await get(`${host}/x`)
    // both tried and refused on this first request: the last transport failure is answered
    expect(first.status).toBe(502)
    await first.arrayBuffer()
    const res = await get(`${host}/x`)
    expect(res.status).toBe(503)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('origin_circuit_open')
    expect(body.error.message).toMatch(/every member of pool web is down/)
  })
})

describe('pool config through the admin API', () => {
  it('refuses a pool naming a missing origin (409) and an invalid pool field by field (400)', async ({
    expect,
  }) => {
    await put('/zones/pool-admin', { hosts: ['pool-admin.test'] })
    const missing = await admin('PUT', '/zones/pool-admin/origins/web', {
      body: { kind: 'pool', members: [{ origin: 'nowhere' }] },
    })
    expect(missing.status).toBe(409)
    expect(missing.body.errors[0]?.message).toMatch(/members\.0\.origin.*nowhere does not exist/)

    const invalid = await admin('PUT', '/zones/pool-admin/origins/web', {
      body: { kind: 'pool', steering: 'random', members: [{ origin: 'a', weight: -1 }] },
    })
    expect(invalid.status).toBe(400)
    const messages = invalid.body.errors.map((e) => e.message).join('\n')
    expect(messages).toMatch(/steering/)
    expect(messages).toMatch(/members\.0\.weight/)

    await put('/zones/pool-admin/origins/a', http('/a'))
    await put('/zones/pool-admin/origins/web', { kind: 'pool', members: [{ origin: 'a' }] })
    const inUse = await admin('DELETE', '/zones/pool-admin/origins/a')
    expect(inUse.status).toBe(409)
    expect(inUse.body.errors[0]?.message).toMatch(/pool web/)
  })
})

describe('pool config that would stop a zone resolving', () => {
  it('refuses turning an origin into a pool of itself, or a pool member into a pool', async ({
    expect,
  }) => {
    const site = await poolZone(
      'pool-kinds',
      { a: http('/kinds-a'), b: http('/kinds-b') },
      { web: { kind: 'pool', members: [{ origin: 'a' }] } }
    )
    const self = await admin('PUT', '/zones/pool-kinds/origins/b', {
      body: { kind: 'pool', members: [{ origin: 'b' }] },
    })
    expect(self.status).toBe(409)
    expect(self.body.errors[0]?.message).toBe(
      'origins.members.0.origin: pool pool-kinds/b: b is a pool, not an origin in zone pool-kinds'
    )
    const member = await admin('PUT', '/zones/pool-kinds/origins/a', {
      body: { kind: 'pool', members: [{ origin: 'b' }] },
    })
    expect(member.status).toBe(409)
    expect(member.body.errors[0]).toEqual({
      code: 'origin_in_use',
      message:
        'origins.kind: pool-kinds/a cannot become a pool: it is used by pool web (a member must be an origin)',
    })
    // Nothing changed: the route still reaches member a.
    const res = await get(`${site}/still-served`)
    expect(res.status).toBe(200)
    await res.arrayBuffer()
    expect(await origin.hits('/kinds-a/still-served')).toHaveLength(1)
  })

  it('refuses turning a fallback pool into an origin', async ({ expect }) => {
    await poolZone(
      'pool-fallback',
      { a: http('/fb-a') },
      {
        spare: { kind: 'pool', members: [{ origin: 'a' }] },
        web: { kind: 'pool', members: [{ origin: 'a' }], fallback: 'spare' },
      }
    )
    const res = await admin('PUT', '/zones/pool-fallback/origins/spare', { body: http('/fb-b') })
    expect(res.status).toBe(409)
    expect(res.body.errors[0]?.message).toMatch(/used by pool web \(a fallback must be a pool\)/)
  })
})
