import { describe, it } from 'vitest'
import {
  AnalyticsBatch,
  DURATION_BUCKETS_SECONDS,
  OTHER_URL,
  URLS_PER_MINUTE,
} from '../../../workers/analytics/batch'
import type { AnalyticsEvent } from '../../../workers/analytics/event'

function event(overrides: Partial<AnalyticsEvent> = {}): AnalyticsEvent {
  return {
    zone: 'shop',
    route: 'all',
    region: 'eu',
    colo: 'FRA',
    origin: 'http:web',
    layer: 'l1',
    outcome: 'hit',
    statusClass: '2xx',
    url: 'shop.test/a',
    bytesToClient: 100,
    bytesFromOrigin: 0,
    originMs: 0,
    totalMs: 3,
    ...overrides,
  }
}

const T = Date.UTC(2026, 10, 29, 8, 0, 0)

describe('AnalyticsBatch', () => {
  it('folds events into one counter row per minute and dimensions', ({ expect }) => {
    const batch = new AnalyticsBatch()
    batch.add(event(), T + 1000)
    batch.add(event(), T + 59_000)
    batch.add(event(), T + 60_000)
    batch.add(event({ layer: 'origin', bytesFromOrigin: 100, originMs: 20 }), T + 2000)
    const { rows } = batch.contents()
    expect(rows).toHaveLength(3)
    expect(rows.find((r) => r.minute === T && r.layer === 'l1')).toMatchObject({
      requests: 2,
      bytesToClient: 200,
    })
    expect(rows.find((r) => r.layer === 'origin')).toMatchObject({ bytesFromOrigin: 100 })
    expect(batch.events).toBe(4)
  })

  it('keeps at most URLS_PER_MINUTE URLs a minute, counting the rest as (other)', ({ expect }) => {
    const batch = new AnalyticsBatch()
    for (let i = 0; i < URLS_PER_MINUTE + 5; i++) batch.add(event({ url: `u/${i}` }), T)
    batch.add(event({ url: 'u/0', layer: 'origin' }), T)
    const { urls } = batch.contents()
    expect(urls).toHaveLength(URLS_PER_MINUTE + 1)
    expect(urls.find((u) => u.url === OTHER_URL)?.requests).toBe(5)
    expect(urls.find((u) => u.url === 'u/0')).toMatchObject({ requests: 2, misses: 1 })
  })

  it('puts durations in histogram buckets in seconds, +Inf last', ({ expect }) => {
    const batch = new AnalyticsBatch()
    batch.add(event({ totalMs: 4 }), T)
    batch.add(event({ totalMs: 70 }), T)
    batch.add(event({ totalMs: 60_000 }), T)
    const total = batch.contents().histograms.find((h) => h.kind === 'total')
    expect(total?.counts).toHaveLength(DURATION_BUCKETS_SECONDS.length + 1)
    expect(total?.counts[0]).toBe(1)
    expect(total?.counts[DURATION_BUCKETS_SECONDS.indexOf(0.1)]).toBe(1)
    expect(total?.counts.at(-1)).toBe(1)
    expect(total?.sumMs).toBe(60_074)
  })
})
