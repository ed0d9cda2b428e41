/**
 * @module edge-fill
 * An L1 miss (or a stale entry) filled from upstream: concurrent misses in the isolate share one
 * fill, a stale entry answers for an upstream error (stale-if-error), and what comes back is
 * stored in L1 when the policy allows while it streams to the client.
 */
import { timeoutOf } from '../origin/select'
import { answerClient } from './answer'
import { discard } from './discard'
import { fromEntry, unavailableHere } from './edge-answers'
import type { L1Miss } from './edge-l1-lookup'
import { fillKeyOf, fromConcurrentFill } from './edge-l1-lookup'
import { storeInL1 } from './edge-l1-store'
import { claimRefresh, joinPopFill } from './edge-pop-fill'
import type { EdgeCall, EdgeResult } from './edge-request'
import { fetchUpstream, type Upstream } from './edge-upstream'
import { storedView } from './entry'
import {
  type CacheStatusEntry,
  cacheTags,
  canServeStaleOnError,
  contentLength,
  STALE_IF_ERROR_STATUSES,
} from './policy'
import { residencyForTags } from './residency'
import { addCacheStatus, appendServerTiming } from './status-headers'
import { l1Fills } from './store/l1-fills'
import { EDGE_L1_FIELD } from './tier/protocol'

/**
 * @param call the request in flight
 * @param miss what L1 said
 * @returns the client's answer
 */
export async function fillFromUpstream(call: EdgeCall, miss: L1Miss): Promise<EdgeResult> {
  const fillKey = fillKeyOf(call)
  if (miss.absent) {
    const collapsed = await fromConcurrentFill(call, fillKey)
    if (collapsed) return collapsed
  }
  // This request fills L1 for the key; concurrent misses in this isolate wait for it, and the
  // isolate's filler of a hot key joins the PoP's refill (edge-pop-fill.ts).
  const finishFill = l1Fills.filling(fillKey) ? undefined : l1Fills.begin(fillKey)
  let filled: Promise<boolean> = Promise.resolve(false)
  let release: (() => Promise<void>) | undefined
  try {
    // A request whose own directives refused the entry (fwd=request) would refuse the refill too.
    if (finishFill && miss.status.fwd !== 'request') {
      const pop = await joinPopFill(call, fillKey)
      if ('served' in pop) {
        void discard(miss.stale?.body)
        filled = Promise.resolve(true)
        return pop.served
      }
      if ('release' in pop) release = pop.release
    }
    const answer = await answerFromUpstream(call, miss)
    filled = answer.filled
    return answer.result
  } finally {
    if (finishFill) void filled.then(finishFill)
    if (release) call.deps.waitUntil(filled.then(release))
  }
}

/** The upstream answer, or the stale entry instead of an upstream error. */
async function answerFromUpstream(
  call: EdgeCall,
  miss: L1Miss
): Promise<{ result: EdgeResult; filled: Promise<boolean> }> {
  const { edge, requestHeaders, deps, started } = call
  const status: CacheStatusEntry = { ...miss.status }
  const { stale } = miss
  const upstream = await fetchUpstream(call)
  if (upstream.tierDown) status.detail = 'tier-unavailable'
  const { response } = upstream
  const notFilled = Promise.resolve(false)
  if (
    stale &&
    STALE_IF_ERROR_STATUSES.has(response.status) &&
    canServeStaleOnError(storedView(stale.meta, stale.headers), requestHeaders, deps.clock.now())
  ) {
    void discard(response.body)
    const staleStatus = { ...status, fwdStatus: response.status, detail: 'stale-if-error' }
    return { result: fromEntry(call, stale, staleStatus), filled: notFilled }
  }
  void discard(stale?.body)
  const byTag = residencyForTags(edge.rules, cacheTags(response.headers), edge.clientRegion)
  if (byTag.kind === 'refuse') {
    void discard(response.body)
    return { result: unavailableHere(byTag.residency), filled: notFilled }
  }
  status.fwdStatus = response.status
  const l1 = storeInL1(call, response, upstream.requestTime, silenceLimit(call, upstream))
  if (l1.detail) status.detail = l1.detail
  if (l1.storing) status.stored = true
  const full = {
    status: response.status,
    headers: new Headers(response.headers),
    body: l1.body,
    size: contentLength(response.headers),
  }
  full.headers.delete(EDGE_L1_FIELD)
  const cacheStatus = addCacheStatus(full.headers, status)
  appendServerTiming(full.headers, 'edge', deps.clock.now() - started)
  const answer = answerClient(full, edge.request.method, requestHeaders, edge.compression)
  return { result: { response: answer, cacheStatus }, filled: l1.stored }
}

/**
 * Revalidates a stale L1 entry in the background (stale-while-revalidate): once per isolate
 * (a refresh under way is a fill its misses collapse onto) and about once per PoP (the PoP's
 * fill claim, edge-pop-fill.ts): every request served stale meanwhile would otherwise send one.
 */
export async function refresh(call: EdgeCall): Promise<void> {
  const fillKey = fillKeyOf(call)
  if (l1Fills.filling(fillKey)) return
  const finishFill = l1Fills.begin(fillKey)
  let stored: Promise<boolean> = Promise.resolve(false)
  let release: (() => Promise<void>) | undefined
  try {
    release = await claimRefresh(call)
    if (!release) return
    const upstream = await fetchUpstream(call)
    const l1 = storeInL1(
      call,
      upstream.response,
      upstream.requestTime,
      silenceLimit(call, upstream)
    )
    stored = l1.stored
    await discard(l1.body)
  } finally {
    void stored.then(finishFill)
    if (release) call.deps.waitUntil(stored.then(release))
  }
}

/**
 * How long a body straight from the origin may stay silent while L1 stores it (edge-cache/
 * silence.ts): the isolate's misses for the key wait on that copy. A tier's answer needs none:
 * the tier limits its own fills.
 */
function silenceLimit({ edge, deps }: EdgeCall, upstream: Upstream): number | undefined {
  if (edge.tiered && !upstream.tierDown) return undefined
  return timeoutOf(edge.tier.origin, deps.originTimeoutMs)
}
