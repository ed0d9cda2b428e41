/**
 * @module edge
 * The edge's request path: L1 (this PoP's Cache API) → the regional tier shard → the origin.
 * Everything it talks to comes in as narrow dependencies, so the same path runs in the Worker,
 * in tests and in benchmarks.
 */
import { dropUnkeyedOverrides } from '../origin/poisoning-headers'
import type { Origin } from '../origin/types'
import { answerClient } from './answer'
import type { EntryMeta } from './entry'
import { errorResponse, originFailureResponse } from './errors'
import { cacheKey } from './key'
import {
  type CacheStatusEntry,
  cacheGroupInvalidation,
  cacheTags,
  canServeStaleOnError,
  canStore,
  currentAge,
  decideServe,
  entryFreshness,
  headersToStore,
  invalidationTargets,
  isOnlyIfCached,
  normalizeAcceptEncoding,
  STALE_IF_ERROR_STATUSES,
  stripHopByHop,
  varyFields,
} from './policy'
import { applyPurge } from './purge/purge-decision'
import type { PurgeIndex } from './purge/purge-index'
import {
  type Residency,
  type ResidencyDecision,
  type ResidencyRule,
  residencyForTags,
} from './residency'
import { secondaryKey } from './secondary-key'
import { addCacheStatus, appendServerTiming } from './status-headers'
import type { L1Cache, L1Lookup, StoredEntry } from './store/l1'
import { l1Fills } from './store/l1-fills'
import { l1Verified } from './store/l1-verified'
import type { TierRequest } from './tier/protocol'
import { EDGE_L1_FIELD, edgeL1Refusal } from './tier/protocol'

/** This cache's name in `Cache-Status`. */
export const L1_CACHE_NAME = 'edge-l1'

/**
 * Largest body L1 stores while streaming it to the client. The copy for the cache is a tee
 * branch, and a tee buffers whatever the slower branch has not read, so an unbounded object and
 * a slow client could fill the isolate's 128 MB. Larger objects are served from the tier, which
 * streams them from storage at each reader's own pace.
 */
export const L1_MAX_STREAMED_BYTES = 16 * 1024 * 1024

/** Request fields the edge answers itself from a full response; never sent up the tiers. */
const CLIENT_ONLY_FIELDS = [
  'range',
  'if-range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
]

export interface EdgeDependencies {
  l1: L1Cache
  /** Calls the tier shard that owns `request.key`; rejects when the shard is unreachable. */
  tier(request: TierRequest): Promise<Response>
  /** Drops URLs (primary keys) from the region's tier shards. */
  invalidateTier(keys: string[]): Promise<void>
  /** Appends tag purges to the zone's purge log (RFC 9875 group invalidation). */
  purgeTags(tags: string[]): Promise<void>
  /** The route's origin, for uncached methods and when the tier is down. */
  origin(): Origin
  waitUntil(promise: Promise<unknown>): void
  now(): number
  /** This isolate's view of the zone's purge log. */
  purge: PurgeIndex
}

export interface EdgeRequest {
  request: Request
  zone: string
  key: string
  originPath: string
  search: string
  tier: Omit<
    TierRequest,
    'key' | 'headers' | 'originPath' | 'search' | 'residency' | 'rules' | 'purge'
  >
  /** The zone's residency rules, for tag rules applied to responses. */
  rules: readonly ResidencyRule[]
  bypass: boolean
  /** False: L1 only, misses go from the PoP straight to the origin. */
  tiered: boolean
  /** The region of the PoP the request entered (from `request.cf`). */
  clientRegion: string
  /** The path-based residency decision, made before any lookup. */
  residency: ResidencyDecision
  /** Compress identity text answers for clients that accept br or gzip (policy/encoding.ts). */
  compression: boolean
}

/**
 * Serves one request through the cache hierarchy.
 * @returns the client's response, with `Cache-Status` and `Server-Timing`
 */
export async function serveFromEdge(edge: EdgeRequest, deps: EdgeDependencies): Promise<Response> {
  const started = deps.now()
  const { request } = edge
  const requestHeaders = stripHopByHop(request.headers)
  // One spelling per set of accepted codings: the secondary key, the tier's and the origin's
  // view of the client (so an origin varying on it answers in a coding the client takes).
  requestHeaders.set(
    'accept-encoding',
    normalizeAcceptEncoding(request.headers.get('accept-encoding'))
  )
  if (edge.residency.kind === 'refuse') return unavailableHere(edge.residency.residency)
  if (edge.bypass || (request.method !== 'GET' && request.method !== 'HEAD')) {
    const fwd = edge.bypass ? 'bypass' : 'method'
    return passToOrigin(edge, requestHeaders, { cache: L1_CACHE_NAME, fwd }, deps, started)
  }

  // Content resident in another region is never looked up or stored at this PoP.
  const lookup: L1Lookup =
    edge.residency.kind === 'via-home-tier'
      ? { miss: 'uri-miss' }
      : await deps.l1.get(edge.key, (fields) => secondaryKey(fields, requestHeaders))
  let stale: StoredEntry | undefined
  let forwarded: 'stale' | 'request' | 'uri-miss' = 'stale'
  if ('entry' in lookup) {
    const { entry } = lookup
    const view = storedView(entry)
    // An entry stored for another zone (its host has moved, e.g. from the catch-all) counts its
    // purge sequence in that zone's log: it is gone for this one.
    const foreign = entry.meta.zone !== undefined && entry.meta.zone !== edge.zone
    const purge = foreign
      ? 'purged'
      : deps.purge.purgeState({ key: edge.key, tags: entry.meta.tags, seq: entry.meta.purgeSeq })
    const decision = applyPurge(decideServe(view, requestHeaders, started), purge, view, started)
    if (decision === 'miss') {
      void entry.body?.cancel()
      forwarded = 'uri-miss'
    } else if (decision.action === 'fresh') {
      const status = { cache: L1_CACHE_NAME, hit: true, ttl: decision.ttl }
      return fromEntry(entry, edge, requestHeaders, status, deps, started)
    } else if (decision.action === 'stale-while-revalidate') {
      deps.waitUntil(refresh(edge, requestHeaders, deps))
      const status = {
        cache: L1_CACHE_NAME,
        hit: true,
        ttl: decision.ttl,
        detail: 'stale-while-revalidate',
      }
      return fromEntry(entry, edge, requestHeaders, status, deps, started)
    } else {
      stale = entry
      // RFC 9211 §2.2: a response the request's own directives would not accept is fwd=request.
      if (decision.reason === 'request') forwarded = 'request'
    }
  }
  const status: CacheStatusEntry = {
    cache: L1_CACHE_NAME,
    fwd: 'miss' in lookup ? lookup.miss : forwarded,
  }
  if (forwarded === 'uri-miss') status.detail = 'purged'
  const fillKey = `${deps.l1.name}\n${edge.key}`
  if ('miss' in lookup) {
    const collapsed = await fromConcurrentFill(fillKey, edge, requestHeaders, deps, started)
    if (collapsed) return collapsed
  }
  // This request fills L1 for the key; concurrent misses in this isolate wait for it.
  const finishFill = l1Fills.filling(fillKey) ? undefined : l1Fills.begin(fillKey)
  let filled: Promise<boolean> = Promise.resolve(false)
  try {
    const upstream = await fetchUpstream(edge, requestHeaders, deps)
    if (upstream.tierDown) status.detail = 'tier-unavailable'
    const response = upstream.response
    if (
      stale &&
      STALE_IF_ERROR_STATUSES.has(response.status) &&
      canServeStaleOnError(storedView(stale), requestHeaders, deps.now())
    ) {
      void response.body?.cancel()
      status.fwdStatus = response.status
      status.detail = 'stale-if-error'
      return fromEntry(stale, edge, requestHeaders, status, deps, started)
    }
    void stale?.body?.cancel()
    const byTag = residencyForTags(edge.rules, cacheTags(response.headers), edge.clientRegion)
    if (byTag.kind === 'refuse') {
      void response.body?.cancel()
      return unavailableHere(byTag.residency)
    }
    status.fwdStatus = response.status
    const l1 = storeInL1(edge, requestHeaders, response, upstream.requestTime, status, deps)
    filled = l1.stored
    const body = l1.body
    const length = Number(response.headers.get('content-length') ?? Number.NaN)
    const full = {
      status: response.status,
      headers: new Headers(response.headers),
      body,
      size: Number.isSafeInteger(length) ? length : undefined,
    }
    full.headers.delete(EDGE_L1_FIELD)
    addCacheStatus(full.headers, status)
    appendServerTiming(full.headers, 'edge', deps.now() - started)
    return answerClient(full, request.method, requestHeaders, edge.compression)
  } finally {
    if (finishFill) void filled.then(finishFill)
  }
}

/**
 * Waits for another request of this isolate that is filling L1 with the same key, then serves
 * what it stored (`collapsed`). Undefined when there is none, or it stored nothing usable.
 */
async function fromConcurrentFill(
  fillKey: string,
  edge: EdgeRequest,
  requestHeaders: Headers,
  deps: EdgeDependencies,
  started: number
): Promise<Response | undefined> {
  const pending = l1Fills.waitFor(fillKey)
  if (!pending || !(await pending)) return undefined
  const lookup = await deps.l1.get(edge.key, (fields) => secondaryKey(fields, requestHeaders))
  if (!('entry' in lookup)) return undefined
  const decision = decideServe(storedView(lookup.entry), requestHeaders, deps.now())
  if (decision.action !== 'fresh') {
    void lookup.entry.body?.cancel()
    return undefined
  }
  const status = { cache: L1_CACHE_NAME, hit: true, ttl: decision.ttl, collapsed: true }
  return fromEntry(lookup.entry, edge, requestHeaders, status, deps, started)
}

/**
 * Fetches a full response from the tier, or straight from the origin when the route has no tier
 * or the tier is down.
 */
async function fetchUpstream(
  edge: EdgeRequest,
  requestHeaders: Headers,
  deps: EdgeDependencies
): Promise<{ response: Response; requestTime: number; tierDown: boolean }> {
  const headers = new Headers(requestHeaders)
  for (const name of CLIENT_ONLY_FIELDS) headers.delete(name)
  // A cacheable request never carries unkeyed override fields upstream (cache poisoning).
  dropUnkeyedOverrides(headers, edge.tier.cacheKeyHeaders)
  const requestTime = deps.now()
  if (!edge.tiered) {
    const response = await originResponse(edge, 'GET', headers, deps)
    return { response, requestTime, tierDown: false }
  }
  try {
    const response = await deps.tier({
      ...edge.tier,
      residency: residencyOf(edge.residency),
      rules: [...edge.rules],
      purge: { zone: edge.zone, minSeq: deps.purge.seq },
      key: edge.key,
      headers: [...headers],
      originPath: edge.originPath,
      search: edge.search,
      range: rangeForTier(edge.request.method, requestHeaders),
    })
    return { response, requestTime, tierDown: false }
  } catch (error) {
    // No request fails because a tier is gone: degrade to edge → origin.
    console.error('edge: tier unreachable, going to origin', edge.key, error)
    if (isOnlyIfCached(requestHeaders)) {
      // RFC 9111 §5.2.1.7: nothing stored is reachable, so 504 rather than the origin.
      const response = errorResponse(504, 'not_cached', 'only-if-cached: no stored response')
      return { response, requestTime, tierDown: true }
    }
    const response = await originResponse(edge, 'GET', headers, deps)
    return { response, requestTime, tierDown: true }
  }
}

/**
 * The client's Range for the tier to answer on bodies too large for L1 (tier/protocol.ts), so a
 * range deep into a large object does not stream everything before it. Only a plain GET range:
 * with a conditional, the edge answers from the full response as for any other size.
 */
function rangeForTier(method: string, headers: Headers): TierRequest['range'] {
  const value = headers.get('range')
  if (method !== 'GET' || value === null) return undefined
  const conditional = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']
  if (conditional.some((name) => headers.has(name))) return undefined
  return { value, ifRange: headers.get('if-range') ?? undefined, minSize: L1_MAX_STREAMED_BYTES }
}

/** Revalidates a stale L1 entry in the background (stale-while-revalidate). */
async function refresh(edge: EdgeRequest, requestHeaders: Headers, deps: EdgeDependencies) {
  const upstream = await fetchUpstream(edge, requestHeaders, deps)
  const status: CacheStatusEntry = { cache: L1_CACHE_NAME }
  const { body } = storeInL1(
    edge,
    requestHeaders,
    upstream.response,
    upstream.requestTime,
    status,
    deps
  )
  await body?.cancel()
}

/**
 * Stores the response in L1 when the policy allows and it stays usable for a while.
 * @returns the body the client should read (a tee branch when stored)
 */
function storeInL1(
  edge: EdgeRequest,
  requestHeaders: Headers,
  response: Response,
  requestTime: number,
  status: CacheStatusEntry,
  deps: EdgeDependencies
): L1Store {
  const decision = canStore({
    method: 'GET',
    requestHeaders,
    status: response.status,
    responseHeaders: response.headers,
    allowSetCookie: edge.tier.allowSetCookie,
  })
  const fields = varyFields(response.headers)
  // A part the tier answered (206, 416) is this client's alone: L1 keeps full responses only.
  const whole = response.status !== 206 && response.status !== 416
  if (!decision.ok || fields === '*' || !response.body || !whole) return notStored(response.body)
  if (!mayStoreHere(edge, response.headers)) {
    status.detail = 'resident-elsewhere'
    return notStored(response.body)
  }
  // Archival content is cached in the tier only (tier/archival.ts); large objects the tier has
  // seen only once are not kept yet (second-hit admission, tier/admission.ts).
  const l1Refusal = edgeL1Refusal(response.headers.get(EDGE_L1_FIELD))
  if (l1Refusal) {
    status.detail = l1Refusal
    return notStored(response.body)
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN)
  if (!(length <= L1_MAX_STREAMED_BYTES)) {
    status.detail = 'too-large-for-l1'
    return notStored(response.body)
  }
  const responseTime = deps.now()
  const meta: EntryMeta = {
    size: length,
    status: response.status,
    requestTime,
    responseTime,
    vary: fields,
    varyKey: secondaryKey(fields, requestHeaders),
    tags: cacheTags(response.headers),
    purgeSeq: deps.purge.seq,
    zone: edge.zone,
  }
  const headers = headersToStore(response.headers, decision.directives)
  headers.delete('cache-status')
  headers.delete('server-timing')
  const retention = retentionSeconds(meta, headers, responseTime)
  if (retention <= 0) return notStored(response.body)
  const [forCache, forClient] = response.body.tee()
  // A copy that ends short must fail the put, never become an entry that looks complete.
  const checked = forCache.pipeThrough(new FixedLengthStream(length))
  const stored = deps.l1.put(edge.key, meta, headers, checked, retention).then(
    () => true,
    async (error: unknown) => {
      console.error('edge: L1 put failed', edge.key, error)
      // A failed put may leave part of an entry behind (local Miniflare does): drop it.
      await deps.l1.delete(edge.key).catch(() => false)
      return false
    }
  )
  deps.waitUntil(stored)
  status.stored = true
  return { body: forClient, stored }
}

/** The body the client reads, and whether L1 ends up holding the response. */
interface L1Store {
  body: ReadableStream<Uint8Array> | null
  stored: Promise<boolean>
}

function notStored(body: ReadableStream<Uint8Array> | null): L1Store {
  return { body, stored: Promise.resolve(false) }
}

/** L1 stores resident content only inside its region, whether pinned by path or by tag. */
function mayStoreHere(edge: EdgeRequest, headers: Headers): boolean {
  if (edge.residency.kind === 'via-home-tier') return false
  const byTag = residencyForTags(edge.rules, cacheTags(headers), edge.clientRegion)
  return byTag.kind === 'open' || byTag.kind === 'in-region'
}

/** RFC 7725: the content may only be served in its region. */
function unavailableHere(residency: Residency): Response {
  const response = errorResponse(
    451,
    'resident_elsewhere',
    `this content is only served in region ${residency.region}`
  )
  response.headers.set('edge-residency', residencyField(residency))
  return response
}

/** `Edge-Residency: eu; mode=cache-in-region; rule=gdpr` on resident content. */
export function residencyField(residency: Residency): string {
  return `${residency.region}; mode=${residency.mode}; rule=${residency.rule}`
}

/** How long an entry stays usable at L1: what is left of its freshness plus its stale windows. */
function retentionSeconds(meta: EntryMeta, headers: Headers, now: number): number {
  const { directives, ttl } = entryFreshness(
    {
      status: meta.status,
      headers,
      requestTime: meta.requestTime,
      responseTime: meta.responseTime,
    },
    now
  )
  const staleWindow = Math.max(directives.staleWhileRevalidate ?? 0, directives.staleIfError ?? 0)
  return ttl + staleWindow
}

function fromEntry(
  entry: StoredEntry,
  edge: EdgeRequest,
  requestHeaders: Headers,
  status: CacheStatusEntry,
  deps: EdgeDependencies,
  started: number
): Response {
  const view = storedView(entry)
  const headers = new Headers(entry.headers)
  headers.set(
    'age',
    String(currentAge(view.headers, view.requestTime, view.responseTime, deps.now()))
  )
  headers.set('cache-status', formatL1Status(status))
  appendServerTiming(headers, 'edge', deps.now() - started)
  const { meta } = entry
  const id = `${deps.l1.name}\n${edge.key}\n${meta.varyKey}\n${meta.responseTime}`
  const body =
    entry.body && meta.size !== undefined
      ? l1Verified.checked(id, entry.body, meta.size, () => {
          deps.waitUntil(deps.l1.delete(edge.key).catch(() => false))
        })
      : entry.body
  return answerClient(
    { status: meta.status, headers, body, size: meta.size },
    edge.request.method,
    requestHeaders,
    edge.compression
  )
}

function formatL1Status(status: CacheStatusEntry): string {
  const headers = new Headers()
  addCacheStatus(headers, status)
  return headers.get('cache-status') ?? ''
}

async function passToOrigin(
  edge: EdgeRequest,
  requestHeaders: Headers,
  status: CacheStatusEntry,
  deps: EdgeDependencies,
  started: number
): Promise<Response> {
  const { request } = edge
  const response = await originResponse(edge, request.method, requestHeaders, deps)
  const targets = invalidationTargets(
    request.method,
    request.url,
    response.status,
    response.headers
  )
  if (targets.length > 0)
    await invalidate(
      targets.map((t) => cacheKey(new URL(t))),
      deps
    )
  // RFC 9875 §3: groups named by a successful unsafe request's response are invalidated.
  const groups = targets.length > 0 ? cacheGroupInvalidation(response.headers) : []
  if (groups.length > 0) {
    await deps.purgeTags(groups).catch((error: unknown) => {
      console.error('edge: cache group invalidation failed', groups, error)
    })
  }
  status.fwdStatus = response.status
  const headers = stripHopByHop(response.headers)
  addCacheStatus(headers, status)
  appendServerTiming(headers, 'edge', deps.now() - started)
  // Conditionals and ranges of an unsafe method are the origin's; only the coding is ours.
  const coding = new Headers({ 'accept-encoding': requestHeaders.get('accept-encoding') ?? '' })
  return answerClient(
    { status: response.status, headers, body: response.body },
    request.method,
    coding,
    edge.compression
  )
}

/**
 * RFC 9111 §4.4: after a successful unsafe request, drop the target URI and the same-origin
 * Location / Content-Location URIs here and in the region's tier. Other PoPs' L1 copies are
 * left to expire (or to a purge): there is no fan-out to every PoP.
 */
async function invalidate(keys: string[], deps: EdgeDependencies): Promise<void> {
  await Promise.all([
    ...keys.map((key) => deps.l1.delete(key)),
    deps.invalidateTier(keys).catch((error: unknown) => {
      console.error('edge: tier invalidation failed', keys, error)
    }),
  ])
}

async function originResponse(
  edge: EdgeRequest,
  method: string,
  headers: Headers,
  deps: EdgeDependencies
): Promise<Response> {
  try {
    return await deps.origin().fetch({
      method,
      path: edge.originPath,
      search: edge.search,
      headers,
      body: method === 'GET' || method === 'HEAD' ? null : edge.request.body,
      clientHost: new URL(edge.request.url).host,
    })
  } catch (error) {
    console.error('edge: origin fetch failed', edge.key, error)
    return originFailureResponse(error)
  }
}

function residencyOf(decision: ResidencyDecision): Residency | undefined {
  return decision.kind === 'open' ? undefined : decision.residency
}

function storedView(entry: StoredEntry) {
  return {
    status: entry.meta.status,
    headers: entry.headers,
    requestTime: entry.meta.requestTime,
    responseTime: entry.meta.responseTime,
  }
}
