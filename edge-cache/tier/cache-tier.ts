/**
 * @module tier/cache-tier
 * A regional tier shard: a SQLite-backed Durable Object that stores entries, answers them while
 * fresh, revalidates them when stale, and collapses concurrent misses for one key into one
 * origin fetch whose body every waiter streams as it arrives. The class holds the RPC methods
 * and the wiring; the work is in its modules: answering (tier/serve.ts), fills and their
 * collapsing (tier/fill.ts), ranges (tier/ranges.ts), the byte budget, eviction and the sweep
 * alarm (tier/capacity.ts), origins and breakers (tier/shard-origins.ts).
 *
 * Every request counts in a TinyLFU sketch (tier/admission.ts), which decides admission to a full
 * shard and to L1; the sketch lives in memory and is saved by the sweep alarm. Every request also
 * feeds the miniature simulations that size W-TinyLFU's window (tier/miniatures.ts); they live in
 * memory only; the share they chose is saved with the sketch, so a restarted shard keeps it.
 */

import { DurableObject } from 'cloudflare:workers'
import { healthMonitorFor } from '../../origin/health-monitor'
import { r2Binding } from '../../origin/r2'
import { regionNamed } from '../../schemas/regions'
import { settingsOf } from '../../schemas/settings'
import { type Clock, systemClock } from '../clock'
import type { PurgeIndex } from '../purge/purge-index'
import { purgeLogFor } from '../purge/purge-log'
import type { PurgePush } from '../purge/purge-push'
import { applyPush, purgeView } from '../purge/purge-view'
import { parseTierName } from '../shard'
import { platformSpans } from '../tracing/platform-spans'
import { DEFAULT_SKETCH_WIDTH, FrequencySketch } from './admission'
import { Bodies } from './bodies'
import { shardBuckets } from './body-placement'
import { ShardCapacity } from './capacity'
import { ShardFills } from './fill'
import { migrateTierShard } from './migrate-shard'
import { Miniatures, SHARD_MINIATURES } from './miniatures'
import { EDGE_L1_FIELD, edgeL1Field, type TierRequest, tierRequestTrace } from './protocol'
import { RestoresStore } from './restores-store'
import { type ServeParts, serveRequest } from './serve'
import { ShardOrigins } from './shard-origins'
import { objectSize } from './tier-response'
import { type LoadedSketch, TierStore } from './tier-store'

/** What `stats()` reports about a shard. */
export interface TierStats {
  bytes: number
  entries: number
  budget: number
  /** The admission window's share of the budget (tier/miniatures.ts). */
  windowShare: number
}

export class CacheTier extends DurableObject<Env> {
  /** The shard's time; tests replace it (`runInDurableObject`) to move time without sleeping. */
  clock: Clock = systemClock
  readonly #store: TierStore
  readonly #bodies: Bodies
  readonly #sketch: FrequencySketch
  readonly #capacity: ShardCapacity
  readonly #parts: ServeParts
  #restoresStore: RestoresStore | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const settings = settingsOf(env)
    // This shard's region, from its name `tier:<region>:<n>`; it never stores content resident
    // elsewhere.
    const region = parseTierName(ctx.id.name)?.region
    const clock: Clock = { now: () => this.clock.now() }
    const waitUntil = (promise: Promise<unknown>) => ctx.waitUntil(promise)
    // The tables (schemas/durable/tier). The migrator's work is synchronous, in a transaction, so
    // they exist before the sketch is read below (blockConcurrencyWhile would run it later); a
    // failure reaches blockConcurrencyWhile, which resets the object rather than serve.
    const migrated = migrateTierShard(ctx.storage)
    void ctx.blockConcurrencyWhile(() => migrated)
    this.#store = new TierStore(ctx.storage.sql)
    this.#bodies = new Bodies(this.#store, (binding) => r2Binding(env, binding), waitUntil)
    const saved = this.#store.loadSketch()
    this.#sketch = restoreSketch(saved, this.clock.now())
    const miniatures = new Miniatures(settings.tierShardBudgetBytes, SHARD_MINIATURES)
    if (saved?.windowShare !== undefined) miniatures.resume(saved.windowShare)
    this.#capacity = new ShardCapacity({
      store: this.#store,
      bodies: this.#bodies,
      sketch: this.#sketch,
      miniatures,
      budget: settings.tierShardBudgetBytes,
      r2Threshold: settings.tierR2ThresholdBytes,
      // The tier buckets this shard writes: its own region's only (tier/body-placement.ts).
      buckets: shardBuckets(env, region),
      region,
      alarms: ctx.storage,
      waitUntil,
      clock,
    })
    // One circuit breaker per origin, shared by every PoP whose requests reach this shard.
    const origins = new ShardOrigins(
      env,
      settings.originTimeoutMs,
      clock,
      (zone) =>
        healthMonitorFor(env.HEALTH_MONITOR, zone, regionNamed(region ?? 'global')).down(zone),
      platformSpans
    )
    const fillParts = {
      store: this.#store,
      bodies: this.#bodies,
      capacity: this.#capacity,
      clock,
      region,
      restores: () => this.#restores,
      originFor: (request: TierRequest) => origins.originFor(request),
      originTimeoutMs: (request: TierRequest) => origins.timeoutFor(request),
      waitUntil,
    }
    this.#parts = { ...fillParts, fills: new ShardFills(fillParts) }
  }

  /** The shard's committed bytes and entries, and its budget. */
  async stats(): Promise<TierStats> {
    const { budget, windowShare } = this.#capacity
    return { ...this.#store.usage(), budget, windowShare }
  }

  /**
   * The sweep: deletes entries past their freshness and stale windows, a batch per run, saves
   * the admission sketch, and schedules the next run.
   */
  override async alarm(): Promise<void> {
    await this.#capacity.sweep()
  }

  /**
   * Answers a GET for a cache key from this shard, filling it from the origin on a miss.
   * Archival paths (tier-only) and large bodies before their second hit tell the edge to keep
   * no L1 copy.
   */
  async serve(request: TierRequest): Promise<Response> {
    // The edge's trace continues here: the span (sampled requests only) nests under the
    // platform's span of this RPC, and the shard's log lines name the trace (tier/fill.ts).
    const trace = tierRequestTrace(request)
    const attributes = () => ({ 'trace.id': trace?.traceId, 'cdn.key': request.key })
    return platformSpans.run('cdn.tier.serve', attributes, () => this.#serve(request))
  }

  async #serve(request: TierRequest): Promise<Response> {
    this.#sketch.increment(request.key, this.clock.now())
    const purgeIndex = (now: number) => this.#purgeIndex(request.purge, now)
    const response = await serveRequest(this.#parts, request, purgeIndex)
    const size = objectSize(response)
    if (size !== undefined) this.#capacity.observe(request.key, size)
    const l1 = edgeL1Field(
      request.archival?.tierOnly ?? false,
      this.#sketch.estimate(request.key),
      response.headers.get('content-length'),
      settingsOf(this.env).tierL1SecondHitBytes
    )
    if (l1 === undefined) return response
    const headers = new Headers(response.headers)
    headers.set(EDGE_L1_FIELD, l1)
    return new Response(response.body, { status: response.status, headers })
  }

  /**
   * The zone's purge log as this isolate sees it, never older than the bound and never behind
   * what the calling edge has seen (else the edge could store pre-purge content as new).
   */
  #purgeIndex(purge: TierRequest['purge'], now: number): Promise<PurgeIndex> {
    const namespace = this.env.PURGE_LOG
    // Pushes keep the view current; without one for this long it reads the log itself.
    const staleness = settingsOf(this.env).purgeTierLeaseMs
    const log = () => purgeLogFor(namespace, purge.zone)
    return purgeView(purge.zone, log, now, staleness, purge.minSeq)
  }

  /**
   * The regional relay's push of durable purges: the shard's view takes them (one that missed
   * an earlier push is marked stale and reads the log before it serves again), then the
   * shard deletes what they purge rather than waiting to meet it at lookup or in the sweep.
   * @returns how many entries were deleted
   */
  async applyPurges(pushes: PurgePush[]): Promise<number> {
    let deleted = 0
    for (const push of pushes) {
      if (!applyPush(push.zone, push.prevSeq, push.snapshot, this.clock.now())) continue
      const index = await this.#purgeIndex({ zone: push.zone, minSeq: 0 }, this.clock.now())
      const doomed = [...this.#store.scan()].filter(
        ({ primaryKey, meta }) =>
          meta.zone === push.zone &&
          index.purgeState({ key: primaryKey, tags: meta.tags, seq: meta.purgeSeq }) === 'purged'
      )
      for (const { key } of doomed) {
        const body = this.#store.deleteVariant(key)
        if (body) this.#bodies.release(body)
      }
      deleted += doomed.length
    }
    return deleted
  }

  /**
   * Drops every variant of the given URLs (RFC 9111 §4.4 invalidation after an unsafe method).
   * @returns how many URLs had something stored
   */
  async invalidate(keys: string[]): Promise<number> {
    let removed = 0
    for (const key of keys) {
      const bodies = this.#store.deleteUrl(key)
      if (bodies.length > 0) removed++
      for (const body of bodies) this.#bodies.release(body)
    }
    return removed
  }

  get #restores(): RestoresStore {
    this.#restoresStore ??= new RestoresStore(this.ctx.storage.sql)
    return this.#restoresStore
  }
}

/**
 * The admission sketch the sweep saved, or a new one; one saved before its history was recorded
 * counts from now.
 */
function restoreSketch(saved: LoadedSketch | undefined, now: number): FrequencySketch {
  if (!saved) return new FrequencySketch(DEFAULT_SKETCH_WIDTH, undefined, now)
  const { counters, since = now } = saved
  const snapshot = { ...saved, since, sampleSize: 10 * DEFAULT_SKETCH_WIDTH, table: counters }
  return FrequencySketch.restore(snapshot, DEFAULT_SKETCH_WIDTH, now)
}
