/**
 * @module tier/fill
 * Filling a shard from the origin, one fetch per key however many requests miss at once: the
 * first miss leads (tier/single-flight.ts) and the others join it and stream the body the
 * leader's fill writes, as it arrives (read-while-writer, tier/bodies.ts). A fill revalidates a
 * stale entry with the origin (a matching 304 refreshes it), stores what RFC 9111 and the
 * residency rules let this shard store, subject to admission (tier/capacity.ts), and passes the
 * rest to the request that started it.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.3
 */

import { ArchivedObjectError, CircuitOpenError, OriginError } from '../../origin/errors'
import type { Origin, OriginRequest } from '../../origin/types'
import type { Clock } from '../clock'
import { discard } from '../discard'
import {
  addReceivedDate,
  cacheTags,
  canStore,
  conditionalRequestHeaders,
  stripHopByHop,
  varyFields,
} from '../policy'
import { contentLength } from '../policy/content-length'
import { mayStoreIn, residencyForTags } from '../residency'
import { logError } from '../tracing/log'
import { type Bodies, BodyProgress } from './bodies'
import { expiresAt, type ShardCapacity } from './capacity'
import { type TierRequest, tierRequestTrace } from './protocol'
import { restoreArchived } from './restore-archived'
import type { RestoresStore } from './restores-store'
import { originGet } from './shard-origins'
import { SingleFlight } from './single-flight'
import { leaderHeaders, mergeRevalidation, newEntry } from './stored-entry'
import type { TierEntry, TierStore } from './tier-store'

export type FillOutcome =
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
  /**
   * Not stored: streamed to the request that started the fill only (its body belongs to that
   * request); requests that joined fetch their own.
   */
  | { kind: 'pass'; response: Response; originMs: number }
  | { kind: 'failed'; error: unknown; originMs: number }

/** What a fill reads, writes and fetches with. */
export interface FillParts {
  store: TierStore
  bodies: Bodies
  capacity: ShardCapacity
  clock: Clock
  /** The shard's region, when its name tells it. */
  region: string | undefined
  restores(): RestoresStore
  originFor(request: TierRequest): Origin
  /**
   * How long the request's origin may stay silent mid-body before the fill gives up: every
   * request for the key joins the fill, so a body that stalls must not hold them forever.
   */
  originTimeoutMs(request: TierRequest): number
  waitUntil(promise: Promise<unknown>): void
}

/**
 * Statuses that answer only what a fill never asks on its own: 206 a range request (RFC 9110
 * §15.3.7), 304 a conditional one (§15.4.5).
 */
const UNASKED_STATUSES = new Map([
  [206, 'a Range'],
  [304, 'a condition'],
])

/** The fills in flight on a shard, one per variant key. */
export class ShardFills {
  readonly #parts: FillParts
  /** A stored body stays joinable until it is completely written and committed. */
  readonly #flights = new SingleFlight<FillOutcome>((outcome) =>
    outcome.kind === 'stored' ? bodyWritten(outcome.progress) : undefined
  )

  constructor(parts: FillParts) {
    this.#parts = parts
  }

  /**
   * Joins the fill in flight for `key`, or starts one.
   * @param stale the stored entry to revalidate, if any
   * @param purgeSeq the zone's purge sequence the new entry is stored at
   */
  join(
    request: TierRequest,
    key: string,
    stale: TierEntry | undefined,
    purgeSeq: number
  ): { outcome: Promise<FillOutcome>; collapsed: boolean } {
    const { result, joined } = this.#flights.run(key, () =>
      runFill(this.#parts, request, stale, purgeSeq)
    )
    return { outcome: result, collapsed: joined }
  }
}

/** Resolves once the body's writer is done, complete or failed. */
export async function bodyWritten(progress: BodyProgress): Promise<void> {
  while (!progress.done && progress.error === undefined) await progress.next()
}

/** The request's own fields plus the stale entry's validators (RFC 9111 §4.3.1). */
export function revalidationHeaders(request: Headers, stale: TierEntry | undefined): Headers {
  const headers = new Headers(request)
  if (!stale) return headers
  for (const [name, value] of conditionalRequestHeaders(new Headers(stale.headers))) {
    headers.set(name, value)
  }
  return headers
}

/**
 * Defence in depth: whatever the caller says, content pinned to another region (by path or by
 * tag) is passed through, never stored. A shard that cannot tell its region stores no resident
 * content at all.
 */
export function mayStoreHere(
  request: TierRequest,
  headers: Headers,
  region: string | undefined
): boolean {
  if (!mayStoreIn(request.residency, region ?? '')) return false
  const byTag = residencyForTags(request.rules, cacheTags(headers), region ?? '')
  return byTag.kind === 'open' || byTag.kind === 'in-region'
}

/** Is content this shard may store pinned to its region (by path or by tag)? */
export function isResidentHere(
  request: TierRequest,
  headers: Headers,
  region: string | undefined
): boolean {
  if (request.residency) return true
  return residencyForTags(request.rules, cacheTags(headers), region ?? '').kind !== 'open'
}

async function runFill(
  parts: FillParts,
  request: TierRequest,
  stale: TierEntry | undefined,
  purgeSeq: number
): Promise<FillOutcome> {
  const origin = parts.originFor(request)
  const requestHeaders = new Headers(request.headers)
  const originRequest = originGet(request, revalidationHeaders(requestHeaders, stale))
  const requestTime = parts.clock.now()
  let response: Response
  try {
    response = await origin.fetch(originRequest)
  } catch (error) {
    const failure = await fillFailure(parts, request, origin, originRequest, error)
    return { kind: 'failed', error: failure, originMs: parts.clock.now() - requestTime }
  }
  const responseTime = parts.clock.now()
  const originMs = responseTime - requestTime

  if (stale && response.status === 304) {
    const entry = mergeRevalidation(stale, response.headers, requestTime, responseTime)
    if (entry) {
      const expires = expiresAt(entry, responseTime)
      parts.store.updateHeaders(entry.key, entry.meta, entry.headers, expires)
      return { kind: 'not-modified', entry, originMs }
    }
    // Nor may a client that sent no condition get a 304 that updates nothing: ask again,
    // unconditionally.
    await discard(response.body)
    return runFill(parts, request, undefined, purgeSeq)
  }
  const unasked = UNASKED_STATUSES.get(response.status)
  if (unasked) {
    // An answer to a question the tier did not ask (it sends neither a condition without a
    // stale entry nor a Range: the client's are answered below the tier) says nothing about
    // the representation it wants: a broken answer, as Varnish treats an unasked 304, never one
    // to pass to a client that asked for the content.
    await discard(response.body)
    const error = new OriginError(
      'upstream',
      `origin answered ${response.status} to a request without ${unasked}`,
      { status: response.status }
    )
    logError('tier: origin answered unasked', request.key, error, tierRequestTrace(request))
    return { kind: 'failed', error, originMs }
  }
  const decision = canStore({
    method: 'GET',
    requestHeaders,
    status: response.status,
    responseHeaders: response.headers,
    allowSetCookie: request.allowSetCookie,
  })
  const vary = varyFields(response.headers)
  if (!decision.ok || vary === '*' || !mayStoreHere(request, response.headers, parts.region)) {
    const headers = stripHopByHop(response.headers)
    addReceivedDate(headers, responseTime)
    const passed = new Response(response.body, { status: response.status, headers })
    return { kind: 'pass', response: passed, originMs }
  }
  const entry = newEntry(
    {
      key: request.key,
      requestHeaders,
      status: response.status,
      responseHeaders: response.headers,
      directives: decision.directives,
      vary,
      requestTime,
      responseTime,
      purgeSeq,
      zone: request.purge.zone,
    },
    crypto.randomUUID()
  )
  return storeBody(parts, request, response, entry, originMs)
}

/**
 * What a failed origin fetch answers: an archived object starts (or waits for) its restore.
 * An open breaker and an archived object are expected answers, not faults to log.
 */
async function fillFailure(
  parts: FillParts,
  request: TierRequest,
  origin: Origin,
  originRequest: OriginRequest,
  error: unknown
): Promise<unknown> {
  if (!(error instanceof CircuitOpenError || error instanceof ArchivedObjectError)) {
    logError('tier: origin fetch failed', request.key, error, tierRequestTrace(request))
  }
  if (!(error instanceof ArchivedObjectError)) return error
  const { archival } = request
  return restoreArchived(
    error,
    origin,
    originRequest,
    archival,
    parts.restores(),
    parts.clock.now()
  )
}

/**
 * Writes the body into the shard as it arrives, for every waiter to read behind the writer, and
 * commits it once complete if it is admitted (checked before the first byte when the length is
 * known, and again at commit).
 */
function storeBody(
  parts: FillParts,
  request: TierRequest,
  response: Response,
  entry: TierEntry,
  originMs: number
): FillOutcome {
  const { capacity } = parts
  const progress = new BodyProgress()
  const body = response.body ?? new ReadableStream({ start: (c) => c.close() })
  const length = contentLength(response.headers)
  const resident = isResidentHere(request, response.headers, parts.region)
  const placement = length !== undefined ? capacity.place(length, resident) : undefined
  const admitted =
    placement?.kind !== 'not-stored' &&
    (length === undefined || capacity.plan({ key: entry.key, size: length }).admit)
  const silenceMs = parts.originTimeoutMs(request)
  const written = parts.bodies.write(entry.bodyId, body, progress, silenceMs).then(() => {
    entry.size = progress.size
    entry.chunks = progress.chunks
    if (!admitted || !capacity.commit(request.key, entry, resident)) {
      capacity.discard(entry.bodyId)
    }
  })
  parts.waitUntil(
    written.catch((error: unknown) =>
      logError('tier: body fill failed', request.key, error, tierRequestTrace(request))
    )
  )
  return {
    kind: 'stored',
    entry,
    progress,
    originMs,
    admitted,
    detail: placement && 'detail' in placement ? placement.detail : undefined,
    leaderHeaders: [...leaderHeaders(response.headers, entry.meta.responseTime)],
  }
}
