/**
 * @module bench/hit-ratio/simulate
 * Hit-ratio trace simulator: replays Zipf workloads (with lognormal object sizes and a share of
 * one-hit wonders) through the tier's real admission and eviction code (edge-cache/tier/
 * admission.ts: the TinyLFU sketch and `planAdmission` over an LRU order, exactly as a tier
 * shard runs them), plain LRU, and Belady's furthest-next-use rule as the offline ceiling, at
 * several cache sizes, and prints object and byte hit ratios as a markdown table.
 *
 * Run: node --experimental-strip-types --import ./test/bench/register.mjs \
 *   test/bench/hit-ratio/simulate.ts [--objects 100000] [--requests 1000000] [--seed 1]
 *
 * Belady for variable sizes is NP-hard; furthest-next-use with bypass (the newcomer itself may
 * be the one evicted) is the usual stand-in ceiling, not a strict bound on byte hit ratio.
 * @see https://arxiv.org/abs/1512.00727 (TinyLFU)
 * @see https://doi.org/10.1147/sj.52.0078 (Belady, 1966)
 */
import {
  DEFAULT_SKETCH_WIDTH,
  FrequencySketch,
  planAdmission,
  type Sized,
} from '../../../edge-cache/tier/admission'
import { lognormalSize, random, zipf } from '../workload'

interface Options {
  objects: number
  requests: number
  seed: number
  alphas: number[]
  /** Cache sizes as fractions of the catalogue's bytes. */
  fractions: number[]
  /** Share of requests for objects asked for once only. */
  oneHitShare: number
  /** Requests counted only after this share of the trace (warm-up). */
  warmup: number
}

interface Trace {
  keys: string[]
  sizes: Float64Array
  /** Per request: index into keys/sizes. */
  ids: Int32Array
  catalogueBytes: number
}

interface Result {
  hits: number
  requests: number
  hitBytes: number
  bytes: number
}

function makeTrace(options: Options, alpha: number): Trace {
  const rand = random(options.seed * 7919 + Math.round(alpha * 100))
  const n = options.objects
  const pick = zipf(n, alpha)
  const wonders = Math.round(options.requests * options.oneHitShare)
  const keys: string[] = []
  const sizes = new Float64Array(n + wonders)
  let catalogueBytes = 0
  for (let i = 0; i < n; i++) {
    keys.push(`o${i}`)
    sizes[i] = lognormalSize(rand)
    catalogueBytes += sizes[i] ?? 0
  }
  for (let i = 0; i < wonders; i++) {
    keys.push(`w${i}`)
    sizes[n + i] = lognormalSize(rand)
  }
  const ids = new Int32Array(options.requests)
  let wonder = 0
  for (let r = 0; r < options.requests; r++) {
    if (wonder < wonders && rand() < options.oneHitShare) {
      ids[r] = n + wonder++
      continue
    }
    ids[r] = pick(rand())
  }
  return { keys, sizes, ids, catalogueBytes }
}

function count(result: Result, r: number, warm: number, size: number, hit: boolean): void {
  if (r < warm) return
  result.requests++
  result.bytes += size
  if (hit) {
    result.hits++
    result.hitBytes += size
  }
}

function emptyResult(): Result {
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
function lru(trace: Trace, budget: number, warm: number): Result {
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

/** The tier's policy: every request counts in the sketch; misses go through `planAdmission`. */
function tinyLfu(trace: Trace, budget: number, warm: number): Result {
  const result = emptyResult()
  const sketch = new FrequencySketch(DEFAULT_SKETCH_WIDTH)
  const cache = new Map<string, number>()
  let used = 0
  const victims = function* (): Generator<Sized> {
    for (const [key, size] of cache) yield { key, size }
  }
  const frequency = (key: string) => sketch.estimate(key)
  for (let r = 0; r < trace.ids.length; r++) {
    const id = trace.ids[r] ?? 0
    const key = trace.keys[id] ?? ''
    const size = trace.sizes[id] ?? 0
    sketch.increment(key)
    const hit = touch(cache, key)
    count(result, r, warm, size, hit)
    if (hit) continue
    const plan = planAdmission({ key, size }, used, budget, victims(), frequency)
    if (!plan.admit) continue
    for (const victim of plan.evict) {
      cache.delete(victim.key)
      used -= victim.size
    }
    cache.set(key, size)
    used += size
  }
  return result
}

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
function belady(trace: Trace, budget: number, warm: number): Result {
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

function parse(argv: string[]): Options {
  const arg = (name: string, fallback: number) => {
    const at = argv.indexOf(`--${name}`)
    const value = at >= 0 ? Number(argv[at + 1]) : Number.NaN
    return Number.isFinite(value) && value > 0 ? value : fallback
  }
  const objects = arg('objects', 100_000)
  return {
    objects,
    requests: arg('requests', 10 * objects),
    seed: arg('seed', 1),
    alphas: [0.6, 0.8, 1.0],
    fractions: [0.005, 0.02, 0.1],
    oneHitShare: 0.2,
    warmup: 0.1,
  }
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / Math.max(whole, 1)).toFixed(1)}%`
}

function main(): void {
  const options = parse(process.argv.slice(2))
  const started = Date.now()
  const lines = [
    `Hit ratio, ${options.objects.toLocaleString('en')} objects, ` +
      `${options.requests.toLocaleString('en')} requests (${options.oneHitShare * 100}% one-hit ` +
      `wonders, lognormal sizes, median 32 KiB), first ${options.warmup * 100}% as warm-up.`,
    '',
    '| α | cache (of catalogue bytes) | TinyLFU+LRU objects | LRU objects | Belady objects | TinyLFU+LRU bytes | LRU bytes | Belady bytes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const alpha of options.alphas) {
    const trace = makeTrace(options, alpha)
    const warm = Math.floor(options.requests * options.warmup)
    for (const fraction of options.fractions) {
      const budget = trace.catalogueBytes * fraction
      const runs = [tinyLfu, lru, belady].map((policy) => policy(trace, budget, warm))
      const objects = runs.map((run) => percent(run.hits, run.requests))
      const bytes = runs.map((run) => percent(run.hitBytes, run.bytes))
      const size = `${(fraction * 100).toFixed(1)}% (${(budget / 2 ** 20).toFixed(0)} MiB)`
      lines.push(`| ${alpha.toFixed(1)} | ${size} | ${[...objects, ...bytes].join(' | ')} |`)
    }
  }
  lines.push('', `(${((Date.now() - started) / 1000).toFixed(1)} s)`)
  console.log(lines.join('\n'))
}

main()
