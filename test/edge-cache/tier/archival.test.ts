/**
 * The pure archival decisions: tier-only paths, restore dedupe, Retry-After.
 * @see edge-cache/tier/archival.ts
 */
import { describe, it } from 'vitest'
import {
  archivalFor,
  decideRestore,
  expectedRestoreSeconds,
  MIN_RESTORE_POLL_SECONDS,
  type RestoreTier,
  restoreRetryAfterSeconds,
  restoreWindowMs,
} from '../../../edge-cache/tier/archival'
import { routeSpecSchema } from '../../../schemas/api/config'

describe('decideRestore', () => {
  const HOUR = 3_600_000
  it.for([
    ['no restore recorded', undefined, 0, 'start'],
    ['recorded just now', { startedAt: 1000 }, 1000, 'wait'],
    ['recorded within the window', { startedAt: 0 }, HOUR - 1, 'wait'],
    ['recorded exactly a window ago', { startedAt: 0 }, HOUR, 'start'],
    ['recorded long ago', { startedAt: 0 }, 10 * HOUR, 'start'],
  ] as const)('%s → %s', ([, record, now, expected], { expect }) => {
    expect(decideRestore(record, now, HOUR)).toBe(expected)
  })
})

describe('restoreRetryAfterSeconds', () => {
  it.for([
    ['GLACIER', 'Standard', 0, 5 * 3600],
    ['GLACIER', 'Standard', 3600, 4 * 3600],
    ['GLACIER', 'Expedited', 0, 300],
    ['GLACIER', 'Expedited', 290, MIN_RESTORE_POLL_SECONDS],
    ['GLACIER', 'Expedited', 10_000, MIN_RESTORE_POLL_SECONDS],
    ['GLACIER', 'Bulk', 0, 12 * 3600],
    ['DEEP_ARCHIVE', 'Standard', 0, 12 * 3600],
    ['DEEP_ARCHIVE', 'Bulk', 0, 48 * 3600],
  ] as [string, RestoreTier, number, number][])(
    '%s %s, %d s in → %d s',
    ([storageClass, tier, elapsed, expected], { expect }) => {
      expect(restoreRetryAfterSeconds(storageClass, tier, 5000, 5000 + elapsed * 1000)).toBe(
        expected
      )
    }
  )

  it('is never below the polling interval', ({ expect }) => {
    for (const tier of ['Expedited', 'Standard', 'Bulk'] as const) {
      expect(expectedRestoreSeconds('GLACIER', tier)).toBeGreaterThanOrEqual(60)
      expect(restoreRetryAfterSeconds('GLACIER', tier, 0, 1e12)).toBe(MIN_RESTORE_POLL_SECONDS)
    }
  })
})

describe('restoreWindowMs', () => {
  it('is the configured window, else the expected restore time', ({ expect }) => {
    const base = { restoreDays: 1, restoreTier: 'Bulk' as const, tierOnly: false }
    expect(restoreWindowMs(base, 'GLACIER')).toBe(12 * 3_600_000)
    expect(restoreWindowMs({ ...base, restoreWindowSeconds: 30 }, 'GLACIER')).toBe(30_000)
  })
})

describe('archivalFor', () => {
  const route = routeSpecSchema.parse({ origin: 'main', archival: { prefix: '/cold/' } })

  it('fills the defaults: 1 day, Standard', ({ expect }) => {
    expect(route.archival).toEqual({ prefix: '/cold/', restoreDays: 1, restoreTier: 'Standard' })
  })

  it.for([
    ['/cold/2019/report.pdf', true],
    ['/cold/', true],
    ['/coldest/x', false],
    ['/hot/x', false],
  ] as const)('%s tier-only: %s', ([path, tierOnly], { expect }) => {
    expect(archivalFor(route.archival, path)).toEqual({
      restoreDays: 1,
      restoreTier: 'Standard',
      tierOnly,
    })
  })

  it('is undefined for a route without archival settings', ({ expect }) => {
    expect(archivalFor(undefined, '/cold/x')).toBeUndefined()
  })

  it.for([
    { prefix: 'cold/' },
    { prefix: '/cold/', restoreTier: 'Instant' },
    { prefix: '/cold/', restoreDays: 0 },
  ])('rejects archival %j', (archival, { expect }) => {
    expect(routeSpecSchema.safeParse({ origin: 'main', archival }).success).toBe(false)
  })

  it('rejects archival paths on a route without the tier, naming tieredCache', ({ expect }) => {
    const parsed = routeSpecSchema.safeParse({
      origin: 'main',
      tieredCache: false,
      archival: { prefix: '/cold/' },
    })
    expect(parsed.error?.issues.map((issue) => issue.path)).toEqual([['tieredCache']])
  })
})
