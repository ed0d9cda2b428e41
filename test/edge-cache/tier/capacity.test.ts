import { describe, it } from 'vitest'
import {
  expiresAt,
  REVALIDATION_GRACE_SECONDS,
  SWEEP_INTERVAL_MS,
  sweepAt,
} from '../../../edge-cache/tier/capacity'
import { tierEntry } from '../../support/tier-entry'

const NOW = Date.UTC(2026, 0, 1)

const entryWith = (headers: Record<string, string>) => tierEntry(headers, NOW)

describe('expiresAt', () => {
  it.for<{ what: string; headers: Record<string, string>; seconds: number }>([
    {
      what: 'fresh for its max-age, no validator, must-revalidate',
      headers: { 'cache-control': 'max-age=60, must-revalidate' },
      seconds: 60,
    },
    {
      what: 'plus its stale windows',
      headers: {
        'cache-control':
          'max-age=60, stale-while-revalidate=30, stale-if-error=90, must-revalidate',
      },
      seconds: 150,
    },
    {
      what: 'plus the grace when it has a validator',
      headers: { 'cache-control': 'max-age=60, must-revalidate', etag: '"v1"' },
      seconds: 60 + REVALIDATION_GRACE_SECONDS,
    },
    {
      what: 'plus the grace when it may be served stale in an outage',
      headers: { 'cache-control': 'max-age=60' },
      seconds: 60 + REVALIDATION_GRACE_SECONDS,
    },
  ])('$what', ({ headers, seconds }, { expect }) => {
    expect(expiresAt(entryWith(headers), NOW)).toBe(NOW + seconds * 1000)
  })

  it('counts from the time it is given', ({ expect }) => {
    const entry = entryWith({ 'cache-control': 'max-age=60, must-revalidate' })
    // 10 s later the entry has 50 s of freshness left: it still expires at the same instant.
    expect(expiresAt(entry, NOW + 10_000)).toBe(NOW + 60_000)
  })
})

describe('sweepAt', () => {
  it.for([
    { what: 'at the next expiry', expiry: NOW + 1000, at: NOW + 1000 },
    { what: 'at once for one already past', expiry: NOW - 1000, at: NOW },
    {
      what: 'no later than the interval',
      expiry: NOW + 10 * SWEEP_INTERVAL_MS,
      at: NOW + SWEEP_INTERVAL_MS,
    },
  ])('runs $what', ({ expiry, at }, { expect }) => {
    expect(sweepAt(expiry, NOW)).toBe(at)
  })
})
