/**
 * @module edge-pass
 * Requests the edge does not cache (other methods, bypass routes) go to the origin as they are;
 * a successful unsafe one invalidates what it names (RFC 9111 §4.4, RFC 9875).
 */
import { answerClient } from './answer'
import type { EdgeCall, EdgeDependencies, EdgeResult } from './edge-request'
import { originResponse } from './edge-upstream'
import { cacheKey } from './key'
import {
  type CacheStatusEntry,
  cacheGroupInvalidation,
  invalidationTargets,
  stripHopByHop,
} from './policy'
import { addCacheStatus, appendServerTiming } from './status-headers'
import { logError } from './tracing/log'

/**
 * @param call the request in flight
 * @param status L1's `Cache-Status` entry (`fwd=bypass` or `fwd=method`)
 * @returns the origin's answer
 */
export async function passToOrigin(call: EdgeCall, status: CacheStatusEntry): Promise<EdgeResult> {
  const { edge, requestHeaders, deps, started } = call
  const { request } = edge
  const response = await originResponse(edge, request.method, requestHeaders, deps)
  const targets = invalidationTargets(
    request.method,
    request.url,
    response.status,
    response.headers
  )
  if (targets.length > 0) {
    await invalidate(
      targets.map((t) => cacheKey(new URL(t))),
      deps
    )
  }
  // RFC 9875 §3: groups named by a successful unsafe request's response are invalidated.
  const groups = targets.length > 0 ? cacheGroupInvalidation(response.headers) : []
  if (groups.length > 0) {
    await deps.purgeTags(groups).catch((error: unknown) => {
      logError('edge: cache group invalidation failed', groups, error)
    })
  }
  const headers = stripHopByHop(response.headers)
  const cacheStatus = addCacheStatus(headers, { ...status, fwdStatus: response.status })
  appendServerTiming(headers, 'edge', deps.clock.now() - started)
  // Conditionals and ranges of an unsafe method are the origin's; only the coding is ours.
  const coding = new Headers({ 'accept-encoding': requestHeaders.get('accept-encoding') ?? '' })
  const answer = answerClient(
    { status: response.status, headers, body: response.body },
    request.method,
    coding,
    edge.compression
  )
  return { response: answer, cacheStatus }
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
      logError('edge: tier invalidation failed', keys, error)
    }),
  ])
}
