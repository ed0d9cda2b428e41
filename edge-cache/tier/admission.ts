/**
 * @module tier/admission
 * TinyLFU admission for a tier shard, pure and clock-free: a count-min sketch of 4 rows of 4-bit
 * counters that halves every counter after a sample of W increments (Caffeine's "reset"), so
 * popularity decays and yesterday's hits do not pin an object forever. It decides
 * - whether a new object may enter a full shard: its estimated frequency must beat every victim
 *   it would displace (TinyLFU's admission); each victim is the least popular of the next few in
 *   LRU order (sampled LFU over the LRU tail), and an entry idle far longer than its count
 *   implies counts as what its idle time says (see {@link recentFrequency}), so a popular set
 *   that moved on leaves, see {@link planAdmission} (the shard runs it through W-TinyLFU's
 *   window, tier/window.ts, which with no window plans exactly as it does);
 * - whether an edge should keep a copy in L1: large bodies only from their second hit
 *   (second-hit admission), so a one-hit wonder does not flush a PoP's cache.
 * The tier Durable Object (tier/cache-tier.ts) and the hit-ratio simulator
 * (test/bench/hit-ratio/simulate.ts) run this same code.
 * @see https://arxiv.org/abs/1512.00727 (TinyLFU: A Highly Efficient Cache Admission Policy)
 * @see https://github.com/ben-manes/caffeine/wiki/Efficiency
 */
import { avalanche, hash32 } from '../hash'

/** Counters per row of a shard's sketch: 4 × 64 Ki counters (one byte each: 256 KiB). */
export const DEFAULT_SKETCH_WIDTH = 64 * 1024

/**
 * Counters saturate here: 4 bits, as in TinyLFU. Measured on the hit-ratio simulator
 * (test/bench/hit-ratio): wider counters (31, 63, 255) gained at most 0.3 points of byte hit
 * ratio on a row but lost object hit ratio on most rows, up to 1.4 points (255, α 1.0 / 0.5%).
 */
export const MAX_COUNT = 15

const ROWS = 4
/** Per-row seeds (Caffeine's), so the four rows hash independently. */
const SEEDS = [0x97cb3127, 0x7ed55d16, 0xc761c23c, 0x165667b1]

/**
 * A decaying count-min sketch of access frequencies.
 * Width is a power of two ≥ the expected number of distinct hot keys; the sample size W
 * (increments between halvings) defaults to 10 × width, as Caffeine does.
 */
export class FrequencySketch {
  readonly width: number
  readonly sampleSize: number
  readonly #table: Uint8Array
  #additions = 0
  #resets = 0
  #since: number

  /**
   * @param width counters per row (rounded up to a power of two, at least 16)
   * @param sampleSize increments between halvings; default 10 × width
   * @param since when counting starts (ms)
   */
  constructor(width: number, sampleSize?: number, since = 0) {
    let w = 16
    while (w < width) w *= 2
    this.width = w
    this.sampleSize = sampleSize ?? 10 * w
    this.#table = new Uint8Array(ROWS * w)
    this.#since = since
  }

  /** Increments since the last halving. */
  get additions(): number {
    return this.#additions
  }

  /** How many times the counters were halved. */
  get resets(): number {
    return this.#resets
  }

  /**
   * How long (ms) the counts span: a key asked at a steady rate has an estimate of about
   * rate × history. Each halving halves the span too, so it stays true across resets.
   */
  history(now: number): number {
    return Math.max(0, now - this.#since)
  }

  /** The key's estimated frequency: the smallest of its four counters. */
  estimate(key: string): number {
    return this.#estimateHash(hash32(key))
  }

  /**
   * Counts one access (conservative update: only the smallest counters grow), halving every
   * counter once the sample is full.
   * @param now the time of the access (ms)
   */
  increment(key: string, now: number): void {
    const hash = hash32(key)
    const min = this.#estimateHash(hash)
    for (let row = 0; min < MAX_COUNT && row < ROWS; row++) {
      const index = this.#index(hash, row)
      if ((this.#table[index] ?? 0) === min) this.#table[index] = min + 1
    }
    if (++this.#additions >= this.sampleSize) this.reset(now)
  }

  /** Halves every counter (integer division), ageing all frequencies at once, and the history. */
  reset(now: number): void {
    for (let i = 0; i < this.#table.length; i++) this.#table[i] = (this.#table[i] ?? 0) >>> 1
    this.#additions = Math.floor(this.#additions / 2)
    this.#resets++
    this.#since = now - this.history(now) / 2
  }

  /** The counters, sample position and start of history, to persist the sketch. */
  snapshot(): SketchSnapshot {
    return {
      width: this.width,
      sampleSize: this.sampleSize,
      additions: this.#additions,
      since: this.#since,
      table: this.#table.slice(),
    }
  }

  /**
   * Rebuilds a sketch from `snapshot()`; a snapshot of another shape yields an empty sketch.
   * @param now when the sketch is restored: the start of history for an empty sketch
   */
  static restore(snapshot: SketchSnapshot, width: number, now: number): FrequencySketch {
    const sketch = new FrequencySketch(width, undefined, now)
    if (snapshot.width !== sketch.width || snapshot.table.byteLength !== ROWS * sketch.width) {
      return sketch
    }
    sketch.#table.set(snapshot.table)
    sketch.#additions = Math.min(snapshot.additions, sketch.sampleSize - 1)
    sketch.#since = Math.min(snapshot.since, now)
    return sketch
  }

  #estimateHash(hash: number): number {
    let min = MAX_COUNT
    for (let row = 0; row < ROWS; row++) {
      min = Math.min(min, this.#table[this.#index(hash, row)] ?? 0)
    }
    return min
  }

  #index(hash: number, row: number): number {
    const h = avalanche((hash ^ (SEEDS[row] ?? 0)) >>> 0)
    return row * this.width + (h & (this.width - 1))
  }
}

/** What {@link FrequencySketch.snapshot} saves. */
export interface SketchSnapshot {
  width: number
  sampleSize: number
  additions: number
  /** Start of the counts' history (ms). */
  since: number
  table: Uint8Array
}

/** An object the shard holds or may hold. */
export interface Sized {
  key: string
  size: number
}

/** A stored object, with its last access (ms) for {@link recentFrequency}. */
export interface Resident extends Sized {
  lastAccess: number
}

/** What admission knows of popularity: the sketch's estimate, and time. */
export interface Popularity {
  /** A key's estimated frequency (FrequencySketch.estimate). */
  frequency(key: string): number
  /** How long the counts span (FrequencySketch.history), ms. */
  history: number
  now: number
}

export type AdmissionPlan =
  | { admit: true; evict: Resident[] }
  | { admit: false; reason: 'larger-than-budget' | 'victim-more-popular'; victim?: Resident }

/**
 * How many of the least recently accessed entries each eviction looks at: the least popular of
 * them goes first. Measured on the hit-ratio simulator (test/bench/hit-ratio): 8 was at or above
 * plain LRU order on every α × size row for both object and byte hit ratio; 32 lost objects at
 * α 1.0 / 0.5%, where recency matters more.
 */
export const EVICTION_SAMPLE = 8

/**
 * An entry idle for more than IDLE_FACTOR times the mean gap its count implies (history /
 * frequency) is no longer asked at that rate: under steady demand that happens with
 * probability e^-12 (never, in practice). Measured (test/bench/hit-ratio): 12 left every stable
 * row exactly as it was; 8, 6 and 4 gained more on a moving popular set but moved some stable
 * rows below (8: 0.04 points of bytes at α 0.8 / 10%; 4: up to 0.4).
 */
export const IDLE_FACTOR = 12

/**
 * A stored entry's frequency, capped by what its idle time allows: a key asked at rate λ has
 * an estimate of about λ × history, and gaps of about history / estimate, so after `idle` ms
 * without a request its rate is at most about IDLE_FACTOR / idle. This is how a popular set
 * that moved on loses to the new one before the sketch's halvings forget it.
 * @param frequency the sketch's estimate
 * @param idle ms since its last access
 * @param history how long the sketch's counts span, ms
 */
export function recentFrequency(frequency: number, idle: number, history: number): number {
  if (idle <= 0) return frequency
  return Math.min(frequency, (IDLE_FACTOR * history) / idle)
}

/**
 * TinyLFU admission with sampled-LFU eviction for a byte budget: which victims make room for
 * the candidate, or why the candidate stays out. Each eviction takes, among the next
 * {@link EVICTION_SAMPLE} entries in LRU order, the one with the lowest recent frequency (see
 * {@link recentFrequency}; the older on a tie), so a popular entry that was merely not touched
 * lately outlives a cold one beside it (Redis's sampled LFU over the LRU tail, as
 * `maxmemory-samples`). The candidate is admitted only if it is more popular than every victim
 * it displaces (ties keep the incumbent, as TinyLFU does), so a one-hit wonder never evicts a
 * popular object. Frequency, not frequency per byte: weighting by size (size^0.05 to size^0.3
 * in admission, up to size^1 in eviction) raised the object hit ratio but lowered the byte hit
 * ratio, which is what spares the origin (test/bench/hit-ratio). O(sample) per eviction.
 * @param candidate the new object (its frequency already counts the current request)
 * @param used bytes the shard holds now, not counting the candidate
 * @param budget the shard's byte budget
 * @param victims stored objects, least recently accessed first; consumed only as far as needed
 * @param popularity the sketch's estimates, its history and the current time
 * @param sample how many LRU-tail entries each eviction compares
 */
export function planAdmission(
  candidate: Sized,
  used: number,
  budget: number,
  victims: Iterable<Resident>,
  popularity: Popularity,
  sample: number = EVICTION_SAMPLE
): AdmissionPlan {
  if (candidate.size > budget) return { admit: false, reason: 'larger-than-budget' }
  let over = used + candidate.size - budget
  if (over <= 0) return { admit: true, evict: [] }
  const { frequency, history, now } = popularity
  const candidateFrequency = frequency(candidate.key)
  const evict: Resident[] = []
  const window: { victim: Resident; frequency: number }[] = []
  const tail = victims[Symbol.iterator]()
  for (;;) {
    while (window.length < Math.max(sample, 1)) {
      const next = tail.next()
      if (next.done) break
      const victim = next.value
      if (victim.key === candidate.key) continue
      const f = recentFrequency(frequency(victim.key), now - victim.lastAccess, history)
      window.push({ victim, frequency: f })
    }
    // Nothing left to evict yet still over budget (only in-flight bodies remain): stay out.
    if (window.length === 0) return { admit: false, reason: 'victim-more-popular' }
    let coldest = 0
    for (let i = 1; i < window.length; i++) {
      if ((window[i]?.frequency ?? 0) < (window[coldest]?.frequency ?? 0)) coldest = i
    }
    const [chosen] = window.splice(coldest, 1)
    if (!chosen) return { admit: false, reason: 'victim-more-popular' }
    if (chosen.frequency >= candidateFrequency) {
      return { admit: false, reason: 'victim-more-popular', victim: chosen.victim }
    }
    evict.push(chosen.victim)
    over -= chosen.victim.size
    if (over <= 0) return { admit: true, evict }
  }
}

/**
 * Evictions that bring a shard back within budget, whatever the popularity (after a refill grew
 * an entry, or a budget was lowered). Victims in eviction order.
 */
export function overBudget(used: number, budget: number, victims: Iterable<Sized>): Sized[] {
  let over = used - budget
  const evict: Sized[] = []
  if (over <= 0) return evict
  for (const victim of victims) {
    evict.push(victim)
    over -= victim.size
    if (over <= 0) break
  }
  return evict
}

/**
 * Second-hit admission to L1: a body of at least `secondHitBytes` (or of unknown size) is kept
 * at the edge only once the tier has seen its key at least twice; smaller bodies cost L1 little
 * and are kept at once.
 * @param frequency the key's estimated frequency, counting the current request
 * @param size the body's length, when known
 */
export function admitToL1(
  frequency: number,
  size: number | undefined,
  secondHitBytes: number
): boolean {
  if (size !== undefined && size < secondHitBytes) return true
  return frequency >= 2
}
