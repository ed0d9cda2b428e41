import { describe, it } from 'vitest'
import { FrequencySketch, type Popularity } from '../../../edge-cache/tier/admission'
import {
  Miniatures,
  type MiniatureTuning,
  SHARD_MINIATURES,
  WindowedCache,
} from '../../../edge-cache/tier/miniatures'

function popularity(sketch: FrequencySketch, now: number): Popularity {
  return { frequency: (key) => sketch.estimate(key), history: sketch.history(now), now }
}

describe('WindowedCache', () => {
  it('hits what it stored and moves window exits to main while there is room', ({ expect }) => {
    const sketch = new FrequencySketch(256, undefined, 0)
    const cache = new WindowedCache(100)
    const ask = (key: string, now: number) => {
      sketch.increment(key, now)
      return cache.request(key, 10, popularity(sketch, now), 20)
    }
    expect([ask('a', 1), ask('b', 2), ask('c', 3), ask('a', 4)]).toEqual([
      false,
      false,
      false,
      true,
    ])
    expect(cache.entries).toBe(3)
  })

  it('holds no more entries than its cap, whatever their bytes', ({ expect }) => {
    const sketch = new FrequencySketch(256, undefined, 0)
    const cache = new WindowedCache(1_000_000, 5)
    for (let i = 0; i < 50; i++) cache.request(`k${i}`, 1, popularity(sketch, i), 100)
    expect(cache.entries).toBe(5)
    // The newest stays: the cap takes the least recently used.
    expect(cache.request('k49', 1, popularity(sketch, 60), 100)).toBe(true)
  })
})

describe('Miniatures', () => {
  const tuning: MiniatureTuning = {
    rate: 1,
    shares: [0, 0.5],
    period: 200,
    margin: 0.01,
    confirm: 3,
  }

  /**
   * Rounds of 10 passes over a key set: a stable set of 30 keys, which fills the 300-byte budget
   * and needs no window, or a new set of 10 keys each round, which only a window lets in while
   * the stable keys' counts are higher.
   */
  function run(miniatures: Miniatures, rounds: number, moving: boolean): number[] {
    const sketch = new FrequencySketch(1024, undefined, 0)
    const shares: number[] = []
    let now = 0
    for (let round = 0; round < rounds; round++) {
      for (let repeat = 0; repeat < 10; repeat++) {
        for (let k = 0; k < (moving ? 10 : 30); k++) {
          const key = moving ? `r${round}-k${k}` : `k${k}`
          sketch.increment(key, ++now)
          miniatures.request(key, 10, popularity(sketch, now))
        }
      }
      shares.push(miniatures.share)
    }
    return shares
  }

  it('starts with the first share and takes a window once a copy with one hits more for enough periods', ({
    expect,
  }) => {
    const miniatures = new Miniatures(300, tuning)
    expect(miniatures.share).toBe(0)
    // The stable set first: the moving sets must displace it.
    run(miniatures, 4, false)
    const shares = run(miniatures, 12, true)
    expect(shares.at(-1)).toBe(0.5)
    // Not at the first period it won: it waited for three in a row (two rounds per period).
    expect(shares.slice(0, 4)).toEqual([0, 0, 0, 0])
  })

  it('resumes a share saved before a restart, and ignores one it does not try', ({ expect }) => {
    const resumed = new Miniatures(300, tuning)
    resumed.resume(0.5)
    const unknown = new Miniatures(300, tuning)
    unknown.resume(0.25)
    expect([resumed.share, unknown.share]).toEqual([0.5, 0])
  })

  it('keeps the current share where no copy beats it by the margin', ({ expect }) => {
    const miniatures = new Miniatures(300, tuning)
    expect(run(miniatures, 20, false).every((share) => share === 0)).toBe(true)
  })

  it('sees only the keys its hash samples', ({ expect }) => {
    const miniatures = new Miniatures(1000, { ...tuning, rate: 0 })
    const sketch = new FrequencySketch(256, undefined, 0)
    for (let i = 0; i < 2000; i++) miniatures.request(`k${i % 7}`, 10, popularity(sketch, i))
    expect(miniatures.share).toBe(0)
  })

  it('tunes the shard as the simulator measured it, starting without a window', ({ expect }) => {
    expect(SHARD_MINIATURES).toMatchObject({
      rate: 0.2,
      shares: [0, 0.1, 0.3, 0.6, 0.8],
      period: 4000,
      margin: 0.01,
      confirm: 3,
    })
    expect(new Miniatures(1 << 30, SHARD_MINIATURES).share).toBe(0)
  })
})
