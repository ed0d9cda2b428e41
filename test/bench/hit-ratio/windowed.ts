/**
 * @module bench/hit-ratio/windowed
 * A tier shard's store with W-TinyLFU's window (window.ts) as in-memory LRU maps, one request at
 * a time, and miniature copies of it on a hash-sampled share of the keys that try other window
 * sizes side by side (Waldspurger et al., "Cache Modeling and Optimization using Miniature
 * Simulations", USENIX ATC 2017).
 */
import { avalanche, hash32 } from '../../../edge-cache/hash'
import type { Popularity, Resident } from '../../../edge-cache/tier/admission'
import { planWindow } from './window'

export class WindowedCache {
  readonly #window = new Map<string, Resident>()
  readonly #main = new Map<string, Resident>()
  readonly #usage = { window: 0, main: 0 }
  readonly budget: number

  constructor(budget: number) {
    this.budget = budget
  }

  get entries(): number {
    return this.#window.size + this.#main.size
  }

  /**
   * One request (the sketch already counts it): a hit moves the entry to its region's most
   * recently used end; a miss goes through `planWindow`.
   * @returns whether it was a hit
   */
  request(key: string, size: number, popularity: Popularity, target: number): boolean {
    const region = this.#window.has(key) ? this.#window : this.#main
    const stored = region.get(key)
    if (stored) {
      region.delete(key)
      region.set(key, { ...stored, lastAccess: popularity.now })
      return true
    }
    const usage = this.#usage
    const plan = planWindow(
      { key, size },
      usage,
      this.budget,
      target,
      this.#window.values(),
      this.#main.values(),
      popularity
    )
    for (const victim of plan.evict) {
      if (this.#window.delete(victim.key)) usage.window -= victim.size
      else if (this.#main.delete(victim.key)) usage.main -= victim.size
    }
    for (const entry of plan.promote) {
      this.#window.delete(entry.key)
      usage.window -= entry.size
      this.#main.set(entry.key, entry)
      usage.main += entry.size
    }
    if (!plan.admit) return false
    const entry = { key, size, lastAccess: popularity.now }
    if (plan.segment === 'window') {
      this.#window.set(key, entry)
      usage.window += size
    } else {
      this.#main.set(key, entry)
      usage.main += size
    }
    return false
  }
}

/** How the miniatures choose the window. */
export interface MiniatureTuning {
  /** Share of keys the miniatures see (by hash). */
  rate: number
  /** Window shares of the budget the miniatures try; the first is the default. */
  shares: number[]
  /** Sampled requests per decision. */
  period: number
  /** A share is chosen over the current one only when its hit ratio is this much higher. */
  margin: number
  /** ...and this many periods in a row (default 1). */
  confirm?: number
}

/**
 * Miniature caches with fixed window shares on a hash-sampled share of the keys, their budget
 * scaled by the same share; after each period the real window takes the share whose miniature
 * hit most, when it beats the current one by the margin.
 */
export class Miniatures {
  readonly #tuning: MiniatureTuning
  readonly #caches: WindowedCache[]
  readonly #hits: number[]
  #requests = 0
  #chosen = 0
  /** The share that beat the current one last period, and how many periods in a row. */
  #challenger = { index: 0, periods: 0 }

  constructor(budget: number, tuning: MiniatureTuning) {
    this.#tuning = tuning
    this.#caches = tuning.shares.map(() => new WindowedCache(budget * tuning.rate))
    this.#hits = tuning.shares.map(() => 0)
  }

  /** The window share the miniatures chose. */
  get share(): number {
    return this.#tuning.shares[this.#chosen] ?? 0
  }

  /** Passes a request to the miniatures when its key is in their sample. */
  request(key: string, size: number, popularity: Popularity): void {
    const { rate, shares, period, margin } = this.#tuning
    if (avalanche(hash32(key) ^ 0x5bd1e995) / 2 ** 32 >= rate) return
    this.#caches.forEach((cache, i) => {
      const target = (shares[i] ?? 0) * cache.budget
      if (cache.request(key, size, popularity, target)) this.#hits[i] = (this.#hits[i] ?? 0) + 1
    })
    if (++this.#requests < period) return
    let best = this.#chosen
    this.#hits.forEach((hits, i) => {
      if (hits > (this.#hits[best] ?? 0)) best = i
    })
    const gain = ((this.#hits[best] ?? 0) - (this.#hits[this.#chosen] ?? 0)) / this.#requests
    const challenger = this.#challenger
    if (gain > margin) {
      challenger.periods = challenger.index === best ? challenger.periods + 1 : 1
      challenger.index = best
    } else challenger.periods = 0
    if (challenger.periods >= (this.#tuning.confirm ?? 1)) {
      this.#chosen = best
      challenger.periods = 0
    }
    this.#hits.fill(0)
    this.#requests = 0
  }
}
