import { describe, it } from 'vitest'
import { analyticsQuerySchema, analyticsWindow } from '../../../schemas/api/analytics'

const NOW = Date.UTC(2026, 10, 29, 12, 0, 30)

function window(query: Record<string, string>) {
  return analyticsWindow(analyticsQuerySchema.parse(query), NOW)
}

describe('analytics query', () => {
  it('defaults to the last hour by layer, minute steps aligned to the minute', ({ expect }) => {
    expect(analyticsQuerySchema.parse({})).toMatchObject({ by: 'layer', top: 10 })
    expect(window({})).toEqual({ since: NOW - 3600_000 - 30_000, until: NOW, stepMs: 60_000 })
  })

  it('reads ISO 8601, epoch milliseconds and relative times', ({ expect }) => {
    expect(window({ since: '-2h' })).toMatchObject({ since: NOW - 7200_000 - 30_000 })
    expect(window({ since: '2026-11-29T11:00:00Z', until: String(NOW) })).toMatchObject({
      since: Date.UTC(2026, 10, 29, 11),
      until: NOW,
    })
  })

  it('grows the step so that a long window has at most 240 points', ({ expect }) => {
    const w = window({ since: '-7d' })
    expect('stepMs' in w && (w.until - w.since) / w.stepMs).toBeLessThanOrEqual(241)
    expect('stepMs' in w && w.stepMs % 60_000).toBe(0)
  })

  it.for([[{ since: 'yesterday' }], [{ by: 'country' }], [{ top: '0' }], [{ top: '101' }]])(
    'rejects %j',
    (query, { expect }) => {
      expect(analyticsQuerySchema.safeParse(query).success).toBe(false)
    }
  )

  it('rejects an empty or reversed window and one over 31 days', ({ expect }) => {
    expect(window({ since: '-1h', until: '-2h' })).toEqual({ error: 'since must be before until' })
    expect(window({ since: '-40d' })).toEqual({ error: 'the window may be at most 31 days' })
  })
})
