/**
 * @module bench/hit-ratio/climber
 * Caffeine's hill climber for the size of W-TinyLFU's window (edge-cache/tier/window.ts),
 * measured on the simulator and not adopted: its steps follow noise and scans on stable
 * workloads (README, "Tier admission: hit ratio"); the shard sizes its window by miniature
 * simulations (edge-cache/tier/miniatures.ts) instead.
 * @see https://github.com/ben-manes/caffeine/wiki/Efficiency
 */

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
