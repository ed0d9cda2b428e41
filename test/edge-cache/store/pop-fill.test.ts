import { describe, it } from 'vitest'
import {
  HOT_WITHIN_MS,
  nextLookIn,
  POP_FILL_WAIT_MS,
  RecentHits,
} from '../../../edge-cache/store/pop-fill'

describe('RecentHits', () => {
  it('calls a key hot for HOT_WITHIN_MS after its last L1 hit', ({ expect }) => {
    const hits = new RecentHits()
    expect(hits.isHot('l1:FRA\nk', 0)).toBe(false)
    hits.note('l1:FRA\nk', 1_000)
    expect(hits.isHot('l1:FRA\nk', 1_000 + HOT_WITHIN_MS)).toBe(true)
    expect(hits.isHot('l1:FRA\nk', 1_001 + HOT_WITHIN_MS)).toBe(false)
    expect(hits.isHot('l1:AMS\nk', 1_000)).toBe(false)
  })

  it('forgets the key hit longest ago once over its limit', ({ expect }) => {
    const hits = new RecentHits(2)
    hits.note('a', 1)
    hits.note('b', 2)
    hits.note('a', 3)
    hits.note('c', 4)
    expect(hits.isHot('a', 5)).toBe(true)
    expect(hits.isHot('b', 5)).toBe(false)
    expect(hits.isHot('c', 5)).toBe(true)
  })
})

describe('nextLookIn', () => {
  it('doubles the wait from 10 ms and stops at POP_FILL_WAIT_MS in all', ({ expect }) => {
    const pauses: number[] = []
    for (let waited = 0, next = nextLookIn(0, 1e9, 0); next !== undefined; ) {
      pauses.push(next)
      waited += next
      next = nextLookIn(waited, 1e9, 0)
    }
    expect(pauses).toEqual([10, 10, 20, 40, 80, 160, 180])
    expect(pauses.reduce((a, b) => a + b)).toBe(POP_FILL_WAIT_MS)
  })

  it('stops when the claim runs out, and never looks past it', ({ expect }) => {
    expect(nextLookIn(0, 1_000, 1_000)).toBeUndefined()
    expect(nextLookIn(0, 1_000, 1_200)).toBeUndefined()
    expect(nextLookIn(40, 1_025, 1_000)).toBe(25)
  })
})
