import { describe, it } from 'vitest'
import { dataPointOf } from '../../../workers/analytics/engine'
import {
  engineAnswers,
  engineQueries,
  runEngineQuery,
} from '../../../workers/analytics/engine-query'
import type { AnalyticsEvent } from '../../../workers/analytics/event'

const WINDOW = { since: 1_800_000_000_000, until: 1_800_003_600_000, stepMs: 60_000 }

describe('Analytics Engine', () => {
  it('writes the blobs and doubles the queries read', ({ expect }) => {
    const event: AnalyticsEvent = {
      zone: 'shop',
      route: 'all',
      region: 'eu',
      colo: 'FRA',
      origin: 's3:assets',
      layer: 'tier',
      outcome: 'miss',
      statusClass: '2xx',
      url: 'shop.test/a.css',
      bytesToClient: 10,
      bytesFromOrigin: 0,
      originMs: 0,
      totalMs: 4,
    }
    const point = dataPointOf(event)
    expect(point.indexes).toEqual(['shop'])
    const sql = engineQueries('shop', WINDOW, 'colo', 5)
    // blob3 is the region, blob5 the layer, blob4 the colo, double1 the bytes to the client.
    expect(point.blobs?.[2]).toBe('eu')
    expect(point.blobs?.[4]).toBe('tier')
    expect(point.doubles?.[0]).toBe(10)
    expect(sql.breakdown).toContain('blob3 AS region, blob5 AS layer')
    expect(sql.series).toContain('blob4 AS key')
    expect(sql.breakdown).toContain("WHERE index1 = 'shop' AND timestamp >= toDateTime(1800000000)")
    expect(sql.breakdown).toContain('SUM(_sample_interval * double1) AS bytesToClient')
  })

  it('escapes the zone in SQL', ({ expect }) => {
    expect(engineQueries("x' OR '1'='1", WINDOW, 'layer', 5).breakdown).toContain(
      "index1 = 'x\\' OR \\'1\\'=\\'1'"
    )
  })

  it('posts the SQL with the token and reads its data', async ({ expect }) => {
    const calls: { url: string; init?: RequestInit }[] = []
    const fetcher = (async (url: string, init?: RequestInit) => {
      calls.push({ url, init })
      return Response.json({ data: [{ requests: '3' }] })
    }) as typeof fetch
    const rows = await runEngineQuery({ accountId: 'acc', apiToken: 'tok' }, 'SELECT 1', fetcher)
    expect(rows).toEqual([{ requests: '3' }])
    expect(calls[0]?.url).toBe(
      'https://api.cloudflare.com/client/v4/accounts/acc/analytics_engine/sql'
    )
    expect(new Headers(calls[0]?.init?.headers).get('authorization')).toBe('Bearer tok')
    const refused = (async () => new Response('no', { status: 403 })) as unknown as typeof fetch
    await expect(runEngineQuery({ accountId: 'a', apiToken: 't' }, 'x', refused)).rejects.toThrow(
      '403'
    )
  })

  it('groups rows into one store-shaped answer per region', ({ expect }) => {
    const answers = engineAnswers(
      {
        breakdown: [
          {
            region: 'eu',
            layer: 'l1',
            origin: 'http:w',
            colo: 'FRA',
            statusClass: '2xx',
            requests: '4',
            bytesToClient: '40',
            bytesFromOrigin: '0',
          },
          {
            region: 'us',
            layer: 'origin',
            origin: 'http:w',
            colo: 'IAD',
            statusClass: '2xx',
            requests: 1,
            bytesToClient: 10,
            bytesFromOrigin: 10,
          },
        ],
        series: [
          {
            region: 'eu',
            t: 1_800_000_060,
            key: 'l1',
            requests: 4,
            hits: 4,
            bytesToClient: 40,
            bytesFromOrigin: 0,
          },
        ],
        urls: [
          { region: 'eu', url: 'a', requests: 4, misses: 0, bytesToClient: 40 },
          { region: 'us', url: 'b', requests: 1, misses: 1, bytesToClient: 10 },
        ],
      },
      WINDOW,
      10
    )
    const eu = answers.find((a) => a.region === 'eu')?.answer
    const us = answers.find((a) => a.region === 'us')?.answer
    expect(eu?.breakdown[0]).toMatchObject({ layer: 'l1', requests: 4, bytesToClient: 40 })
    expect(eu?.series[0]).toMatchObject({ t: 1_800_000_060_000, key: 'l1', requests: 4 })
    expect(eu?.topMisses).toEqual([])
    expect(us?.topMisses.map((u) => u.url)).toEqual(['b'])
  })
})
