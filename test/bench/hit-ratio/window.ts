/**
 * @module bench/hit-ratio/window
 * W-TinyLFU's admission window over the tier's admission code (edge-cache/tier/admission.ts),
 * measured on the simulator, not yet run by the shard (README, "Tier admission: hit ratio").
 * Pure and clock-free: every newcomer enters a small LRU window (a share of the byte budget);
 * what the window pushes out competes by TinyLFU admission against the main region's victims,
 * the least popular of the next few in LRU order, for room in main's share of the budget. A new
 * popular object thus gets hits while its count builds up, where plain TinyLFU turns it away
 * until it beats the incumbents. The window's size: fixed, climbed on the hit ratio
 * ({@link HillClimber}, Caffeine's), or chosen by miniature simulations (windowed.ts).
 * @see https://arxiv.org/abs/1512.00727 (TinyLFU: A Highly Efficient Cache Admission Policy)
 * @see https://github.com/ben-manes/caffeine/wiki/Efficiency
 */
import {
  EVICTION_SAMPLE,
  type Popularity,
  type Resident,
  recentFrequency,
  type Sized,
} from '../../../edge-cache/tier/admission'

/** Which region of the shard an entry is in. */
export type Segment = 'window' | 'main'

/** What a newcomer's arrival does to the shard. */
export interface WindowPlan {
  /** Whether the newcomer is stored (in the window, or straight in main). */
  admit: boolean
  /** Where the newcomer goes when admitted. */
  segment: Segment
  /** Window entries that won admission to main. */
  promote: Resident[]
  /** Entries to delete, from either region. */
  evict: Resident[]
}

/** The shard's byte usage by region, not counting the newcomer. */
export interface RegionUsage {
  window: number
  main: number
}

/**
 * The next few of an LRU order with their recent frequency, lazily read: the coldest of them is
 * the next victim (sampled LFU over the LRU tail, tier/admission.ts).
 */
class TailSample {
  readonly #tail: Iterator<Resident>
  readonly #popularity: Popularity
  readonly #size: number
  readonly #skip: Set<string>
  readonly #held: { victim: Resident; frequency: number }[] = []

  constructor(
    victims: Iterable<Resident>,
    popularity: Popularity,
    size: number,
    skip: Set<string>
  ) {
    this.#tail = victims[Symbol.iterator]()
    this.#popularity = popularity
    this.#size = Math.max(size, 1)
    this.#skip = skip
  }

  /** The least popular of the sample (the older on a tie), or undefined when none is left. */
  coldest(): { victim: Resident; frequency: number } | undefined {
    const { frequency, history, now } = this.#popularity
    while (this.#held.length < this.#size) {
      const next = this.#tail.next()
      if (next.done) break
      const victim = next.value
      if (this.#skip.has(victim.key)) continue
      const f = recentFrequency(frequency(victim.key), now - victim.lastAccess, history)
      this.#held.push({ victim, frequency: f })
    }
    let coldest: { victim: Resident; frequency: number } | undefined
    for (const held of this.#held)
      if (!coldest || held.frequency < coldest.frequency) coldest = held
    return coldest
  }

  take(held: { victim: Resident; frequency: number }): void {
    this.#held.splice(this.#held.indexOf(held), 1)
  }

  /** Returns victims a rejected candidate did not displace, in LRU order (the older wins ties). */
  putBack(held: { victim: Resident; frequency: number }[]): void {
    this.#held.push(...held)
    this.#held.sort((a, b) => a.victim.lastAccess - b.victim.lastAccess)
  }
}

/**
 * Where a newcomer goes and what leaves to make room: it enters the window; while the window
 * holds more than `windowTarget` bytes, its least recently used entry (the newcomer last) leaves
 * and must beat each main victim it displaces (ties keep the incumbent), else it is deleted;
 * should the shard still be over budget (the window grew), main's coldest go. With a target of
 * 0 this is the tier's `planAdmission` (same victims, same plans). O(sample) per eviction.
 * @param newcomer the object asked for (its frequency already counts the current request)
 * @param usage bytes held per region, not counting the newcomer
 * @param windowTarget the window's byte target; main may hold `budget - windowTarget`
 * @param windowLru window entries, least recently accessed first; consumed as far as needed
 * @param mainLru main entries, least recently accessed first; consumed as far as needed
 */
export function planWindow(
  newcomer: Sized,
  usage: RegionUsage,
  budget: number,
  windowTarget: number,
  windowLru: Iterable<Resident>,
  mainLru: Iterable<Resident>,
  popularity: Popularity,
  sample: number = EVICTION_SAMPLE
): WindowPlan {
  const plan: WindowPlan = { admit: true, segment: 'window', promote: [], evict: [] }
  if (newcomer.size > budget) return { ...plan, admit: false }
  const skip = new Set([newcomer.key])
  const main = new TailSample(mainLru, popularity, sample, skip)
  let windowBytes = usage.window + newcomer.size
  let mainBytes = usage.main
  const mainShare = budget - windowTarget
  const leaving = windowOrder(windowLru, skip)
  while (windowBytes > windowTarget) {
    const next = leaving.next()
    if (next.done) break
    const resident = next.value
    const candidate = resident ?? newcomer
    windowBytes -= candidate.size
    const over = mainBytes + candidate.size - mainShare
    const victims = admit(candidate, over, main, popularity)
    if (!victims) {
      if (resident) plan.evict.push(resident)
      else plan.admit = false
      continue
    }
    for (const victim of victims) {
      plan.evict.push(victim)
      mainBytes -= victim.size
    }
    mainBytes += candidate.size
    if (resident) plan.promote.push(resident)
    else plan.segment = 'main'
  }
  // The window grew into main's share: main's coldest go, whatever the newcomer's popularity.
  for (let over = windowBytes + mainBytes - budget; over > 0; ) {
    const coldest = main.coldest()
    if (!coldest) break
    main.take(coldest)
    plan.evict.push(coldest.victim)
    over -= coldest.victim.size
  }
  return plan
}

/** The window's entries in the order they leave, least recently used first; then undefined: the newcomer. */
function* windowOrder(
  windowLru: Iterable<Resident>,
  skip: Set<string>
): Generator<Resident | undefined> {
  for (const entry of windowLru) if (!skip.has(entry.key)) yield entry
  yield undefined
}

/**
 * TinyLFU's contest: the main victims that make room for the candidate, each less popular than
 * it, or undefined when a victim is at least as popular (the victims stay).
 */
function admit(
  candidate: Sized,
  over: number,
  main: TailSample,
  popularity: Popularity
): Resident[] | undefined {
  const frequency = popularity.frequency(candidate.key)
  const taken: { victim: Resident; frequency: number }[] = []
  while (over > 0) {
    const coldest = main.coldest()
    if (!coldest || coldest.frequency >= frequency) {
      main.putBack(taken)
      return undefined
    }
    main.take(coldest)
    taken.push(coldest)
    over -= coldest.victim.size
  }
  return taken.map((held) => held.victim)
}

/** How the window's size is climbed; defaults are Caffeine's. */
export interface ClimberTuning {
  /** The window's starting share of the budget (Caffeine: 1%). */
  startShare: number
  /** A step's first size, as a share of the budget (Caffeine: 6.25%). */
  stepShare: number
  /** Steps shrink by this factor each period while the hit ratio is steady (Caffeine: 0.98). */
  decay: number
  /** A hit-ratio change this large restarts with full steps (Caffeine: 0.05). */
  restart: number
  /** The window never takes more than this share of the budget. */
  maxShare: number
  /**
   * A change smaller than this many standard errors of the period's hit ratio moves nothing
   * (0: every change moves the window, as Caffeine does).
   */
  significance: number
  /** Climb on the byte hit ratio rather than the object hit ratio. */
  byBytes: boolean
}

export const CAFFEINE_TUNING: ClimberTuning = {
  startShare: 0.01,
  stepShare: 0.0625,
  decay: 0.98,
  restart: 0.05,
  maxShare: 0.8,
  significance: 0,
  byBytes: false,
}

/**
 * Sizes the window by hill climbing on the hit ratio: after each sample period it moves the
 * window's byte target by a step, on in the same direction while the hit ratio rose, back once
 * it fell; steps decay while the ratio is steady and restart when it jumps (Caffeine's
 * `climb`). O(1) per request.
 */
export class HillClimber {
  readonly #budget: number
  readonly #tuning: ClimberTuning
  #target: number
  #step: number
  #previousRatio = 0
  #hits = 0
  #asked = 0
  #requests = 0

  constructor(budget: number, tuning: Partial<ClimberTuning> = {}) {
    this.#budget = budget
    this.#tuning = { ...CAFFEINE_TUNING, ...tuning }
    this.#target = this.#tuning.startShare * budget
    this.#step = -this.#tuning.stepShare * budget
  }

  /** The window's byte target. */
  get target(): number {
    return this.#target
  }

  /**
   * Counts one request; at the end of a sample period, moves the target.
   * @param size the object's size, for a climb on bytes
   * @param period requests per sample period
   */
  record(hit: boolean, size: number, period: number): void {
    const { byBytes, significance, restart, stepShare, decay, maxShare } = this.#tuning
    const weight = byBytes ? size : 1
    this.#asked += weight
    if (hit) this.#hits += weight
    if (++this.#requests < period) return
    const ratio = this.#hits / Math.max(this.#asked, 1)
    const change = ratio - this.#previousRatio
    const noise = significance * Math.sqrt((2 * ratio * (1 - ratio)) / this.#requests)
    this.#previousRatio = ratio
    this.#hits = 0
    this.#asked = 0
    this.#requests = 0
    if (Math.abs(change) < noise) return
    const amount = change >= 0 ? this.#step : -this.#step
    this.#step =
      Math.abs(change) >= restart ? stepShare * this.#budget * Math.sign(amount) : decay * amount
    this.#target = Math.min(Math.max(this.#target + amount, 0), maxShare * this.#budget)
  }
}
