/**
 * @module bench/hit-ratio/policies
 * The policies the hit-ratio simulator replays: the tier's own admission and eviction code
 * (edge-cache/tier/admission.ts, window.ts and miniatures.ts, as a shard runs them), the tier's
 * TinyLFU before its window, plain LRU, Belady's furthest-next-use rule, and a static frequency
 * oracle.
 */
import {
  DEFAULT_SKETCH_WIDTH,
  FrequencySketch,
  planAdmission,
  type Resident,
} from '../../../edge-cache/tier/admission'
import {
  Miniatures,
  type MiniatureTuning,
  SHARD_MINIATURES,
  WindowedCache,
} from '../../../edge-cache/tier/miniatures'
import { type ClimberTuning, HillClimber } from './climber'

export interface Trace {
  keys: string[]
  sizes: Float64Array
  /** Per request: index into keys/sizes. */
  ids: Int32Array
  catalogueBytes: number
}

export interface Result {
  hits: number
  requests: number
  hitBytes: number
  bytes: number
}

export type Policy = (trace: Trace, budget: number, warm: number) => Result

export function count(result: Result, r: number, warm: number, size: number, hit: boolean): void {
  if (r < warm) return
  result.requests++
  result.bytes += size
  if (hit) {
    result.hits++
    result.hitBytes += size
  }
}

export function emptyResult(): Result {
  return { hits: 0, requests: 0, hitBytes: 0, bytes: 0 }
}

/**
 * An LRU lookup over a Map kept in use order: on a hit, moves `key` to the most recently used
 * end (a Map iterates in insertion order, so eviction walks from the least recently used).
 * @returns whether `key` was cached
 */
function touch<K>(cache: Map<K, number>, key: K): boolean {
  const size = cache.get(key)
  if (size === undefined) return false
  cache.delete(key)
  cache.set(key, size)
  return true
}

/** Plain LRU over a byte budget: every miss is stored, the least recently used goes first. */
export function lru(trace: Trace, budget: number, warm: number): Result {
  const result = emptyResult()
  const cache = new Map<number, number>()
  let used = 0
  for (let r = 0; r < trace.ids.length; r++) {
    const id = trace.ids[r] ?? 0
    const size = trace.sizes[id] ?? 0
    const hit = touch(cache, id)
    count(result, r, warm, size, hit)
    if (hit) continue
    if (size > budget) continue
    cache.set(id, size)
    used += size
    for (const [victim, victimSize] of cache) {
      if (used <= budget) break
      cache.delete(victim)
      used -= victimSize
    }
  }
  return result
}

/**
 * The tier shard before its window: every request counts in the sketch; misses go through
 * `planAdmission`, whose victims come from an LRU order (as the tier's SQL `ORDER BY
 * last_access` gives them). Time is the request's index: one request per millisecond.
 */
export function tinyLfu(trace: Trace, budget: number, warm: number): Result {
  const result = emptyResult()
  const sketch = new FrequencySketch(DEFAULT_SKETCH_WIDTH)
  const cache = new Map<string, Resident>()
  let used = 0
  const victims = function* (): Generator<Resident> {
    yield* cache.values()
  }
  const frequency = (key: string) => sketch.estimate(key)
  for (let r = 0; r < trace.ids.length; r++) {
    const id = trace.ids[r] ?? 0
    const key = trace.keys[id] ?? ''
    const size = trace.sizes[id] ?? 0
    sketch.increment(key, r)
    const stored = cache.get(key)
    count(result, r, warm, size, stored !== undefined)
    if (stored) {
      cache.delete(key)
      cache.set(key, { ...stored, lastAccess: r })
      continue
    }
    const popularity = { frequency, history: sketch.history(r), now: r }
    const plan = planAdmission({ key, size }, used, budget, victims(), popularity)
    if (!plan.admit) continue
    for (const victim of plan.evict) {
      cache.delete(victim.key)
      used -= victim.size
    }
    cache.set(key, { key, size, lastAccess: r })
    used += size
  }
  return result
}

/** How the windowed tier is tuned. */
export interface WindowOptions extends Partial<ClimberTuning> {
  /** A fixed window share of the budget instead of hill climbing (0: TinyLFU, the tier before its window). */
  fixedShare?: number
  /** Requests per sample period, per entry held (Caffeine: 10). */
  periodPerEntry?: number
  /**
   * Leave first requests out of the hit ratio the window climbs on (keys the sketch had not
   * seen: misses no policy avoids), so that scans and one-hit wonders do not move the window.
   */
  repeatsOnly?: boolean
  /** Choose the window by miniature simulations instead of hill climbing. */
  miniatures?: MiniatureTuning
}

/**
 * A tier shard with W-TinyLFU's window (edge-cache/tier/window.ts): newcomers enter an LRU window whose exits
 * compete with main's victims; the window's size is fixed, climbs on the hit ratio, or follows
 * miniature simulations (edge-cache/tier/miniatures.ts).
 */
export function windowedTier(options: WindowOptions = {}): Policy {
  return (trace, budget, warm) => {
    const result = emptyResult()
    const sketch = new FrequencySketch(DEFAULT_SKETCH_WIDTH)
    const climber = new HillClimber(budget, options)
    const cache = new WindowedCache(budget)
    const miniatures = options.miniatures && new Miniatures(budget, options.miniatures)
    const frequency = (key: string) => sketch.estimate(key)
    const fixed = options.fixedShare
    const target = () => {
      if (miniatures) return miniatures.share * budget
      return fixed !== undefined ? fixed * budget : climber.target
    }
    for (let r = 0; r < trace.ids.length; r++) {
      const id = trace.ids[r] ?? 0
      const key = trace.keys[id] ?? ''
      const size = trace.sizes[id] ?? 0
      sketch.increment(key, r)
      const popularity = { frequency, history: sketch.history(r), now: r }
      const hit = cache.request(key, size, popularity, target())
      count(result, r, warm, size, hit)
      miniatures?.request(key, size, popularity)
      if (!options.repeatsOnly || sketch.estimate(key) > 1) {
        climber.record(hit, size, (options.periodPerEntry ?? 10) * cache.entries)
      }
    }
    return result
  }
}

/** A tier shard as it runs: the window sized by the shard's miniatures. */
export const tier: Policy = windowedTier({ miniatures: SHARD_MINIATURES })

/** A max-heap of [next use, id] with lazy deletion. */
class MaxHeap {
  readonly #next: number[] = []
  readonly #ids: number[] = []

  get size(): number {
    return this.#ids.length
  }

  push(next: number, id: number): void {
    this.#next.push(next)
    this.#ids.push(id)
    let i = this.#ids.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((this.#next[parent] ?? 0) >= next) break
      this.#swap(i, parent)
      i = parent
    }
  }

  pop(): [number, number] | undefined {
    const top = this.#ids[0]
    const topNext = this.#next[0]
    if (top === undefined || topNext === undefined) return undefined
    const lastNext = this.#next.pop() ?? 0
    const lastId = this.#ids.pop() ?? 0
    if (this.#ids.length > 0) {
      this.#next[0] = lastNext
      this.#ids[0] = lastId
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < this.#ids.length && (this.#next[l] ?? 0) > (this.#next[m] ?? 0)) m = l
        if (r < this.#ids.length && (this.#next[r] ?? 0) > (this.#next[m] ?? 0)) m = r
        if (m === i) break
        this.#swap(i, m)
        i = m
      }
    }
    return [topNext, top]
  }

  #swap(a: number, b: number): void {
    const n = this.#next[a] ?? 0
    this.#next[a] = this.#next[b] ?? 0
    this.#next[b] = n
    const id = this.#ids[a] ?? 0
    this.#ids[a] = this.#ids[b] ?? 0
    this.#ids[b] = id
  }
}

/** Belady: on overflow evict what is asked for furthest in the future (maybe the newcomer). */
export function belady(trace: Trace, budget: number, warm: number): Result {
  const result = emptyResult()
  const length = trace.ids.length
  const nextUse = new Int32Array(length)
  const seen = new Map<number, number>()
  for (let r = length - 1; r >= 0; r--) {
    const id = trace.ids[r] ?? 0
    nextUse[r] = seen.get(id) ?? length + r
    seen.set(id, r)
  }
  /** id → its current next use while cached. */
  const cached = new Map<number, number>()
  const heap = new MaxHeap()
  let used = 0
  for (let r = 0; r < length; r++) {
    const id = trace.ids[r] ?? 0
    const size = trace.sizes[id] ?? 0
    const hit = cached.has(id)
    count(result, r, warm, size, hit)
    const next = nextUse[r] ?? length
    if (!hit) {
      if (next >= length || size > budget) continue
      used += size
    }
    cached.set(id, next)
    heap.push(next, id)
    while (used > budget) {
      const top = heap.pop()
      if (!top) break
      const [topNext, victim] = top
      if (cached.get(victim) !== topNext) continue
      cached.delete(victim)
      used -= trace.sizes[victim] ?? 0
    }
  }
  return result
}

/**
 * A static oracle that knows how often each object is asked in the counted part of the trace
 * (not when): it holds the set that fills the budget best, ranked by count per byte (`perByte`,
 * the object-hit-ratio knapsack) or by count (the byte-hit-ratio knapsack). Under independent
 * requests (IRM) no online policy beats it in expectation; Belady, knowing the order, does.
 */
export function staticOracle(perByte: boolean): Policy {
  return (trace, budget, warm) => {
    const counts = new Map<number, number>()
    for (let r = warm; r < trace.ids.length; r++) {
      const id = trace.ids[r] ?? 0
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    const size = (id: number) => trace.sizes[id] ?? 0
    const value = (id: number) => (counts.get(id) ?? 0) / (perByte ? size(id) : 1)
    const ranked = [...counts.keys()].filter((id) => (counts.get(id) ?? 0) > 1)
    ranked.sort((a, b) => value(b) - value(a))
    const held = new Set<number>()
    let used = 0
    for (const id of ranked) {
      if (used + size(id) > budget) continue
      held.add(id)
      used += size(id)
    }
    const result = emptyResult()
    const seen = new Set<number>()
    for (let r = warm; r < trace.ids.length; r++) {
      const id = trace.ids[r] ?? 0
      // the first request of each held object is a miss (it has to be fetched once)
      count(result, r, warm, size(id), held.has(id) && seen.has(id))
      seen.add(id)
    }
    return result
  }
}
