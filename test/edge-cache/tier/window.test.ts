import { describe, it } from 'vitest'
import { type Popularity, planAdmission, type Resident } from '../../../edge-cache/tier/admission'
import { MAX_WINDOW_DEPARTURES, planWindow } from '../../../edge-cache/tier/window'

const NOW = 1_000_000

function resident(key: string, size: number, lastAccess = NOW): Resident {
  return { key, size, lastAccess }
}

function popularity(counts: Record<string, number>): Popularity {
  return { frequency: (key) => counts[key] ?? 0, history: NOW, now: NOW }
}

/** A small deterministic generator, so the comparison below covers many shapes. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

describe('planWindow', () => {
  it('puts a newcomer in the window while the shard has room, displacing nothing', ({ expect }) => {
    const plan = planWindow(
      { key: 'new', size: 10 },
      { window: 0, main: 50 },
      100,
      30,
      [],
      [resident('a', 50)],
      popularity({})
    )
    expect(plan).toEqual({ admit: true, segment: 'window', promote: [], evict: [] })
  })

  it('moves what leaves a full window to main when main has room, evicting nothing', ({
    expect,
  }) => {
    const plan = planWindow(
      { key: 'new', size: 10 },
      { window: 30, main: 20 },
      100,
      30,
      [resident('w1', 10, 1), resident('w2', 20, 2)],
      [resident('m1', 20)],
      popularity({})
    )
    expect(plan).toEqual({
      admit: true,
      segment: 'window',
      promote: [resident('w1', 10, 1)],
      evict: [],
    })
  })

  it('promotes a window exit more popular than main’s victim, which leaves', ({ expect }) => {
    const plan = planWindow(
      { key: 'new', size: 10 },
      { window: 10, main: 90 },
      100,
      10,
      [resident('w', 10, 1)],
      [resident('cold', 10, 1), resident('hot', 80, 2)],
      popularity({ w: 5, cold: 1, hot: 9 })
    )
    expect(plan).toEqual({
      admit: true,
      segment: 'window',
      promote: [resident('w', 10, 1)],
      evict: [resident('cold', 10, 1)],
    })
  })

  it('deletes a window exit that is not more popular than main’s victims', ({ expect }) => {
    const plan = planWindow(
      { key: 'new', size: 10 },
      { window: 10, main: 90 },
      100,
      10,
      [resident('w', 10, 1)],
      [resident('m', 90, 1)],
      popularity({ w: 3, m: 3 })
    )
    expect(plan).toEqual({
      admit: true,
      segment: 'window',
      promote: [],
      evict: [resident('w', 10, 1)],
    })
  })

  it('moves at most MAX_WINDOW_DEPARTURES entries out of a window that shrank, the rest later', ({
    expect,
  }) => {
    const count = MAX_WINDOW_DEPARTURES * 3
    const window = Array.from({ length: count }, (_, i) => resident(`w${i}`, 1, i))
    const plan = planWindow(
      { key: 'new', size: 1 },
      { window: count, main: 0 },
      10 * count,
      0,
      window,
      [],
      popularity({})
    )
    expect(plan.promote).toEqual(window.slice(0, MAX_WINDOW_DEPARTURES))
    expect(plan).toMatchObject({ admit: true, segment: 'window', evict: [] })
  })

  it('turns away an object larger than the budget', ({ expect }) => {
    const plan = planWindow(
      { key: 'big', size: 101 },
      { window: 0, main: 0 },
      100,
      50,
      [],
      [],
      popularity({})
    )
    expect(plan.admit).toBe(false)
  })

  it('with no window, decides exactly as planAdmission', ({ expect }) => {
    const next = random(17)
    for (let round = 0; round < 300; round++) {
      const counts: Record<string, number> = { new: Math.floor(next() * 8) }
      const main: Resident[] = []
      let used = 0
      for (let i = 0; i < 12; i++) {
        const entry = resident(`m${i}`, 1 + Math.floor(next() * 30), i)
        counts[entry.key] = Math.floor(next() * 8)
        main.push(entry)
        used += entry.size
      }
      const size = 1 + Math.floor(next() * 60)
      // A shard is never over budget before a commit (capacity.ts brings it back at once).
      const budget = used + Math.floor(next() * 40)
      const pop = popularity(counts)
      const windowed = planWindow(
        { key: 'new', size },
        { window: 0, main: used },
        budget,
        0,
        [],
        main,
        pop
      )
      const plain = planAdmission({ key: 'new', size }, used, budget, main, pop)
      expect(windowed.admit).toBe(plain.admit)
      expect(windowed.promote).toEqual([])
      expect(windowed.evict).toEqual(plain.admit ? plain.evict : [])
      if (windowed.admit) expect(windowed.segment).toBe('main')
    }
  })
})
