import { describe, it } from 'vitest'
import { eventually } from '../support/eventually'
import { generated } from '../support/origin'
import { useProxyEdge } from '../support/proxy-edge'

const ADMIN_TOKEN = `ecdn_admin_e2e_${crypto.randomUUID()}`
const proxy = useProxyEdge({ ADMIN_TOKEN })
const control = proxy.control

/** A request entering at a simulated PoP: wrangler dev reads `request.cf` from MF-CF-Blob. */
function at(
  colo: string,
  country: string,
  continent: string,
  path: string,
  init: RequestInit = {}
) {
  const headers = new Headers(init.headers)
  headers.set('mf-cf-blob', JSON.stringify({ colo, country, continent }))
  return fetch(`${proxy.url}${path}`, { ...init, headers })
}

describe('proxy mode through wrangler dev', () => {
  it('misses, then hits L1; another PoP of the region hits the tier', async ({ expect }) => {
    const first = await at('FRA', 'DE', 'EU', '/site/app.css')
    expect(first.status).toBe(200)
    expect(await first.text()).toBe('origin body for /site/app.css')
    expect(first.headers.get('cache-status')).toBe(
      'edge-tier; fwd=uri-miss; fwd-status=200; stored, edge-l1; fwd=uri-miss; fwd-status=200; stored'
    )
    expect(first.headers.get('server-timing')).toMatch(/origin;dur=\d+/)

    const second = await at('FRA', 'DE', 'EU', '/site/app.css')
    expect(await second.text()).toBe('origin body for /site/app.css')
    expect(second.headers.get('cache-status')).toMatch(/^edge-l1; hit; ttl=\d+$/)
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(0)

    const ams = await at('AMS', 'NL', 'EU', '/site/app.css')
    await ams.text()
    expect(ams.headers.get('cache-status')).toMatch(
      /^edge-tier; hit; ttl=\d+, edge-l1; fwd=uri-miss/
    )

    const sin = await at('SIN', 'SG', 'AS', '/site/app.css')
    await sin.text()
    expect(sin.headers.get('cache-status')).toMatch(/^edge-tier; fwd=uri-miss/)
    expect(sin.headers.get('edge-region')).toBe('apac')

    // One fetch for the EU tier, one for the APAC tier.
    expect(await control.hits('/site/app.css')).toHaveLength(2)
  })

  it('streams a large body intact and answers a Range from the cached copy', async ({ expect }) => {
    const size = 3 * 1024 * 1024 + 17
    await control.script('/big.bin', { bytes: size })
    const full = Buffer.from(await (await at('FRA', 'DE', 'EU', '/big.bin')).arrayBuffer())
    expect(full.equals(generated(size))).toBe(true)

    const part = await at('FRA', 'DE', 'EU', '/big.bin', { headers: { range: 'bytes=1000-1999' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${size}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(generated(size).subarray(1000, 2000))).toBe(
      true
    )
    expect(await control.hits('/big.bin')).toHaveLength(1)
  })

  it('passes unsafe methods to the origin without caching them', async ({ expect }) => {
    const res = await at('FRA', 'DE', 'EU', '/form', { method: 'POST', body: 'x=1' })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-status')).toBe('edge-l1; fwd=method; fwd-status=200')
    const hits = await control.hits('/form')
    expect(hits.map((h) => h.method)).toEqual(['POST'])
  })

  it('answers 504 with a JSON body when the origin hangs', async ({ expect }) => {
    await control.script('/hang', { hang: true })
    const res = await at('FRA', 'DE', 'EU', '/hang')
    expect(res.status).toBe(504)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('origin_timeout')
  }, 30_000)
})

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${proxy.url}/_admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as { result: unknown } }
}

describe('proxy mode’s zone is a real zone (issue 14)', () => {
  it('is stored in D1 as zone default: catch-all host, origin ORIGIN_URL, route /', async ({
    expect,
  }) => {
    // Asked before any content request: the admin API finds it too.
    expect((await admin('GET', '/zones/default')).body.result).toMatchObject({
      name: 'default',
      hosts: ['*'],
    })
    expect((await admin('GET', '/zones/default/origins/default')).body.result).toMatchObject({
      spec: { kind: 'http', url: proxy.originUrl },
    })
    expect((await admin('GET', '/zones/default/routes/default')).body.result).toMatchObject({
      spec: { pathPrefix: '/', origin: 'default' },
    })
  })

  it('takes a residency rule through PUT /_admin/zones/default/residency-rules, and it holds', async ({
    expect,
  }) => {
    const put = await admin('PUT', '/zones/default/residency-rules/eu-only', {
      pathPrefix: '/eu/',
      region: 'eu',
      mode: 'serve-in-region',
    })
    expect(put.status).toBe(201)
    // Within the config refresh bound (CONFIG_TTL_MS), clients outside the EU are refused.
    expect(
      await eventually(async () => {
        const res = await at('SIN', 'SG', 'AS', '/eu/data.json')
        await res.arrayBuffer()
        return res.status === 451
      })
    ).toBe(true)
    const inRegion = await at('FRA', 'DE', 'EU', '/eu/data.json')
    expect(inRegion.status).toBe(200)
    expect(await inRegion.text()).toBe('origin body for /eu/data.json')
    expect(inRegion.headers.get('edge-residency')).toContain('eu')
  })

  it('takes routes, and stays the catch-all when its zone record is rewritten', async ({
    expect,
  }) => {
    expect((await admin('PUT', '/zones/default', { hosts: ['*'] })).status).toBe(200)
    const put = await admin('PUT', '/zones/default/routes/live', {
      pathPrefix: '/live/',
      origin: 'default',
      bypass: true,
    })
    expect(put.status).toBe(201)
    expect(
      await eventually(async () => {
        const res = await at('FRA', 'DE', 'EU', '/live/feed')
        await res.arrayBuffer()
        return (res.headers.get('cache-status') ?? '').includes('fwd=bypass')
      })
    ).toBe(true)
    const cached = await at('FRA', 'DE', 'EU', '/still/cached.css')
    expect(cached.status).toBe(200)
    expect(await cached.text()).toBe('origin body for /still/cached.css')
  })
})
