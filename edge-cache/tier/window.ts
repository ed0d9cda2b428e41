/**
 * @module tier/window
 * W-TinyLFU's admission window over the tier's admission (tier/admission.ts), pure and
 * clock-free: every newcomer enters a small LRU window (a share of the byte budget); what the
 * window pushes out competes by TinyLFU admission against the main segment's victims, the least
 * popular of the next few in LRU order, for room in main's share of the budget. A new popular
 * object thus gets hits while its count builds up, where plain TinyLFU turns it away until it
 * beats the incumbents. With a window of 0 this is `planAdmission`. The window's size is chosen
 * by miniature simulations (tier/miniatures.ts). The shard (tier/capacity.ts) and the hit-ratio
 * simulator (test/bench/hit-ratio) run this same code.
 * @see https://arxiv.org/abs/1512.00727 (TinyLFU: A Highly Efficient Cache Admission Policy)
 * @see https://github.com/ben-manes/caffeine/wiki/Efficiency
 */
import {
  EVICTION_SAMPLE,
  type Popularity,
  type Resident,
  recentFrequency,
  type Sized,
} from './admission'

/**
 * At most this many window entries leave per newcomer: when the sizer shrinks the window from
 * 80% to 0, it drains over the next commits instead of rewriting the whole window in one
 * request (Caffeine caps each adjustment step the same way, QUEUE_TRANSFER_THRESHOLD).
 */
export const MAX_WINDOW_DEPARTURES = 64

/** Which segment of the shard an entry is in. */
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
  for (let left = 0; windowBytes > windowTarget && left < MAX_WINDOW_DEPARTURES; left++) {
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

/** The window's entries in the order they leave, least recently used first, then the newcomer. */
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
