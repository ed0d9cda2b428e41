import { describe, it } from 'vitest'
import { TokenBuckets } from '../../../workers/admin/token-bucket'

describe('TokenBuckets', () => {
  it('allows a burst of capacity, then says how long to wait', ({ expect }) => {
    const buckets = new TokenBuckets({ capacity: 3, refillMs: 1000 })
    for (let i = 0; i < 3; i++) {
      expect(buckets.waitMs('ip', 0)).toBe(0)
      buckets.take('ip', 0)
    }
    expect(buckets.waitMs('ip', 0)).toBe(1000)
    expect(buckets.waitMs('ip', 400)).toBe(600)
    expect(buckets.waitMs('ip', 1000)).toBe(0)
  })

  it('keeps keys apart', ({ expect }) => {
    const buckets = new TokenBuckets({ capacity: 1, refillMs: 1000 })
    buckets.take('a', 0)
    expect(buckets.waitMs('a', 0)).toBe(1000)
    expect(buckets.waitMs('b', 0)).toBe(0)
  })

  it('refills no further than capacity and forgets full buckets', ({ expect }) => {
    const buckets = new TokenBuckets({ capacity: 2, refillMs: 100 })
    buckets.take('ip', 0)
    buckets.take('ip', 0)
    expect(buckets.size).toBe(1)
    // Long idle: back to 2, not 100.
    expect(buckets.waitMs('ip', 10_000)).toBe(0)
    expect(buckets.size).toBe(0)
    buckets.take('ip', 10_000)
    buckets.take('ip', 10_000)
    expect(buckets.waitMs('ip', 10_000)).toBe(100)
  })

  it('bounds memory by forgetting the oldest key', ({ expect }) => {
    const buckets = new TokenBuckets({ capacity: 1, refillMs: 60_000, maxKeys: 2 })
    buckets.take('a', 0)
    buckets.take('b', 1)
    buckets.take('c', 2)
    expect(buckets.size).toBe(2)
    expect(buckets.waitMs('a', 3)).toBe(0)
    expect(buckets.waitMs('c', 3)).toBeGreaterThan(0)
  })

  it.for([
    { capacity: 0, refillMs: 1000 },
    { capacity: 1, refillMs: 0 },
    { capacity: Number.NaN, refillMs: 1000 },
  ])('refuses capacity $capacity and refillMs $refillMs', (options, { expect }) => {
    expect(() => new TokenBuckets(options)).toThrow(TypeError)
  })
})
