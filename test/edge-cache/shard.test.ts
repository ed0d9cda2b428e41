import fc from 'fast-check'
import { describe, it } from 'vitest'
import { shardFor, tierObjectName } from '../../edge-cache/shard'

const keys = Array.from({ length: 20_000 }, (_, i) => `https://cdn.test/objects/${i}.bin`)

describe('shardFor', () => {
  it('always maps a key to the same shard in range', ({ expect }) => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const shard = shardFor(key, n)
        expect(shard).toBe(shardFor(key, n))
        expect(shard).toBeGreaterThanOrEqual(0)
        expect(shard).toBeLessThan(n)
      })
    )
  })

  it.for([
    [4, 0.03],
    [64, 0.25],
  ] as const)('spreads keys evenly over %i shards', ([shards, tolerance], { expect }) => {
    const counts = new Array<number>(shards).fill(0)
    for (const key of keys) counts[shardFor(key, shards)] = (counts[shardFor(key, shards)] ?? 0) + 1
    // 20,000 keys: ±3% of the mean over 4 shards, ±25% (about 4 standard deviations) over 64.
    const mean = keys.length / shards
    for (const count of counts) expect(Math.abs(count - mean)).toBeLessThan(mean * tolerance)
  })

  it.for([
    [4, 5],
    [8, 9],
    [16, 17],
    [64, 65],
  ] as const)(
    'moves only about 1/N of the keys when %i shards become %i',
    ([from, to], { expect }) => {
      const moved = keys.filter((k) => shardFor(k, from) !== shardFor(k, to)).length
      // Rendezvous hashing moves exactly the keys the new shard wins: 1/to of them on average.
      expect(moved / keys.length).toBeGreaterThan(0.7 / to)
      expect(moved / keys.length).toBeLessThan(1.3 / to)
    }
  )

  it.for([0, -1, 1.5, Number.NaN] as const)('rejects %s shards', (n, { expect }) => {
    expect(() => shardFor('k', n)).toThrow(TypeError)
  })

  it('names tier objects tier:<region>:<n>', ({ expect }) => {
    expect(tierObjectName('eu', 3)).toBe('tier:eu:3')
  })
})
