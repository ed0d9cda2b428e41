import type { Clock } from '../../edge-cache/clock'

/** A clock that moves only when the test says so: freshness, leases and breakers without sleeps. */
export class ManualClock implements Clock {
  #now: number

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms
  }
}
