import { describe, it } from 'vitest'
import {
  admitToL1,
  EVICTION_SAMPLE,
  FrequencySketch,
  IDLE_FACTOR,
  MAX_COUNT,
  overBudget,
  planAdmission,
  type Resident,
  recentFrequency,
} from '../../../edge-cache/tier/admission'

describe('FrequencySketch', () => {
  it('estimates counts of distinct keys without undercounting', ({ expect }) => {
    const sketch = new FrequencySketch(1024, 1_000_000)
    for (let i = 0; i < 200; i++) {
      for (let n = 0; n < i % 7; n++) sketch.increment(`key-${i}`, 0)
    }
    let exact = 0
    for (let i = 0; i < 200; i++) {
      const estimate = sketch.estimate(`key-${i}`)
      expect(estimate).toBeGreaterThanOrEqual(i % 7)
      if (estimate === i % 7) exact++
    }
    // 200 keys in 1024 counters per row: collisions in all four rows are rare.
    expect(exact).toBeGreaterThan(190)
    expect(sketch.estimate('never-seen')).toBe(0)
  })

  it('counts up to the 4-bit maximum and saturates there', ({ expect }) => {
    const sketch = new FrequencySketch(64, 1_000_000)
    for (let i = 0; i < 14; i++) sketch.increment('hot', 0)
    expect(sketch.estimate('hot')).toBe(14)
    for (let i = 0; i < 100; i++) sketch.increment('hot', 0)
    expect(sketch.estimate('hot')).toBe(MAX_COUNT)
    expect(MAX_COUNT).toBe(15)
  })

  it('halves every counter after W increments', ({ expect }) => {
    const sketch = new FrequencySketch(64, 100)
    for (let i = 0; i < 12; i++) sketch.increment('hot', 0)
    for (let i = 0; i < 87; i++) sketch.increment(`cold-${i % 29}`, 0)
    expect(sketch.resets).toBe(0)
    expect(sketch.estimate('hot')).toBe(12)
    sketch.increment('hot', 0)
    expect(sketch.resets).toBe(1)
    expect(sketch.estimate('hot')).toBe(6)
    expect(sketch.additions).toBe(50)
  })

  it('spans the time it counted, halved with the counters', ({ expect }) => {
    const sketch = new FrequencySketch(64, 100, 1000)
    expect(sketch.history(1500)).toBe(500)
    for (let i = 0; i < 12; i++) sketch.increment('a', 1500)
    for (let i = 0; i < 87; i++) sketch.increment(`b-${i % 29}`, 1500)
    expect(sketch.history(3000)).toBe(2000)
    // the 100th increment halves the counts at 3000: they now stand for 1000 ms, not 2000
    sketch.increment('a', 3000)
    expect(sketch.estimate('a')).toBe(6)
    expect(sketch.history(3000)).toBe(1000)
    expect(sketch.history(3500)).toBe(1500)
    expect(sketch.history(0)).toBe(0)
  })

  it('forgets popularity that is not renewed', ({ expect }) => {
    const sketch = new FrequencySketch(256)
    for (let i = 0; i < 10; i++) sketch.increment('yesterday', 0)
    for (let i = 0; i < sketch.sampleSize * 4; i++) sketch.increment(`today-${i % 50}`, i)
    expect(sketch.resets).toBeGreaterThanOrEqual(4)
    expect(sketch.estimate('yesterday')).toBe(0)
    expect(sketch.estimate('today-1')).toBeGreaterThan(5)
  })

  it('survives a snapshot and restore, and refuses a snapshot of another shape', ({ expect }) => {
    const sketch = new FrequencySketch(128, undefined, 1000)
    for (let i = 0; i < 5; i++) sketch.increment('a', 2000)
    const restored = FrequencySketch.restore(sketch.snapshot(), 128, 5000)
    expect(restored.estimate('a')).toBe(5)
    expect(restored.additions).toBe(5)
    expect(restored.history(5000)).toBe(4000)
    // a clock behind the saved history never gives a negative span
    expect(FrequencySketch.restore(sketch.snapshot(), 128, 500).history(500)).toBe(0)
    const other = FrequencySketch.restore(sketch.snapshot(), 4096, 5000)
    expect(other.estimate('a')).toBe(0)
    expect(other.history(6000)).toBe(1000)
  })
})

describe('recentFrequency', () => {
  it.for([
    { frequency: 10, idle: 0, history: 1000, expected: 10 },
    { frequency: 10, idle: 400, history: 1000, expected: 10 },
    { frequency: 10, idle: 4000, history: 1000, expected: IDLE_FACTOR * 0.25 },
    { frequency: 10, idle: 1000, history: 0, expected: 0 },
  ])(
    'frequency $frequency idle $idle ms of $history ms → $expected',
    ({ frequency, idle, history, expected }, { expect }) => {
      expect(recentFrequency(frequency, idle, history)).toBe(expected)
    }
  )
})

describe('planAdmission', () => {
  const frequencies: Record<string, number> = { hot: 5, warm: 2, cold: 1, new: 1, popular: 3 }
  const NOW = 1_000_000
  const popularity = {
    frequency: (key: string) => frequencies[key.replace(/-.*/, '')] ?? 0,
    history: 1000,
    now: NOW,
  }
  const frequency = popularity
  const item = (key: string, size: number, lastAccess = NOW): Resident => ({
    key,
    size,
    lastAccess,
  })

  it('admits without evicting while the budget has room', ({ expect }) => {
    expect(planAdmission(item('new', 10), 50, 100, [item('cold', 10)], frequency)).toEqual({
      admit: true,
      evict: [],
    })
  })

  it('lets a one-hit wonder in only over less popular victims', ({ expect }) => {
    // A tie keeps the incumbent: a one-hit wonder cannot evict another one.
    const plan = planAdmission(item('new', 10), 95, 100, [item('cold', 10)], frequency)
    expect(plan).toEqual({ admit: false, reason: 'victim-more-popular', victim: item('cold', 10) })
    expect(
      planAdmission(item('new', 10), 95, 100, [item('hot', 50), item('cold', 10)], frequency).admit
    ).toBe(false)
  })

  it('evicts as many victims as make room, in order, when the candidate beats each', ({
    expect,
  }) => {
    const victims = [item('cold', 10), item('warm', 10), item('hot', 10)]
    expect(planAdmission(item('popular', 15), 100, 100, victims, frequency)).toEqual({
      admit: true,
      evict: [item('cold', 10), item('warm', 10)],
    })
  })

  it('refuses what exceeds the whole budget, and skips the candidate’s own old copy', ({
    expect,
  }) => {
    expect(planAdmission(item('hot', 101), 0, 100, [], frequency)).toEqual({
      admit: false,
      reason: 'larger-than-budget',
    })
    const plan = planAdmission(
      item('hot', 20),
      90,
      100,
      [item('hot', 5), item('cold', 10)],
      frequency
    )
    expect(plan).toEqual({ admit: true, evict: [item('cold', 10)] })
  })

  it('consumes the victims lazily', ({ expect }) => {
    let pulled = 0
    function* victims() {
      for (let i = 0; i < 1000; i++) {
        pulled++
        yield item('cold', 10)
      }
    }
    planAdmission(item('hot', 30), 100, 100, victims(), frequency)
    // one sample to start with, then one more entry after each of the three evictions
    expect(pulled).toBe(EVICTION_SAMPLE + 2)
  })

  it('evicts the least popular of the LRU tail sample, not merely the oldest', ({ expect }) => {
    const victims = [item('warm', 10), item('hot', 10), item('cold', 10)]
    expect(planAdmission(item('popular', 10), 100, 100, victims, frequency)).toEqual({
      admit: true,
      evict: [item('cold', 10)],
    })
    // the oldest goes first on a tie, and a sample of one is plain LRU order
    const tie = [item('cold', 10), item('new', 10)]
    expect(planAdmission(item('popular', 10), 100, 100, tie, frequency)).toEqual({
      admit: true,
      evict: [item('cold', 10)],
    })
    expect(planAdmission(item('popular', 10), 100, 100, victims, frequency, 1)).toEqual({
      admit: true,
      evict: [item('warm', 10)],
    })
  })

  it('admits by frequency whatever the sizes: bytes that are asked for again spare the origin', ({
    expect,
  }) => {
    // a large newcomer more popular than a small victim gets in
    expect(planAdmission(item('popular', 1000), 100, 1090, [item('warm', 10)], frequency)).toEqual({
      admit: true,
      evict: [item('warm', 10)],
    })
    // a small newcomer less popular than a large victim stays out
    expect(planAdmission(item('warm', 10), 1000, 1000, [item('popular', 1000)], frequency)).toEqual(
      { admit: false, reason: 'victim-more-popular', victim: item('popular', 1000) }
    )
  })

  it('evicts the older of two equally popular entries first, whatever their sizes', ({
    expect,
  }) => {
    const victims = [item('warm-small', 10), item('warm-large', 90)]
    expect(planAdmission(item('hot', 10), 100, 100, victims, frequency)).toEqual({
      admit: true,
      evict: [item('warm-small', 10)],
    })
  })

  it('lets a newcomer displace a popular entry idle far longer than its count implies', ({
    expect,
  }) => {
    // hot: 5 requests in 1000 ms, so gaps of ~200 ms; idle 2000 ms still counts as 5
    const recent = [item('hot', 10, NOW - 2000)]
    expect(planAdmission(item('popular', 10), 100, 100, recent, frequency).admit).toBe(false)
    // idle 5000 ms: at most IDLE_FACTOR × 1000 / 5000 = 2.4 requests, less than popular's 3
    expect(IDLE_FACTOR * (1000 / 5000)).toBeLessThan(3)
    const moved = [item('hot', 10, NOW - 5000)]
    expect(planAdmission(item('popular', 10), 100, 100, moved, frequency)).toEqual({
      admit: true,
      evict: moved,
    })
  })

  it('looks no further than the sample for a victim', ({ expect }) => {
    const victims = [
      ...Array.from({ length: EVICTION_SAMPLE }, () => item('hot', 10)),
      item('cold', 10),
    ]
    expect(planAdmission(item('popular', 10), 100, 100, victims, frequency)).toEqual({
      admit: false,
      reason: 'victim-more-popular',
      victim: item('hot', 10),
    })
  })
})

describe('overBudget', () => {
  it('evicts the oldest until within budget', ({ expect }) => {
    const victims = [
      { key: 'a', size: 5 },
      { key: 'b', size: 5 },
      { key: 'c', size: 5 },
    ]
    expect(overBudget(108, 100, victims).map((v) => v.key)).toEqual(['a', 'b'])
    expect(overBudget(100, 100, victims)).toEqual([])
  })
})

describe('L1 admission', () => {
  it.for([
    { frequency: 1, size: 1000, admitted: true },
    { frequency: 1, size: 2_000_000, admitted: false },
    { frequency: 2, size: 2_000_000, admitted: true },
    { frequency: 1, size: undefined, admitted: false },
    { frequency: 3, size: undefined, admitted: true },
  ])(
    'frequency $frequency, size $size → $admitted',
    ({ frequency, size, admitted }, { expect }) => {
      expect(admitToL1(frequency, size, 1024 * 1024)).toBe(admitted)
    }
  )
})
