/**
 * An HTTP origin's absolute redirect to itself reaches the client with the client's host (and the
 * route's prefix), from a miss and from L1 alike; redirects elsewhere are left as sent. The
 * origin is the test's own loopback server, which names itself in `Location` as an origin that
 * builds redirects from its Host would (Debian's nginx redirects `/docs` to
 * `http://<its address>/docs/`).
 */
import { env, exports } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { beforeAll, describe, inject, it } from 'vitest'
import type { RouteSpec } from '../../schemas/api/config'
import { routesTable } from '../../schemas/config/tables'
import { putZone } from '../support/config'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'

const HOST = 'redirects.test'
const originUrl = inject('originUrl')
const origin = originControl(originUrl)

function get(path: string) {
  return exports.default.fetch(
    new Request(`https://${HOST}${path}`, { cf: FRA, redirect: 'manual' } as RequestInit)
  )
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'redirects',
    hosts: [HOST],
    origin: { kind: 'http', url: originUrl },
  })
  const app: RouteSpec = {
    pathPrefix: '/app/',
    origin: 'main',
    bypass: false,
    tieredCache: true,
    allowSetCookie: false,
  }
  await drizzle(env.CONFIG_DB)
    .insert(routesTable)
    .values({ zone: 'redirects', name: 'app', spec: app })
  const moved = (location: string) => ({
    status: 301,
    headers: { location, 'cache-control': 'max-age=600' },
  })
  await origin.script('/docs', moved(`${originUrl}/docs/`))
  await origin.script('/away', moved('https://elsewhere.test/away/'))
})

describe('redirects an HTTP origin makes to itself', () => {
  it('name the client’s host, from the origin and from L1', async ({ expect }) => {
    for (const layer of ['fwd=uri-miss', 'edge-l1; hit']) {
      const res = await get('/docs')
      expect(res.status).toBe(301)
      expect(res.headers.get('cache-status')).toContain(layer)
      expect(res.headers.get('location')).toBe(`https://${HOST}/docs/`)
    }
  })

  it('put back the route’s prefix the origin never saw', async ({ expect }) => {
    const res = await get('/app/docs')
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toBe(`https://${HOST}/app/docs/`)
  })

  it('leave a redirect to another site as the origin sent it', async ({ expect }) => {
    const res = await get('/away')
    expect(res.headers.get('location')).toBe('https://elsewhere.test/away/')
  })
})
