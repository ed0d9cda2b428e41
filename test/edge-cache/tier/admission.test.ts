import { describe, it } from 'vitest'
import {
  admitToL1,
  byteSetting,
  EVICTION_SAMPLE,
  edgeL1Refusal,
  FrequencySketch,
  L1_NOT_ADMITTED,
  MAX_COUNT,
  overBudget,
  planAdmission,
  type Sized,
} from '../../../edge-cache/tier/admission'

describe('FrequencySketch', () => {
  it('estimates counts of distinct keys without undercounting', ({ expect }) => {
    const sketch = new FrequencySketch(1024, 1_000_000)
    for (let i = 0; i < 200; i++) {
      for (let n = 0; n < i % 7; n++) sketch.increment(`key-${i}`)
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

  it('saturates at the 4-bit maximum', ({ expect }) => {
    const sketch = new FrequencySketch(64, 1_000_000)
    for (let i = 0; i < 100; i++) sketch.increment('hot')
    expect(sketch.estimate('hot')).toBe(MAX_COUNT)
  })

  it('halves every counter after W increments', ({ expect }) => {
    const sketch = new FrequencySketch(64, 100)
    for (let i = 0; i < 12; i++) sketch.increment('hot')
    for (let i = 0; i < 87; i++) sketch.increment(`cold-${i % 29}`)
    expect(sketch.resets).toBe(0)
    expect(sketch.estimate('hot')).toBe(12)
    sketch.increment('hot')
    expect(sketch.resets).toBe(1)
    expect(sketch.estimate('hot')).toBe(6)
    expect(sketch.additions).toBe(50)
  })

  it('forgets popularity that is not renewed', ({ expect }) => {
    const sketch = new FrequencySketch(256)
    for (let i = 0; i < 10; i++) sketch.increment('yesterday')
    for (let i = 0; i < sketch.sampleSize * 4; i++) sketch.increment(`today-${i % 50}`)
    expect(sketch.resets).toBeGreaterThanOrEqual(4)
    expect(sketch.estimate('yesterday')).toBe(0)
    expect(sketch.estimate('today-1')).toBeGreaterThan(5)
  })

  it('survives a snapshot and restore, and refuses a snapshot of another shape', ({ expect }) => {
    const sketch = new FrequencySketch(128)
    for (let i = 0; i < 5; i++) sketch.increment('a')
    const restored = FrequencySketch.restore(sketch.snapshot(), 128)
    expect(restored.estimate('a')).toBe(5)
    expect(restored.additions).toBe(5)
    expect(FrequencySketch.restore(sketch.snapshot(), 4096).estimate('a')).toBe(0)
  })
})

describe('planAdmission', () => {
  const frequencies: Record<string, number> = { hot: 5, warm: 2, cold: 1, new: 1, popular: 3 }
  const frequency = (key: string) => frequencies[key] ?? 0
  const item = (key: string, size: number): Sized => ({ key, size })

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

  it('maps the edge-l1 field to the edge’s decision', ({ expect }) => {
    expect(edgeL1Refusal('no-store')).toBe('tier-only')
    expect(edgeL1Refusal(L1_NOT_ADMITTED)).toBe('l1-not-admitted')
    expect(edgeL1Refusal(null)).toBeUndefined()
  })

  it('reads byte settings with a fallback', ({ expect }) => {
    expect(byteSetting('42', 7)).toBe(42)
    expect(byteSetting(undefined, 7)).toBe(7)
    expect(byteSetting('', 7)).toBe(7)
    expect(byteSetting('-1', 7)).toBe(7)
    expect(byteSetting('1.5', 7)).toBe(7)
  })
})
