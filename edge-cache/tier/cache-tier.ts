/**
 * @module tier/cache-tier
 * A regional tier shard: a SQLite-backed Durable Object that stores entries, answers them while
 * fresh, revalidates them when stale, and collapses concurrent misses for one key into one
 * origin fetch whose body every waiter streams as it arrives.
 *
 * Capacity: the shard holds at most `TIER_SHARD_BUDGET_BYTES` of committed bodies (SQLite chunks
 * and its R2 objects together). Every request counts in a TinyLFU sketch (tier/admission.ts);
 * a commit that would go over budget evicts the least recently accessed entries, but only if
 * the newcomer is more popular than each of them, else the newcomer is not stored
 * (`detail=not-admitted`). The sketch lives in memory and is saved by the sweep alarm, which
 * also deletes entries past their freshness and stale windows in batches.
 */

import { DurableObject } from 'cloudflare:workers'
import { BreakerRegistry } from '../../origin/breakers'
import { chaosOrigin, drilledDown } from '../../origin/chaos'
import { originDependencies } from '../../origin/dependencies'
import { CircuitOpenError } from '../../origin/errors'
import { healthMonitorFor } from '../../origin/health-monitor'
import { varyingOn } from '../../origin/key-headers'
import { MonitorView } from '../../origin/monitor-view'
import { isMonitored, ORIGIN_MEMBER_FIELD, targetOrigin } from '../../origin/pool-origin'
import { ArchivedObjectError } from '../../origin/s3'
import { selectOrigin } from '../../origin/select'
import type { Origin, OriginRequest } from '../../origin/types'
import type { OriginSpec } from '../../schemas/api/config'
import { regionNamed } from '../../schemas/regions'
import type { EntryMeta } from '../entry'
import { errorResponse, originFailureResponse } from '../errors'
import { canServeWhileOriginDown, isOriginDown, ORIGIN_DOWN_DETAIL } from '../origin-down'
import {
  type CacheStatusEntry,
  cacheTags,
  canServeStaleOnError,
  canStore,
  conditionalRequestHeaders,
  contentRange,
  currentAge,
  decideRange,
  decideServe,
  entryFreshness,
  forbidsStale,
  headersToStore,
  isOnlyIfCached,
  mergeNotModified,
  notModifiedMatches,
  type ServeDecision,
  STALE_IF_ERROR_STATUSES,
  selectCacheControl,
  stripHopByHop,
  varyFields,
} from '../policy'
import { applyPurge } from '../purge/purge-decision'
import type { PurgeIndex } from '../purge/purge-index'
import { purgeLogName } from '../purge/purge-log'
import type { PurgePush } from '../purge/purge-push'
import { applyPush, purgeView } from '../purge/purge-view'
import { mayStoreIn, residencyForTags } from '../residency'
import { secondaryKey } from '../secondary-key'
import { parseTierName } from '../shard'
import { addCacheStatus, appendServerTiming } from '../status-headers'
import { sliceStream } from '../stream-slice'
import {
  admitToL1,
  byteSetting,
  DEFAULT_L1_SECOND_HIT_BYTES,
  DEFAULT_SKETCH_WIDTH,
  FrequencySketch,
  L1_NOT_ADMITTED,
  overBudget,
  planAdmission,
  type Sized,
} from './admission'
import { EDGE_L1_FIELD } from './archival'
import { Bodies, BodyProgress, type ByteSpan } from './bodies'
import {
  type BodyPlacement,
  placeBody,
  r2Binding,
  type ShardBuckets,
  shardBuckets,
} from './body-placement'
import { TIER_CACHE_NAME, type TierRequest } from './protocol'
import { restoreArchived } from './restore-archived'
import { RestoresStore } from './restores-store'
import { type TierEntry, TierStore, variantKey } from './tier-store'

type FillOutcome =
  | {
      kind: 'stored'
      entry: TierEntry
      progress: BodyProgress
      originMs: number
      /** False when the body is streamed to the waiters but not kept (lost admission). */
      admitted: boolean
      /** Why a large body is kept in SQLite or not at all (tier/body-placement.ts). */
      detail?: string
      /**
       * What the request that caused the fill is answered with: the origin's fields, including
       * those a shared cache must not store or reuse (Set-Cookie, `no-cache="…"`,
       * `private="…"`). Requests that joined get the stored fields.
       */
      leaderHeaders: [string, string][]
    }
  | { kind: 'not-modified'; entry: TierEntry; originMs: number }
  | { kind: 'pass'; response: Response; originMs: number }
  | { kind: 'failed'; error: unknown; originMs: number }

interface Fill {
  /**
   * What the origin answered. A response that is not stored is streamed to the request that
   * started the fill only; collapsed waiters fetch their own.
   */
  outcome: Promise<FillOutcome>
}

/** Default byte budget of one shard: 1 GiB. */
export const DEFAULT_SHARD_BUDGET_BYTES = 1024 * 1024 * 1024
/** Default size from which a body moves to the R2 cache bucket: 8 MiB. */
export const DEFAULT_R2_THRESHOLD_BYTES = 8 * 1024 * 1024
const SKETCH_WIDTH = DEFAULT_SKETCH_WIDTH
/**
 * A range this close ahead of the fill waits for it (the fill streams at origin speed); one
 * further ahead is fetched from the origin on its own.
 */
const RANGE_WAIT_BYTES = 8 * 1024 * 1024
/** Expired entries deleted per alarm run; a full batch reschedules the alarm at once. */
export const SWEEP_BATCH = 500
/** The sweep runs at least this often while anything is stored (it also saves the sketch). */
const SWEEP_INTERVAL_MS = 5 * 60 * 1000

/** What `stats()` reports about a shard. */
export interface TierStats {
  bytes: number
  entries: number
  budget: number
}

export class CacheTier extends DurableObject<Env> {
  readonly #store: TierStore
  readonly #bodies: Bodies
  readonly #sketch: FrequencySketch
  readonly #budget: number
  readonly #r2Threshold: number
  readonly #l1SecondHit: number
  /** The tier buckets this shard writes: its own region's only (tier/body-placement.ts). */
  readonly #buckets: ShardBuckets
  readonly #inflight = new Map<string, Fill>()
  /** One circuit breaker per origin, shared by every PoP whose requests reach this shard. */
  readonly #breakers = new BreakerRegistry()
  /** What the region's active monitors say, for pools (origin/monitor-view.ts). */
  readonly #monitors = new MonitorView((zone) =>
    healthMonitorFor(this.env.HEALTH_MONITOR, zone, regionNamed(this.#region ?? 'global')).down(
      zone
    )
  )
  #restoresStore: RestoresStore | undefined

  /** This shard's region, from its name `tier:<region>:<n>`; it never stores content resident elsewhere. */
  readonly #region: string | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#region = parseTierName(ctx.id.name)?.region
    this.#store = new TierStore(ctx.storage.sql)
    this.#buckets = shardBuckets(env, this.#region)
    this.#bodies = new Bodies(
      this.#store,
      (binding) => r2Binding(env, binding),
      (promise) => ctx.waitUntil(promise)
    )
    this.#budget = byteSetting(env.TIER_SHARD_BUDGET_BYTES, DEFAULT_SHARD_BUDGET_BYTES)
    this.#r2Threshold = byteSetting(env.TIER_R2_THRESHOLD_BYTES, DEFAULT_R2_THRESHOLD_BYTES)
    this.#l1SecondHit = byteSetting(env.TIER_L1_SECOND_HIT_BYTES, DEFAULT_L1_SECOND_HIT_BYTES)
    const saved = this.#store.loadSketch()
    this.#sketch = saved
      ? FrequencySketch.restore(
          { ...saved, sampleSize: 10 * SKETCH_WIDTH, table: saved.counters },
          SKETCH_WIDTH
        )
      : new FrequencySketch(SKETCH_WIDTH)
  }

  /** The shard's committed bytes and entries, and its budget. */
  async stats(): Promise<TierStats> {
    return { ...this.#store.usage(), budget: this.#budget }
  }

  /**
   * The sweep: deletes entries past their freshness and stale windows, a batch per run, saves
   * the admission sketch, and schedules the next run.
   */
  override async alarm(): Promise<void> {
    const now = Date.now()
    const bodies = this.#store.deleteExpired(now, SWEEP_BATCH)
    for (const body of bodies) this.#bodies.release(body)
    if (bodies.length > 0) this.#store.deleteOrphanVaryAll()
    const { width, additions, table } = this.#sketch.snapshot()
    this.#store.saveSketch(width, additions, table)
    if (bodies.length === SWEEP_BATCH) return this.ctx.storage.setAlarm(now)
    const next = this.#store.nextExpiry()
    if (next !== undefined) await this.ctx.storage.setAlarm(sweepAt(next, now))
  }

  /**
   * Answers a GET for a cache key from this shard, filling it from the origin on a miss.
   * Archival paths (tier-only) tell the edge to keep no L1 copy.
   */
  async serve(request: TierRequest): Promise<Response> {
    this.#sketch.increment(request.key)
    const response = await this.#serve(request)
    let l1: string | undefined
    if (request.archival?.tierOnly) l1 = 'no-store'
    else {
      const length = Number(response.headers.get('content-length') ?? Number.NaN)
      const size = Number.isSafeInteger(length) ? length : undefined
      const frequency = this.#sketch.estimate(request.key)
      if (!admitToL1(frequency, size, this.#l1SecondHit)) l1 = L1_NOT_ADMITTED
    }
    if (l1 === undefined) return response
    const headers = new Headers(response.headers)
    headers.set(EDGE_L1_FIELD, l1)
    return new Response(response.body, { status: response.status, headers })
  }

  async #serve(request: TierRequest): Promise<Response> {
    const started = Date.now()
    const requestHeaders = new Headers(request.headers)
    const fields = this.#store.varyFields(request.key)
    const key = variantKey(request.key, fields ? secondaryKey(fields, requestHeaders) : '')
    const purge = await this.#purgeIndex(request.purge, started)
    let entry = fields ? this.#store.get(key, started) : undefined
    let decision: ServeDecision | 'miss' = 'miss'
    if (entry) {
      const stored = storedView(entry)
      // An entry of another zone (a host that moved) is purged for this one: its sequence
      // counts in the other zone's log.
      const foreign = entry.meta.zone !== undefined && entry.meta.zone !== request.purge.zone
      const state = foreign
        ? 'purged'
        : purge.purgeState({ key: request.key, tags: entry.meta.tags, seq: entry.meta.purgeSeq })
      decision = applyPurge(decideServe(stored, requestHeaders, started), state, stored, started)
      if (decision === 'miss') {
        // Purged: delete it now rather than let it wait for the sweep.
        this.#bodies.release(this.#store.deleteVariant(key) ?? entry.bodyId)
        entry = undefined
      }
    }

    if (!entry || decision === 'miss') {
      const miss = fields ? 'vary-miss' : 'uri-miss'
      if (isOnlyIfCached(requestHeaders)) return notCached({ cache: TIER_CACHE_NAME, fwd: miss })
      const status: CacheStatusEntry = { cache: TIER_CACHE_NAME, fwd: miss }
      return this.#fromFill(request, key, undefined, status, started, purge.seq)
    }
    if (decision.action === 'fresh') {
      const status = { cache: TIER_CACHE_NAME, hit: true, ttl: decision.ttl }
      const progress = BodyProgress.complete(entry.chunks, entry.size)
      const timing = { tierMs: Date.now() - started }
      const partial = await this.#partial(request, entry, progress, status, timing)
      return partial ?? this.#hit(entry, status, started)
    }
    if (decision.action === 'stale-while-revalidate') {
      // RFC 5861 §3: serve the stale entry now; one background revalidation per key.
      const fill = this.#fill(request, key, entry, purge.seq).fill
      this.ctx.waitUntil(fill.outcome.then(() => undefined))
      const status = {
        cache: TIER_CACHE_NAME,
        hit: true,
        ttl: decision.ttl,
        detail: 'stale-while-revalidate',
      }
      return this.#hit(entry, status, started)
    }
    // RFC 9211 §2.2: a response the request's own directives would not accept is fwd=request.
    const fwd = decision.reason === 'request' ? 'request' : 'stale'
    if (isOnlyIfCached(requestHeaders)) return notCached({ cache: TIER_CACHE_NAME, fwd })
    // The stale entry may be answered (304, stale-if-error) after the origin has had its say,
    // whatever an invalidation or purge does to it meanwhile.
    const release = this.#bodies.hold(entry.bodyId)
    try {
      const status: CacheStatusEntry = { cache: TIER_CACHE_NAME, fwd }
      return await this.#fromFill(request, key, entry, status, started, purge.seq)
    } finally {
      release()
    }
  }

  /**
   * The zone's purge log as this isolate sees it, never older than the bound and never behind
   * what the calling edge has seen (else the edge could store pre-purge content as new).
   */
  #purgeIndex(purge: TierRequest['purge'], now: number): Promise<PurgeIndex> {
    const namespace = this.env.PURGE_LOG
    // Pushes keep the view current; without one for this long it reads the log itself.
    const staleness = Number(this.env.PURGE_TIER_LEASE_MS) || 1000
    const log = () => namespace.get(namespace.idFromName(purgeLogName(purge.zone)))
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
      if (!applyPush(push.zone, push.prevSeq, push.snapshot, Date.now())) continue
      const index = await this.#purgeIndex({ zone: push.zone, minSeq: 0 }, Date.now())
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

  async #fromFill(
    request: TierRequest,
    key: string,
    stale: TierEntry | undefined,
    status: CacheStatusEntry,
    started: number,
    purgeSeq: number
  ): Promise<Response> {
    const { fill, collapsed } = this.#fill(request, key, stale, purgeSeq)
    const outcome = await fill.outcome
    const timing = { tierMs: Date.now() - started, originMs: outcome.originMs }
    if (collapsed) status.collapsed = true

    switch (outcome.kind) {
      case 'stored': {
        const { entry, progress } = outcome
        status.fwdStatus = entry.meta.status
        status.detail = memberDetail(outcome.leaderHeaders)
        if (outcome.admitted) status.stored = true
        else status.detail = 'not-admitted'
        if (outcome.detail) status.detail = outcome.detail
        const partial = await this.#partial(request, entry, progress, status, timing)
        if (partial) return partial
        const body = this.#bodies.read(entry.bodyId, progress)
        const answered = collapsed ? entry : { ...entry, headers: outcome.leaderHeaders }
        return this.#answer(answered, body, status, timing)
      }
      case 'not-modified':
        status.fwdStatus = 304
        return this.#answer(
          this.#complete(outcome.entry),
          this.#storedBody(outcome.entry),
          status,
          timing
        )
      case 'pass': {
        const failed = STALE_IF_ERROR_STATUSES.has(outcome.response.status)
        if (stale && failed && this.#canServeStale(stale, request)) {
          status.fwdStatus = outcome.response.status
          status.detail = 'stale-if-error'
          return this.#answer(this.#complete(stale), this.#storedBody(stale), status, timing)
        }
        // The response body belongs to the request that started the fill: workerd forbids any
        // other request to read it ("Cannot perform I/O on behalf of a different request").
        if (collapsed) return this.#pass(request, status, started)
        status.fwdStatus = outcome.response.status
        status.detail = memberDetail([...outcome.response.headers])
        return withStatus(outcome.response, status, timing)
      }
      case 'failed': {
        // RFC 9111 §4.2.4: disconnected, any stored copy may go out stale unless it forbids it.
        const down = isOriginDown(outcome.error)
        if (stale && down && canServeWhileOriginDown(storedView(stale), Date.now())) {
          status.detail = ORIGIN_DOWN_DETAIL
          return this.#answer(this.#complete(stale), this.#storedBody(stale), status, timing)
        }
        if (stale && this.#canServeStale(stale, request)) {
          status.detail = 'stale-if-error'
          return this.#answer(this.#complete(stale), this.#storedBody(stale), status, timing)
        }
        status.detail = 'origin-error'
        return withStatus(originFailureResponse(outcome.error), status, timing)
      }
    }
  }

  /** Joins the fill in flight for `key`, or starts one. */
  #fill(
    request: TierRequest,
    key: string,
    stale: TierEntry | undefined,
    purgeSeq: number
  ): { fill: Fill; collapsed: boolean } {
    const existing = this.#inflight.get(key)
    if (existing) return { fill: existing, collapsed: true }
    const fill: Fill = { outcome: this.#runFill(request, stale, purgeSeq) }
    this.#inflight.set(key, fill)
    const settle = () => {
      this.#inflight.delete(key)
    }
    // A stored body stays joinable until it is completely written and committed.
    void fill.outcome.then((outcome) =>
      outcome.kind === 'stored' ? waitForBody(outcome.progress).finally(settle) : settle()
    )
    return { fill, collapsed: false }
  }

  async #runFill(
    request: TierRequest,
    stale: TierEntry | undefined,
    purgeSeq: number
  ): Promise<FillOutcome> {
    const origin = this.#origin(request)
    const requestHeaders = new Headers(request.headers)
    const upstreamHeaders = new Headers(requestHeaders)
    if (stale) {
      for (const [name, value] of conditionalRequestHeaders(new Headers(stale.headers))) {
        upstreamHeaders.set(name, value)
      }
    }
    const requestTime = Date.now()
    let response: Response
    const originRequest = originGet(request, upstreamHeaders)
    try {
      response = await origin.fetch(originRequest)
    } catch (error) {
      // An open breaker and an archived object are expected answers, not faults to log.
      if (!(error instanceof CircuitOpenError || error instanceof ArchivedObjectError)) {
        console.error('tier: origin fetch failed', request.key, error)
      }
      const failure =
        error instanceof ArchivedObjectError
          ? await restoreArchived(
              error,
              origin,
              originRequest,
              request.archival,
              this.#restores,
              Date.now()
            )
          : error
      return { kind: 'failed', error: failure, originMs: Date.now() - requestTime }
    }
    const responseTime = Date.now()
    const originMs = responseTime - requestTime

    if (stale && response.status === 304) {
      const storedHeaders = new Headers(stale.headers)
      // RFC 9111 §4.3.4: a 304 that does not match the stored response cannot update it.
      if (notModifiedMatches(storedHeaders, response.headers)) {
        const merged = mergeNotModified(storedHeaders, response.headers, responseTime)
        const { directives } = selectCacheControl(merged)
        const entry: TierEntry = {
          ...stale,
          meta: { ...stale.meta, requestTime, responseTime },
          headers: [...headersToStore(merged, directives)],
        }
        this.#store.updateHeaders(
          entry.key,
          entry.meta,
          entry.headers,
          expiresAt(entry, responseTime)
        )
        return { kind: 'not-modified', entry, originMs }
      }
      // §4.3.4: "If none of the stored responses contain the same strong validator, then the
      // cache MUST NOT use the new response to update any stored responses." Nor may a client
      // that sent no condition get the 304: ask again, unconditionally.
      await response.body?.cancel()
      return this.#runFill(request, undefined, purgeSeq)
    }

    const decision = canStore({
      method: 'GET',
      requestHeaders,
      status: response.status,
      responseHeaders: response.headers,
      allowSetCookie: request.allowSetCookie,
    })
    const fields = varyFields(response.headers)
    if (!decision.ok || fields === '*' || !this.#mayStore(request, response.headers)) {
      const headers = stripHopByHop(response.headers)
      return {
        kind: 'pass',
        response: new Response(response.body, { status: response.status, headers }),
        originMs,
      }
    }
    const meta: EntryMeta = {
      status: response.status,
      requestTime,
      responseTime,
      vary: fields,
      varyKey: secondaryKey(fields, requestHeaders),
      tags: cacheTags(response.headers),
      purgeSeq,
      zone: request.purge.zone,
    }
    const headers = headersToStore(response.headers, decision.directives)
    headers.delete('cache-status')
    headers.delete('server-timing')
    const entry: TierEntry = {
      key: variantKey(request.key, meta.varyKey),
      meta,
      headers: [...headers],
      bodyId: crypto.randomUUID(),
      size: 0,
      chunks: 0,
    }
    const progress = new BodyProgress()
    const body = response.body ?? new ReadableStream({ start: (c) => c.close() })
    // Admission before the first byte when the length is known; checked again at commit.
    const length = Number(response.headers.get('content-length') ?? Number.NaN)
    const resident = this.#isResident(request, response.headers)
    const placement = Number.isSafeInteger(length) ? this.#place(length, resident) : undefined
    const admitted =
      placement?.kind !== 'not-stored' &&
      (!Number.isSafeInteger(length) || this.#plan({ key: entry.key, size: length }).admit)
    const written = this.#bodies.write(entry.bodyId, body, progress).then(() => {
      entry.size = progress.size
      entry.chunks = progress.chunks
      if (!admitted || !this.#commit(request.key, entry, resident)) this.#discard(entry.bodyId)
    })
    this.ctx.waitUntil(
      written.catch((error: unknown) => console.error('tier: body fill failed', request.key, error))
    )
    return {
      kind: 'stored',
      entry,
      progress,
      originMs,
      admitted,
      detail: placement && 'detail' in placement ? placement.detail : undefined,
      leaderHeaders: [...leaderHeaders(response.headers)],
    }
  }

  /** Would a body of this size be admitted now, and which entries would make room for it? */
  #plan(candidate: Sized) {
    const used = this.#store.usage().bytes - this.#store.sizeOf(candidate.key)
    return planAdmission(candidate, used, this.#budget, this.#store.byLastAccess(), (key) =>
      this.#sketch.estimate(primaryOf(key))
    )
  }

  /**
   * Stores a completely written body as the entry, evicting victims to stay within budget.
   * @param resident whether a residency rule pins the content to this shard's region
   * @returns false when it lost admission or may not be kept (the caller discards the body)
   */
  #commit(primaryKey: string, entry: TierEntry, resident: boolean): boolean {
    const placement = this.#place(entry.size, resident)
    if (placement.kind === 'not-stored') return false
    const plan = this.#plan({ key: entry.key, size: entry.size })
    if (!plan.admit) return false
    for (const victim of plan.evict) this.#evict(victim.key)
    const now = Date.now()
    const expires = expiresAt(entry, now)
    const previous = this.#store.commit(primaryKey, entry, now, expires)
    if (previous) this.#bodies.release(previous)
    // Whatever else happened meanwhile, committed bytes never stay over budget.
    const { bytes } = this.#store.usage()
    if (bytes > this.#budget) {
      const others = [...this.#store.byLastAccess()].filter((v) => v.key !== entry.key)
      for (const victim of overBudget(bytes, this.#budget, others)) this.#evict(victim.key)
    }
    this.ctx.waitUntil(this.#scheduleSweep(expires, now))
    if (placement.kind === 'bucket') {
      const residency = resident ? (this.#region ?? '') : ''
      const moved = this.#bodies.moveToR2(
        entry.bodyId,
        entry.size,
        entry.chunks,
        placement.binding,
        {
          url: primaryKey,
          residency,
        }
      )
      this.ctx.waitUntil(
        moved.catch((error: unknown) => console.error('tier: R2 move failed', entry.key, error))
      )
    }
    return true
  }

  #evict(key: string): void {
    const body = this.#store.deleteVariant(key)
    if (body) this.#bodies.release(body)
    this.#store.deleteOrphanVary(primaryOf(key))
  }

  /**
   * Drops a body that was streamed but not kept. Waiters that joined the fill call `read`
   * within the same turn of the event loop, so release after it: their reads hold the body.
   */
  #discard(bodyId: string): void {
    setTimeout(() => this.#bodies.release(bodyId), 0)
  }

  /** Sets the sweep alarm no later than the given expiry. */
  async #scheduleSweep(expires: number, now: number): Promise<void> {
    const at = sweepAt(expires, now)
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > at) await this.ctx.storage.setAlarm(at)
  }

  /**
   * The client's byte range of a large body, answered here instead of streaming the whole body
   * to the edge to be cut: from the rows that hold it, or, while the fill is still far from it,
   * from the origin (the fill goes on). Undefined: the body is answered whole (small, length
   * unknown, no single range, If-Range not matching).
   */
  async #partial(
    request: TierRequest,
    entry: TierEntry,
    progress: BodyProgress,
    status: CacheStatusEntry,
    timing: { tierMs: number; originMs?: number }
  ): Promise<Response | undefined> {
    const wanted = request.range
    const size = progress.done ? progress.size : declaredLength(entry.headers)
    if (!wanted || size === undefined || size <= wanted.minSize) return undefined
    // RFC 9110 §14.2: ranges are of a 200's content; other statuses are answered whole.
    if (entry.meta.status !== 200) return undefined
    const headers = servedHeaders(entry)
    const requestHeaders = new Headers({ range: wanted.value })
    if (wanted.ifRange !== undefined) requestHeaders.set('if-range', wanted.ifRange)
    const decision = decideRange('GET', requestHeaders, size, headers)
    if (decision.kind === 'unsatisfiable') {
      const answer = new Headers({ 'content-range': `bytes */${size}` })
      return withStatus(new Response(null, { status: 416, headers: answer }), status, timing)
    }
    if (decision.kind !== 'partial') return undefined
    const span = { start: decision.start, end: decision.end }
    if (!progress.done && span.start >= progress.size + RANGE_WAIT_BYTES) {
      status.detail = 'range-from-origin'
      return this.#rangeFromOrigin(request, span, size, status, timing)
    }
    headers.set('content-range', contentRange(span.start, span.end, size))
    headers.set('content-length', String(span.end - span.start + 1))
    const body = this.#bodies.read(entry.bodyId, progress, span)
    return withStatus(new Response(body, { status: 206, headers }), status, timing)
  }

  /** A range the fill has not reached, fetched from the origin for this request alone. */
  async #rangeFromOrigin(
    request: TierRequest,
    span: ByteSpan,
    size: number,
    status: CacheStatusEntry,
    timing: { tierMs: number; originMs?: number }
  ): Promise<Response> {
    const headers = new Headers(request.headers)
    headers.set('range', `bytes=${span.start}-${span.end}`)
    const started = Date.now()
    try {
      const response = await this.#origin(request).fetch(originGet(request, headers))
      const answer = stripHopByHop(response.headers)
      const took = { ...timing, originMs: Date.now() - started }
      if (response.status !== 200 || !response.body) {
        return withStatus(
          new Response(response.body, { status: response.status, headers: answer }),
          status,
          took
        )
      }
      // An origin that ignores Range sends the whole body: cut it here.
      answer.set('content-range', contentRange(span.start, span.end, size))
      answer.set('content-length', String(span.end - span.start + 1))
      const body = sliceStream(response.body, span.start, span.end)
      return withStatus(new Response(body, { status: 206, headers: answer }), status, took)
    } catch (error) {
      return withStatus(originFailureResponse(error), status, timing)
    }
  }

  /** Fetches for one waiter alone, when the shared response could not be shared. */
  async #pass(request: TierRequest, status: CacheStatusEntry, started: number) {
    const origin = this.#origin(request)
    const originStarted = Date.now()
    status.collapsed = undefined
    try {
      const response = await origin.fetch(originGet(request, new Headers(request.headers)))
      status.fwdStatus = response.status
      const headers = stripHopByHop(response.headers)
      return withStatus(new Response(response.body, { status: response.status, headers }), status, {
        tierMs: Date.now() - started,
        originMs: Date.now() - originStarted,
      })
    } catch (error) {
      return withStatus(originFailureResponse(error), status, {
        tierMs: Date.now() - started,
        originMs: Date.now() - originStarted,
      })
    }
  }

  /**
   * The request's origin (or pool), reading the bucket of the content's residency region, with
   * retries and this shard's breaker for it.
   */
  #origin(request: TierRequest): Origin {
    const region = request.residency?.region
    const deps = originDependencies(this.env, request.grants, timeout(this.env))
    const build = (spec: OriginSpec, name?: string) =>
      chaosOrigin(selectOrigin(spec, deps, region), name, request.chaos)
    const down = () => this.#downMembers(request)
    return varyingOn(
      targetOrigin(request.origin, request.key, region, this.#breakers, build, { down }),
      request.cacheKeyHeaders
    )
  }

  /** Pool members out by the region's monitors or by a chaos drill. */
  async #downMembers(request: TierRequest): Promise<ReadonlySet<string>> {
    const drilled = drilledDown(request.chaos, Date.now())
    if (!isMonitored(request.origin)) return new Set(drilled)
    return new Set([...(await this.#monitors.down(request.purge.zone, Date.now())), ...drilled])
  }

  get #restores(): RestoresStore {
    this.#restoresStore ??= new RestoresStore(this.ctx.storage.sql)
    return this.#restoresStore
  }

  #hit(entry: TierEntry, status: CacheStatusEntry, started: number): Response {
    return this.#answer(this.#complete(entry), this.#storedBody(entry), status, {
      tierMs: Date.now() - started,
    })
  }

  #storedBody(entry: TierEntry): ReadableStream<Uint8Array> {
    return this.#bodies.read(entry.bodyId, BodyProgress.complete(entry.chunks, entry.size))
  }

  /** A stored body's length is known even when the origin streamed it without one. */
  #complete(entry: TierEntry): TierEntry {
    const headers = entry.headers.filter(([name]) => name !== 'content-length')
    headers.push(['content-length', String(entry.size)])
    return { ...entry, headers }
  }

  #answer(
    entry: TierEntry,
    body: ReadableStream<Uint8Array>,
    status: CacheStatusEntry,
    timing: { tierMs: number; originMs?: number }
  ): Response {
    const headers = servedHeaders(entry)
    const nullBody = entry.meta.status === 204 || entry.meta.status === 304
    if (nullBody) void body.cancel()
    return withStatus(
      new Response(nullBody ? null : body, { status: entry.meta.status, headers }),
      status,
      timing
    )
  }

  /**
   * Defence in depth: whatever the caller says, content pinned to another region (by path or
   * by tag) is passed through, never stored. A shard that cannot tell its region stores no
   * resident content at all.
   */
  #mayStore(request: TierRequest, headers: Headers): boolean {
    const region = this.#region ?? ''
    if (!mayStoreIn(request.residency, region)) return false
    const byTag = residencyForTags(request.rules, cacheTags(headers), region)
    return byTag.kind === 'open' || byTag.kind === 'in-region'
  }

  /** Is content this shard may store pinned to its region (by path or by tag)? */
  #isResident(request: TierRequest, headers: Headers): boolean {
    if (request.residency) return true
    return residencyForTags(request.rules, cacheTags(headers), this.#region ?? '').kind !== 'open'
  }

  #place(size: number, resident: boolean): BodyPlacement {
    return placeBody(size, this.#r2Threshold, resident, this.#buckets)
  }

  #canServeStale(entry: TierEntry, request: TierRequest): boolean {
    return canServeStaleOnError(storedView(entry), new Headers(request.headers), Date.now())
  }
}

/** RFC 9111 §5.2.1.7: only-if-cached without a usable stored response → 504. */
function notCached(status: CacheStatusEntry): Response {
  const response = errorResponse(504, 'not_cached', 'only-if-cached: no stored response to serve')
  addCacheStatus(response.headers, status)
  return response
}

/** An entry's stored fields with its current Age, as it is served now. */
function servedHeaders(entry: TierEntry): Headers {
  const headers = new Headers(entry.headers)
  const stored = storedView(entry)
  headers.set(
    'age',
    String(currentAge(stored.headers, stored.requestTime, stored.responseTime, Date.now()))
  )
  return headers
}

function storedView(entry: TierEntry) {
  return {
    status: entry.meta.status,
    headers: new Headers(entry.headers),
    requestTime: entry.meta.requestTime,
    responseTime: entry.meta.responseTime,
  }
}

function withStatus(
  response: Response,
  status: CacheStatusEntry,
  timing: { tierMs: number; originMs?: number }
): Response {
  const headers = new Headers(response.headers)
  addCacheStatus(headers, status)
  appendServerTiming(headers, 'tier', timing.tierMs)
  if (timing.originMs !== undefined) appendServerTiming(headers, 'origin', timing.originMs)
  return new Response(response.body, { status: response.status, headers })
}

/** The primary key of a variant key (`primary\nvary`). */
function primaryOf(key: string): string {
  const end = key.indexOf('\n')
  return end < 0 ? key : key.slice(0, end)
}

/** The origin's fields as the request that caused a fill gets them (our own fields are redone). */
function leaderHeaders(origin: Headers): Headers {
  const headers = stripHopByHop(origin)
  headers.delete('cache-status')
  headers.delete('server-timing')
  return headers
}

/** The GET a shard sends its origin for `request`, with these headers. */
function originGet(request: TierRequest, headers: Headers): OriginRequest {
  return {
    method: 'GET',
    path: request.originPath,
    search: request.search,
    headers,
    clientHost: new URL(request.key).host,
  }
}

/** The Content-Length a response declared, if any. */
function declaredLength(headers: [string, string][]): number | undefined {
  const value = headers.find(([name]) => name === 'content-length')?.[1]
  const length = Number(value ?? Number.NaN)
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined
}

/**
 * How long a stale entry is kept for conditional revalidation (it has a validator) or for an
 * origin outage (nothing forbids serving it stale).
 */
const REVALIDATION_GRACE_SECONDS = 24 * 3600

/**
 * When an entry stops being of any use: past its freshness lifetime and its stale windows
 * (stale-while-revalidate, stale-if-error), plus a grace period when it has a validator,
 * since a stale entry with an ETag or Last-Modified can still be revalidated with a 304, or
 * when it may be served stale while its origin is out.
 */
function expiresAt(entry: TierEntry, now: number): number {
  const view = storedView(entry)
  const { directives, ttl } = entryFreshness(view, now)
  const stale = Math.max(directives.staleWhileRevalidate ?? 0, directives.staleIfError ?? 0)
  const revalidatable = view.headers.has('etag') || view.headers.has('last-modified')
  // A copy that may be served stale is also kept for an origin outage (edge-cache/origin-down.ts).
  const grace = revalidatable || !forbidsStale(directives) ? REVALIDATION_GRACE_SECONDS : 0
  return now + (Math.max(0, ttl + stale) + grace) * 1000
}

/** The next sweep: at the next expiry, but at least every SWEEP_INTERVAL_MS. */
function sweepAt(expiry: number, now: number): number {
  return Math.max(now, Math.min(expiry, now + SWEEP_INTERVAL_MS))
}

async function waitForBody(progress: BodyProgress): Promise<void> {
  while (!progress.done && progress.error === undefined) await progress.next()
}

function timeout(env: Env): number {
  const ms = Number(env.ORIGIN_TIMEOUT_MS)
  return Number.isFinite(ms) && ms > 0 ? ms : 10_000
}

/** `Cache-Status` detail naming the pool member that answered a fill, if a pool did. */
function memberDetail(headers: [string, string][]): string | undefined {
  const member = headers.find(([name]) => name === ORIGIN_MEMBER_FIELD)?.[1]
  return member === undefined ? undefined : `origin=${member}`
}
