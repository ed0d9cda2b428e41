/**
 * @module tier/capacity
 * A shard's byte budget and how long it keeps what it stores. The shard holds at most its budget
 * (`TIER_SHARD_BUDGET_BYTES`) of committed bodies, SQLite chunks and R2 objects together: a commit
 * that would go over follows W-TinyLFU (tier/window.ts): the newcomer enters an LRU window, and
 * what the window pushes out moves to main only if it is more popular than each of main's least
 * popular, least recently accessed entries it displaces (tier/admission.ts), else it leaves.
 * The window's share of the budget follows miniature simulations (tier/miniatures.ts) fed every
 * request ({@link ShardCapacity.observe}); they live in memory, and the sweep saves the share
 * they chose with the sketch for a restarted shard. The sweep alarm deletes entries past their
 * freshness and stale windows in batches and saves the admission sketch. When an entry expires
 * and when the sweep runs are pure decisions ({@link expiresAt}, {@link sweepAt});
 * {@link ShardCapacity} applies them to the shard's storage.
 */
import type { Clock } from '../clock'
import { retention } from '../entry'
import { forbidsStale } from '../policy'
import { logError } from '../tracing/log'
import { type FrequencySketch, overBudget, type Popularity, type Sized } from './admission'
import type { Bodies } from './bodies'
import { type BodyPlacement, placeBody, type ShardBuckets } from './body-placement'
import type { Miniatures } from './miniatures'
import { primaryOf, tierView } from './stored-entry'
import type { TierEntry, TierStore } from './tier-store'
import { planWindow, type WindowPlan } from './window'

/** Expired entries deleted per alarm run; a full batch reschedules the alarm at once. */
export const SWEEP_BATCH = 500
/** The sweep runs at least this often while anything is stored (it also saves the sketch). */
export const SWEEP_INTERVAL_MS = 5 * 60 * 1000
/**
 * How long a stale entry is kept for conditional revalidation (it has a validator) or for an
 * origin outage (nothing forbids serving it stale).
 */
export const REVALIDATION_GRACE_SECONDS = 24 * 3600

/**
 * When an entry stops being of any use: past its freshness lifetime and its stale windows
 * (stale-while-revalidate, stale-if-error), plus a grace period when it has a validator,
 * since a stale entry with an ETag or Last-Modified can still be revalidated with a 304, or
 * when it may be served stale while its origin is out.
 * @param now the current time (ms)
 * @returns the time (ms) from which the sweep deletes it
 */
export function expiresAt(entry: TierEntry, now: number): number {
  const view = tierView(entry)
  const { seconds, directives } = retention(view, now)
  const revalidatable = view.headers.has('etag') || view.headers.has('last-modified')
  // A copy that may be served stale is also kept for an origin outage (edge-cache/origin-down.ts).
  const grace = revalidatable || !forbidsStale(directives) ? REVALIDATION_GRACE_SECONDS : 0
  return now + (Math.max(0, seconds) + grace) * 1000
}

/** The next sweep: at the next expiry, but at least every SWEEP_INTERVAL_MS. */
export function sweepAt(expiry: number, now: number): number {
  return Math.max(now, Math.min(expiry, now + SWEEP_INTERVAL_MS))
}

/** What a shard's capacity is kept with. */
export interface CapacityParts {
  store: TierStore
  bodies: Bodies
  sketch: FrequencySketch
  /** Chooses the window's share of the budget (in memory only). */
  miniatures: Miniatures
  budget: number
  /** Bodies of at least this many bytes go to an R2 tier bucket when they may. */
  r2Threshold: number
  buckets: ShardBuckets
  /** The shard's region, when its name tells it. */
  region: string | undefined
  /** The Durable Object's storage: its alarm is the sweep. */
  alarms: Pick<DurableObjectStorage, 'getAlarm' | 'setAlarm'>
  waitUntil(promise: Promise<unknown>): void
  clock: Clock
}

export class ShardCapacity {
  readonly #parts: CapacityParts

  constructor(parts: CapacityParts) {
    this.#parts = parts
  }

  get budget(): number {
    return this.#parts.budget
  }

  /**
   * Where a body of this size is kept (tier/body-placement.ts).
   * @param resident whether a residency rule pins the content to this shard's region
   */
  place(size: number, resident: boolean): BodyPlacement {
    const { r2Threshold, buckets } = this.#parts
    return placeBody(size, r2Threshold, resident, buckets)
  }

  /** The window's share of the budget, as the miniatures chose it. */
  get windowShare(): number {
    return this.#parts.miniatures.share
  }

  /** The window's byte target. */
  get windowTarget(): number {
    return this.windowShare * this.#parts.budget
  }

  /**
   * Would a body of this size be admitted now, where does it go, and which entries move to main
   * or leave to make room for it?
   */
  plan(candidate: Sized): WindowPlan {
    const { store, budget } = this.#parts
    const usage = store.segmentUsage()
    const stored = store.placed(candidate.key)
    if (stored) usage[stored.segment] -= stored.size
    const windowLru = store.byLastAccess('window')
    const mainLru = store.byLastAccess('main')
    const { windowTarget } = this
    return planWindow(
      candidate,
      usage,
      budget,
      windowTarget,
      windowLru,
      mainLru,
      this.#popularity()
    )
  }

  /**
   * Feeds one request to the miniatures that size the window: O(1) for the 80% of keys outside
   * their sample, O(copies × eviction sample) in memory for the rest.
   * @param key the primary key, as the sketch counts it
   * @param size the object's size in bytes
   */
  observe(key: string, size: number): void {
    this.#parts.miniatures.request(key, size, this.#popularity())
  }

  #popularity(): Popularity {
    const { sketch, clock } = this.#parts
    const now = clock.now()
    const frequency = (key: string) => sketch.estimate(primaryOf(key))
    return { frequency, history: sketch.history(now), now }
  }

  /**
   * Stores a completely written body as the entry, evicting victims to stay within budget.
   * @param resident whether a residency rule pins the content to this shard's region
   * @returns false when it lost admission or may not be kept (the caller discards the body)
   */
  commit(primaryKey: string, entry: TierEntry, resident: boolean): boolean {
    const { store, bodies, budget, clock, waitUntil } = this.#parts
    const placement = this.place(entry.size, resident)
    if (placement.kind === 'not-stored') return false
    const plan = this.plan({ key: entry.key, size: entry.size })
    // Window entries that lost to main's leave even when the newcomer itself is turned away.
    for (const victim of plan.evict) this.evict(victim.key)
    for (const promoted of plan.promote) store.promote(promoted.key)
    if (!plan.admit) return false
    const now = clock.now()
    const expires = expiresAt(entry, now)
    const previous = store.commit(primaryKey, entry, now, expires, plan.segment)
    if (previous) bodies.release(previous)
    // Whatever else happened meanwhile, committed bytes never stay over budget.
    const { bytes } = store.usage()
    if (bytes > budget) {
      const others = [...store.byLastAccess()].filter((v) => v.key !== entry.key)
      for (const victim of overBudget(bytes, budget, others)) this.evict(victim.key)
    }
    waitUntil(this.scheduleSweep(expires, now))
    if (placement.kind === 'bucket') {
      const residency = resident ? (this.#parts.region ?? '') : ''
      const { bodyId, size, chunks } = entry
      const moved = bodies.moveToR2(bodyId, size, chunks, placement.binding, {
        url: primaryKey,
        residency,
      })
      waitUntil(moved.catch((error: unknown) => logError('tier: R2 move failed', entry.key, error)))
    }
    return true
  }

  /** Deletes a variant and its body, and the URL's Vary record once no variant is left. */
  evict(key: string): void {
    const { store, bodies } = this.#parts
    const body = store.deleteVariant(key)
    if (body) bodies.release(body)
    store.deleteOrphanVary(primaryOf(key))
  }

  /**
   * Drops a body that was streamed but not kept. Waiters that joined the fill call `read`
   * within the same turn of the event loop, so release after it: their reads hold the body.
   */
  discard(bodyId: string): void {
    setTimeout(() => this.#parts.bodies.release(bodyId), 0)
  }

  /** Sets the sweep alarm no later than the given expiry. */
  async scheduleSweep(expires: number, now: number): Promise<void> {
    const at = sweepAt(expires, now)
    const current = await this.#parts.alarms.getAlarm()
    if (current === null || current > at) await this.#parts.alarms.setAlarm(at)
  }

  /**
   * The sweep: deletes entries past their freshness and stale windows, a batch per run, saves
   * the admission sketch, and schedules the next run.
   */
  async sweep(): Promise<void> {
    const { store, bodies, sketch, alarms, clock } = this.#parts
    const now = clock.now()
    const deleted = store.deleteExpired(now, SWEEP_BATCH)
    for (const body of deleted) bodies.release(body)
    if (deleted.length > 0) store.deleteOrphanVaryAll()
    const { width, additions, since, table } = sketch.snapshot()
    const windowShare = this.#parts.miniatures.share
    store.saveSketch({ width, additions, since, counters: table, windowShare })
    if (deleted.length === SWEEP_BATCH) return alarms.setAlarm(now)
    const next = store.nextExpiry()
    if (next !== undefined) await alarms.setAlarm(sweepAt(next, now))
  }
}
