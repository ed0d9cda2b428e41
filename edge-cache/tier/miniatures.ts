/**
 * @module tier/miniatures
 * Sizes W-TinyLFU's window (tier/window.ts) by miniature simulations (Waldspurger et al., "Cache
 * Modeling and Optimization using Miniature Simulations", USENIX ATC 2017): small in-memory
 * copies of a windowed shard, each with another window share, see the requests whose key a hash
 * picks, with the budget scaled by the same share; the real window takes the share whose copy hit
 * most once it clearly beats the current one. Pure and clock-free (time comes with each request's
 * popularity). The shard (tier/cache-tier.ts) and the hit-ratio simulator (test/bench/hit-ratio)
 * run this same code.
 */
import { avalanche, hash32 } from '../hash'
import type { Popularity, Resident } from './admission'
import { planWindow } from './window'

/** A windowed shard's store as in-memory LRU maps, one request at a time. */
export class WindowedCache {
  readonly #window = new Map<string, Resident>()
  readonly #main = new Map<string, Resident>()
  readonly #usage = { window: 0, main: 0 }
  readonly budget: number
  readonly #maxEntries: number

  /** @param maxEntries entries held at most, whatever their bytes (bounds memory) */
  constructor(budget: number, maxEntries = Infinity) {
    this.budget = budget
    this.#maxEntries = maxEntries
  }

  get entries(): number {
    return this.#window.size + this.#main.size
  }

  /**
   * One request (the sketch already counts it): a hit moves the entry to its segment's most
   * recently used end; a miss goes through `planWindow`.
   * @param target the window's byte target
   * @returns whether it was a hit
   */
  request(key: string, size: number, popularity: Popularity, target: number): boolean {
    const segment = this.#window.has(key) ? this.#window : this.#main
    const stored = segment.get(key)
    if (stored) {
      segment.delete(key)
      segment.set(key, { ...stored, lastAccess: popularity.now })
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
    for (const victim of plan.evict) this.#delete(victim.key)
    for (const entry of plan.promote) {
      this.#window.delete(entry.key)
      usage.window -= entry.size
      this.#main.set(entry.key, entry)
      usage.main += entry.size
    }
    if (!plan.admit) return false
    const entry = { key, size, lastAccess: popularity.now }
    const into = plan.segment === 'window' ? this.#window : this.#main
    into.set(key, entry)
    usage[plan.segment] += size
    // Over the entry cap (tiny bodies): main's least recently used go, then the window's.
    while (this.entries > this.#maxEntries) {
      const oldest = this.#main.keys().next().value ?? this.#window.keys().next().value
      if (oldest === undefined) break
      this.#delete(oldest)
    }
    return false
  }

  #delete(key: string): void {
    const window = this.#window.get(key)
    if (window && this.#window.delete(key)) this.#usage.window -= window.size
    const main = this.#main.get(key)
    if (main && this.#main.delete(key)) this.#usage.main -= main.size
  }
}

/** How the miniatures choose the window. */
export interface MiniatureTuning {
  /** Share of keys the miniatures see (by hash). */
  rate: number
  /** Window shares of the budget the miniatures try; the first is the starting one. */
  shares: number[]
  /** Sampled requests per decision. */
  period: number
  /** A share is chosen over the current one only when its hit ratio is this much higher. */
  margin: number
  /** ...and this many periods in a row (default 1). */
  confirm?: number
  /** Entries each copy holds at most (default: no cap). */
  maxEntries?: number
}

/**
 * The shard's tuning, as measured on the simulator (README, "Tier admission: hit ratio"): 20% of
 * keys, windows of 0 to 80% of the budget, a share taken when it hit at least 1 point more for
 * 3 periods of 4,000 sampled requests. Starting at 0, a shard runs plain TinyLFU until the copies
 * show a window pays. The cap bounds memory at about 5 × 10,000 keys (a few MB), a copy of a
 * shard of tiny bodies holding fewer entries than its bytes would allow.
 */
export const SHARD_MINIATURES: MiniatureTuning = {
  rate: 0.2,
  shares: [0, 0.1, 0.3, 0.6, 0.8],
  period: 4000,
  margin: 0.01,
  confirm: 3,
  maxEntries: 10_000,
}

/**
 * Miniature copies with fixed window shares; after each period the real window takes the share
 * whose copy hit most, when it beat the current one by the margin for `confirm` periods in a row.
 * O(1) per request outside the sample, O(copies × eviction sample) inside it.
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
    this.#caches = tuning.shares.map(
      () => new WindowedCache(budget * tuning.rate, tuning.maxEntries)
    )
    this.#hits = tuning.shares.map(() => 0)
  }

  /** The window share the miniatures chose. */
  get share(): number {
    return this.#tuning.shares[this.#chosen] ?? 0
  }

  /**
   * Starts from a share chosen before a restart (saved with the sketch), so a restarted shard
   * keeps its window while the copies learn again; a share the tuning does not try is ignored.
   */
  resume(share: number): void {
    const index = this.#tuning.shares.indexOf(share)
    if (index >= 0) this.#chosen = index
  }

  /** Passes a request to the copies when its key is in their sample. */
  request(key: string, size: number, popularity: Popularity): void {
    const { rate, shares, period } = this.#tuning
    if (avalanche(hash32(key) ^ 0x5bd1e995) / 2 ** 32 >= rate) return
    this.#caches.forEach((cache, i) => {
      const target = (shares[i] ?? 0) * cache.budget
      if (cache.request(key, size, popularity, target)) this.#hits[i] = (this.#hits[i] ?? 0) + 1
    })
    if (++this.#requests < period) return
    this.#decide()
    this.#hits.fill(0)
    this.#requests = 0
  }

  /** At the end of a period: the copy that hit most, taken once it won often enough. */
  #decide(): void {
    let best = this.#chosen
    this.#hits.forEach((hits, i) => {
      if (hits > (this.#hits[best] ?? 0)) best = i
    })
    const gain = ((this.#hits[best] ?? 0) - (this.#hits[this.#chosen] ?? 0)) / this.#requests
    const challenger = this.#challenger
    if (gain > this.#tuning.margin) {
      challenger.periods = challenger.index === best ? challenger.periods + 1 : 1
      challenger.index = best
    } else challenger.periods = 0
    if (challenger.periods >= (this.#tuning.confirm ?? 1)) {
      this.#chosen = best
      challenger.periods = 0
    }
  }
}
