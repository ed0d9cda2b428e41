/**
 * Weighted steering by the cache key's hash: shares follow the weights, a key keeps its member.
 * @see origin/steering.ts
 */
import { describe, it } from 'vitest'
import { rankMembers } from '../../origin/steering'
import type { ResolvedPool } from '../../schemas/api/pool'

function pool(steering: ResolvedPool['steering'], ...weights: number[]): ResolvedPool {
  return {
    kind: 'pool',
    name: 'web',
    steering,
    members: weights.map((weight, i) => ({
      name: `m${i}`,
      weight,
      spec: { kind: 'http', url: `http://m${i}.test` },
    })),
  }
}

const keys = (n: number) => Array.from({ length: n }, (_, i) => `https://cdn.test/a/${i}.css`)

describe('rankMembers', () => {
  it('splits 2,000 keys 90/10 within ±3 points', ({ expect }) => {
    const canary = pool('weighted', 90, 10)
    const first = keys(2000).map((key) => rankMembers(canary, key)[0]?.name)
    const share = first.filter((m) => m === 'm0').length / first.length
    expect(Math.abs(share - 0.9)).toBeLessThanOrEqual(0.03)
  })

  it.for<[number[]]>([[[1, 1, 1]], [[50, 30, 20]], [[1, 3]]])(
    'follows weights %j',
    ([weights], { expect }) => {
      const p = pool('weighted', ...weights)
      const total = weights.reduce((a, b) => a + b, 0)
      const counts = new Map<string, number>()
      for (const key of keys(6000)) {
        const name = rankMembers(p, key)[0]?.name ?? ''
        counts.set(name, (counts.get(name) ?? 0) + 1)
      }
      weights.forEach((w, i) => {
        expect(Math.abs((counts.get(`m${i}`) ?? 0) / 6000 - w / total)).toBeLessThanOrEqual(0.03)
      })
    }
  )

  it('sends a key to the same member every time, and ranks every member once', ({ expect }) => {
    const p = pool('weighted', 90, 10, 5)
    for (const key of keys(200)) {
      const ranking = rankMembers(p, key).map((m) => m.name)
      expect(rankMembers(p, key).map((m) => m.name)).toEqual(ranking)
      expect([...ranking].sort()).toEqual(['m0', 'm1', 'm2'])
    }
  })

  it('moves only keys that must move when a member is added', ({ expect }) => {
    const before = pool('weighted', 1, 1)
    const after = pool('weighted', 1, 1, 1)
    const moved = keys(3000).filter((key) => {
      const was = rankMembers(before, key)[0]?.name
      const is = rankMembers(after, key)[0]?.name
      return is !== was && is !== 'm2'
    })
    expect(moved).toEqual([])
  })

  it('ranks a member of weight 0 last: a spare', ({ expect }) => {
    const p = pool('weighted', 1, 0)
    for (const key of keys(100))
      expect(rankMembers(p, key).map((m) => m.name)).toEqual(['m0', 'm1'])
  })

  it('keeps the listed order under failover steering', ({ expect }) => {
    const p = pool('failover', 1, 100, 5)
    expect(rankMembers(p, 'any').map((m) => m.name)).toEqual(['m0', 'm1', 'm2'])
  })
})
