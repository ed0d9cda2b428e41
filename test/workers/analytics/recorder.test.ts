import { describe, it } from 'vitest'
import type { BatchContents } from '../../../workers/analytics/batch'
import type { AnalyticsEvent } from '../../../workers/analytics/event'
import { record } from '../../../workers/analytics/recorder'

const event: AnalyticsEvent = {
  zone: 'rec',
  route: 'all',
  region: 'eu',
  colo: 'FRA',
  origin: 'http:web',
  layer: 'l1',
  outcome: 'hit',
  statusClass: '2xx',
  url: 'rec.test/a',
  bytesToClient: 1,
  bytesFromOrigin: 0,
  originMs: 0,
  totalMs: 1,
}

describe('record', () => {
  it('schedules one flush per batch and sends what was folded in by then', async ({ expect }) => {
    const sent: BatchContents[] = []
    const scheduled: Promise<unknown>[] = []
    let wake = () => {}
    const options = {
      sink: async (_zone: string, _region: string, batch: BatchContents) => {
        sent.push(batch)
      },
      flushMs: 10_000,
      waitUntil: (p: Promise<unknown>) => scheduled.push(p),
      now: Date.UTC(2026, 0, 1),
      sleep: () => new Promise<void>((resolve) => (wake = resolve)),
    }
    record({ ...event, zone: 'one' }, options)
    record({ ...event, zone: 'one' }, options)
    expect(scheduled).toHaveLength(1)
    wake()
    await Promise.all(scheduled)
    expect(sent).toHaveLength(1)
    expect(sent[0]?.rows[0]?.requests).toBe(2)
    record({ ...event, zone: 'one' }, options)
    expect(scheduled).toHaveLength(2)
  })

  it('loses the counts of a failed flush, never throws to the request', async ({ expect }) => {
    const sent: BatchContents[] = []
    const scheduled: Promise<unknown>[] = []
    let reachable = false
    const options = {
      sink: async (_zone: string, _region: string, batch: BatchContents) => {
        if (!reachable) throw new Error('store unreachable')
        sent.push(batch)
      },
      flushMs: 1,
      waitUntil: (p: Promise<unknown>) => scheduled.push(p),
      now: Date.UTC(2026, 0, 1),
      sleep: () => Promise.resolve(),
    }
    expect(() => record({ ...event, zone: 'two' }, options)).not.toThrow()
    await expect(Promise.all(scheduled)).resolves.toEqual([undefined])
    // The failed batch is gone: the next one starts from zero.
    reachable = true
    record({ ...event, zone: 'two' }, options)
    await Promise.all(scheduled)
    expect(scheduled).toHaveLength(2)
    expect(sent.map((batch) => batch.rows[0]?.requests)).toEqual([1])
  })
})
