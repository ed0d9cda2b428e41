/**
 * The analytics API inside workerd: scopes, validation, and the report of real traffic through
 * the edge (batches flushed to the stores at once: ANALYTICS_FLUSH_MS is 1 in the test config).
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, inject, it } from 'vitest'
import { createWorker } from '../../workers/index'
import { admin } from '../support/admin'
import { putZone } from '../support/config'
import { CDG } from '../support/pops'

interface Report {
  totals: { requests: number; byLayer: Record<string, number>; hitRatio: number }
  series: { t: string; requests: number; groups: Record<string, number> }[]
  top: { urls: { url: string; requests: number }[]; missingUrls: { url: string; misses: number }[] }
  costSaved: { rows: { origin: string; usdPerGb: number; bytesAvoided: { l1: number } }[] }
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'stats',
    hosts: ['stats.test'],
    origin: { kind: 'http', url: inject('originUrl') },
  })
})

async function tokenWith(scopes: string[]): Promise<string> {
  const made = await admin<{ token: string }>('POST', '/zones/stats/tokens', { body: { scopes } })
  if (!made.body.result) throw new Error(JSON.stringify(made.body))
  return made.body.result.token
}

describe('GET /zones/:zone/analytics', () => {
  it('needs analytics:read or config:read on the zone', async ({ expect }) => {
    const purgeOnly = await tokenWith(['purge'])
    const denied = await admin('GET', '/zones/stats/analytics', { token: purgeOnly })
    expect(denied.status).toBe(403)
    expect(denied.body.errors[0]?.message).toContain('analytics:read')
    for (const scopes of [['analytics:read'], ['config:read']]) {
      const ok = await admin('GET', '/zones/stats/analytics', { token: await tokenWith(scopes) })
      expect(ok.status).toBe(200)
    }
  })

  it('answers 404 zone_not_found for a zone that does not exist, as every zone route does', async ({
    expect,
  }) => {
    const res = await admin('GET', '/zones/no-such-zone/analytics')
    expect(res.status).toBe(404)
    expect(res.body.errors[0]?.code).toBe('zone_not_found')
  })

  it.for([
    ['?by=country', 'analytics.by'],
    ['?since=tomorrow', 'analytics.since'],
    ['?since=-1h&until=-2h', 'since must be before until'],
  ])('answers 400 naming the problem for %s', async ([query, message], { expect }) => {
    const res = await admin('GET', `/zones/stats/analytics${query}`)
    expect(res.status).toBe(400)
    expect(res.body.errors[0]?.message).toContain(message)
  })

  it('reports hits, misses, top URLs and the cost saved of the traffic served', async ({
    expect,
  }) => {
    const cf = CDG
    const app = createWorker()
    /** One request, and its background work: the flush of its analytics batch to the store. */
    const get = async (path: string) => {
      const ctx = createExecutionContext()
      const request = new Request(`https://stats.test${path}`, { cf } as RequestInit)
      const res = await app.fetch(request, env, ctx)
      await res.arrayBuffer()
      await waitOnExecutionContext(ctx)
    }
    for (let i = 0; i < 3; i++) await get('/hot.css')
    await get('/cold.css')
    const report = (await admin<Report>('GET', '/zones/stats/analytics?by=layer')).body.result
    expect(report?.totals.requests).toBe(4)
    expect(report?.totals.byLayer).toEqual({ origin: 2, l1: 2 })
    expect(report?.totals.hitRatio).toBe(0.5)
    expect(report?.top.urls[0]).toMatchObject({ url: 'stats.test/hot.css', requests: 3 })
    expect(report?.top.missingUrls.map((u) => u.url).sort()).toEqual([
      'stats.test/cold.css',
      'stats.test/hot.css',
    ])
    const series = report?.series ?? []
    expect(series.length).toBeGreaterThanOrEqual(60)
    expect(series.reduce((n, p) => n + (p.groups.l1 ?? 0), 0)).toBe(2)
    expect(report?.costSaved.rows[0]).toMatchObject({ origin: 'http:main', usdPerGb: 0.09 })
    expect(report?.costSaved.rows[0]?.bytesAvoided.l1).toBeGreaterThan(0)
  })
})
