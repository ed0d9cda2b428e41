/**
 * @module origin/monitor-view
 * A tier shard's copy of the active monitors' verdicts (origin/health-monitor.ts), per zone,
 * read at most once per `ttlMs` whatever the shard's traffic (that bound is the monitor object's
 * load: test/bench/monitor-load.ts). A failed read counts every origin as up: passive health
 * still protects them.
 */
import { logError } from '../edge-cache/tracing/log'

/** How stale a shard's view of the monitors may be, in milliseconds. */
export const MONITOR_VIEW_MS = 1000
/** Zones whose view one shard keeps. */
const MAX_ZONES = 256

export class MonitorView {
  readonly #read: (zone: string) => Promise<string[]>
  readonly #ttlMs: number
  readonly #views = new Map<string, { at: number; down: Promise<ReadonlySet<string>> }>()

  /**
   * @param read asks the zone's monitor object of this region which origins are down
   * @param ttlMs how long a read is reused
   */
  constructor(read: (zone: string) => Promise<string[]>, ttlMs = MONITOR_VIEW_MS) {
    this.#read = read
    this.#ttlMs = ttlMs
  }

  /** The zone's origins that its monitors see down, as of at most `ttlMs` ago. */
  down(zone: string, now: number): Promise<ReadonlySet<string>> {
    const view = this.#views.get(zone)
    if (view && now - view.at < this.#ttlMs) return view.down
    const down = this.#read(zone).then(
      (names) => new Set(names),
      (error: unknown) => {
        logError('health monitor unreachable; counting every origin as up', zone, error)
        return new Set<string>()
      }
    )
    this.#views.delete(zone)
    this.#views.set(zone, { at: now, down })
    if (this.#views.size > MAX_ZONES) {
      const oldest = this.#views.keys().next().value
      if (oldest !== undefined) this.#views.delete(oldest)
    }
    return down
  }
}
