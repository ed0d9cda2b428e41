/**
 * @module tier/serve
 * How a shard answers a GET for a cache key: from its stored entry while fresh (or stale while
 * revalidating in the background, RFC 5861), else from a fill (tier/fill.ts) that revalidates or
 * replaces it; when the origin fails, from the stale entry where the entry allows it.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4
 */
import { originFailureResponse } from '../errors'
import { canServeWhileOriginDown, isOriginDown, ORIGIN_DOWN_DETAIL } from '../origin-down'
import {
  type CacheStatusEntry,
  canServeStaleOnError,
  decideServe,
  isOnlyIfCached,
  type ServeDecision,
  STALE_IF_ERROR_STATUSES,
  stripHopByHop,
} from '../policy'
import { applyPurge } from '../purge/purge-decision'
import type { PurgeIndex } from '../purge/purge-index'
import { secondaryKey } from '../secondary-key'
import { BodyProgress } from './bodies'
import type { FillOutcome, FillParts, ShardFills } from './fill'
import { TIER_CACHE_NAME, type TierRequest } from './protocol'
import { partialAnswer, passedRange, type RangeParts, rangeFields } from './ranges'
import { originGet } from './shard-origins'
import { memberDetail, tierView, withStoredLength } from './stored-entry'
import { entryResponse, notCached, type TierTiming, withStatus } from './tier-response'
import { type TierEntry, variantKey } from './tier-store'

/** What answering a request reads, fills and fetches with. */
export interface ServeParts extends FillParts, RangeParts {
  fills: ShardFills
}

/**
 * @param purgeIndex the zone's purge log as this shard sees it at a time
 * @returns the answer, with the shard's `Cache-Status` and `Server-Timing`
 */
export async function serveRequest(
  parts: ServeParts,
  request: TierRequest,
  purgeIndex: (now: number) => Promise<PurgeIndex>
): Promise<Response> {
  const { store, bodies, clock } = parts
  const started = clock.now()
  const requestHeaders = new Headers(request.headers)
  const fields = store.varyFields(request.key)
  const key = variantKey(request.key, fields ? secondaryKey(fields, requestHeaders) : '')
  const purge = await purgeIndex(started)
  let entry = fields ? store.get(key, started) : undefined
  let decision: ServeDecision | 'miss' = 'miss'
  let purged = false
  if (entry) {
    const stored = tierView(entry)
    // An entry of another zone (a host that moved) is purged for this one: its sequence
    // counts in the other zone's log.
    const foreign = entry.meta.zone !== undefined && entry.meta.zone !== request.purge.zone
    const state = foreign
      ? 'purged'
      : purge.purgeState({ key: request.key, tags: entry.meta.tags, seq: entry.meta.purgeSeq })
    decision = applyPurge(decideServe(stored, requestHeaders, started), state, stored, started)
    if (decision === 'miss') {
      // Purged: delete it now rather than let it wait for the sweep.
      bodies.release(store.deleteVariant(key) ?? entry.bodyId)
      entry = undefined
      purged = true
    }
  }
  const answer = { parts, request, key, started, purgeSeq: purge.seq }

  if (!entry || decision === 'miss') {
    // RFC 9211 §2.2: vary-miss only when the URL has Vary and no variant matches this request's
    // fields (a purge leaves the URL's Vary record behind); a purged entry is a uri-miss, as at L1.
    const fwd = fields?.length && !purged ? 'vary-miss' : 'uri-miss'
    if (isOnlyIfCached(requestHeaders)) return notCached({ cache: TIER_CACHE_NAME, fwd })
    return fromFill(answer, undefined, { cache: TIER_CACHE_NAME, fwd })
  }
  if (decision.action === 'fresh') {
    const status = { cache: TIER_CACHE_NAME, hit: true, ttl: decision.ttl }
    const progress = BodyProgress.complete(entry.chunks, entry.size)
    const timing = { tierMs: clock.now() - started }
    const partial = await partialAnswer(parts, request, entry, progress, status, timing)
    return partial ?? storedAnswer(parts, entry, status, timing)
  }
  if (decision.action === 'stale-while-revalidate') {
    // RFC 5861 §3: serve the stale entry now; one background revalidation per key.
    const { outcome } = parts.fills.join(request, key, entry, purge.seq)
    parts.waitUntil(outcome.then(() => undefined))
    const status = {
      cache: TIER_CACHE_NAME,
      hit: true,
      ttl: decision.ttl,
      detail: 'stale-while-revalidate',
    }
    return storedAnswer(parts, entry, status, { tierMs: clock.now() - started })
  }
  // RFC 9211 §2.2: a response the request's own directives would not accept is fwd=request.
  const fwd = decision.reason === 'request' ? 'request' : 'stale'
  if (isOnlyIfCached(requestHeaders)) return notCached({ cache: TIER_CACHE_NAME, fwd })
  // The stale entry may be answered (304, stale-if-error) after the origin has had its say,
  // whatever an invalidation or purge does to it meanwhile.
  const release = bodies.hold(entry.bodyId)
  try {
    return await fromFill(answer, entry, { cache: TIER_CACHE_NAME, fwd })
  } finally {
    release()
  }
}

/** A request being answered from a fill. */
interface FillAnswer {
  parts: ServeParts
  request: TierRequest
  /** The variant key. */
  key: string
  /** When the shard took the request (ms). */
  started: number
  purgeSeq: number
}

/** Answers from the fill for the key, joining the one in flight or starting one. */
async function fromFill(
  answer: FillAnswer,
  stale: TierEntry | undefined,
  status: CacheStatusEntry
): Promise<Response> {
  const { parts, request, key, started, purgeSeq } = answer
  const fill = parts.fills.join(request, key, stale, purgeSeq)
  const outcome = await fill.outcome
  const timing = { tierMs: parts.clock.now() - started, originMs: outcome.originMs }
  if (fill.collapsed) status.collapsed = true
  switch (outcome.kind) {
    case 'stored':
      return storedFill(answer, outcome, fill.collapsed, status, timing)
    case 'not-modified':
      status.fwdStatus = 304
      return storedAnswer(parts, outcome.entry, status, timing)
    case 'pass': {
      const failed = STALE_IF_ERROR_STATUSES.has(outcome.response.status)
      if (stale && failed && canServeStale(answer, stale)) {
        status.fwdStatus = outcome.response.status
        status.detail = 'stale-if-error'
        return storedAnswer(parts, stale, status, timing)
      }
      // The response body belongs to the request that started the fill: workerd forbids any
      // other request to read it ("Cannot perform I/O on behalf of a different request").
      if (fill.collapsed) return passAlone(answer, status)
      status.fwdStatus = outcome.response.status
      status.detail = memberDetail([...outcome.response.headers])
      const ranged = await passedRange(parts, request, outcome.response, status, timing)
      return ranged ?? withStatus(outcome.response, status, timing)
    }
    case 'failed': {
      // RFC 9111 §4.2.4: disconnected, any stored copy may go out stale unless it forbids it.
      const down = isOriginDown(outcome.error)
      if (stale && down && canServeWhileOriginDown(tierView(stale), parts.clock.now())) {
        status.detail = ORIGIN_DOWN_DETAIL
        return storedAnswer(parts, stale, status, timing)
      }
      if (stale && canServeStale(answer, stale)) {
        status.detail = 'stale-if-error'
        return storedAnswer(parts, stale, status, timing)
      }
      status.detail = 'origin-error'
      return withStatus(originFailureResponse(outcome.error), status, timing)
    }
  }
}

/** Answers from a body the fill is writing: the client's range of it, or all of it. */
async function storedFill(
  { parts, request }: FillAnswer,
  outcome: Extract<FillOutcome, { kind: 'stored' }>,
  collapsed: boolean,
  status: CacheStatusEntry,
  timing: TierTiming
): Promise<Response> {
  const { entry, progress } = outcome
  status.fwdStatus = entry.meta.status
  status.detail = memberDetail(outcome.leaderHeaders)
  if (outcome.admitted) status.stored = true
  else status.detail = 'not-admitted'
  if (outcome.detail) status.detail = outcome.detail
  const partial = await partialAnswer(parts, request, entry, progress, status, timing)
  if (partial) return partial
  const body = parts.bodies.read(entry.bodyId, progress)
  const answered = collapsed ? entry : { ...entry, headers: outcome.leaderHeaders }
  return entryResponse(answered, body, status, timing, parts.clock.now())
}

/** A complete stored entry as the answer. */
function storedAnswer(
  parts: ServeParts,
  entry: TierEntry,
  status: CacheStatusEntry,
  timing: TierTiming
): Response {
  const body = parts.bodies.read(entry.bodyId, BodyProgress.complete(entry.chunks, entry.size))
  return entryResponse(withStoredLength(entry), body, status, timing, parts.clock.now())
}

function canServeStale({ parts, request }: FillAnswer, stale: TierEntry): boolean {
  const headers = new Headers(request.headers)
  return canServeStaleOnError(tierView(stale), headers, parts.clock.now())
}

/** Fetches for one waiter alone, when the shared response could not be shared. */
async function passAlone(answer: FillAnswer, status: CacheStatusEntry): Promise<Response> {
  const { parts, request, started } = answer
  const origin = parts.originFor(request)
  const originStarted = parts.clock.now()
  const timing = () => ({
    tierMs: parts.clock.now() - started,
    originMs: parts.clock.now() - originStarted,
  })
  status.collapsed = undefined
  // Known not to be stored: the client's range goes to the origin as it is.
  const headers = new Headers(request.headers)
  if (request.range) {
    for (const [name, value] of rangeFields(request.range)) headers.set(name, value)
  }
  try {
    const response = await origin.fetch(originGet(request, headers))
    status.fwdStatus = response.status
    const passed = new Response(response.body, {
      status: response.status,
      headers: stripHopByHop(response.headers),
    })
    return withStatus(passed, status, timing())
  } catch (error) {
    return withStatus(originFailureResponse(error), status, timing())
  }
}
