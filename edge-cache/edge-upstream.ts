/**
 * @module edge-upstream
 * Where the edge gets a response it does not hold: the regional tier, or the route's origin
 * when the route has no tier, the tier is down, or the method is not cached.
 */
import { dropUnkeyedOverrides } from '../origin/poisoning-headers'
import type { EdgeCall, EdgeDependencies, EdgeRequest } from './edge-request'
import { L1_MAX_STREAMED_BYTES } from './edge-request'
import { errorResponse, originFailureResponse } from './errors'
import { isOnlyIfCached } from './policy'
import type { Residency, ResidencyDecision } from './residency'
import type { TierRequest } from './tier/protocol'
import { logError } from './tracing/log'

/** Request fields the edge answers itself from a full response; never sent up the tiers. */
const CLIENT_ONLY_FIELDS = [
  'range',
  'if-range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
]

/** A full response from upstream, when it was asked for, and whether the tier was skipped. */
export interface Upstream {
  response: Response
  requestTime: number
  tierDown: boolean
}

/**
 * Fetches a full response from the tier, or straight from the origin when the route has no tier
 * or the tier is down.
 */
export async function fetchUpstream({ edge, requestHeaders, deps }: EdgeCall): Promise<Upstream> {
  const headers = new Headers(requestHeaders)
  for (const name of CLIENT_ONLY_FIELDS) headers.delete(name)
  // A cacheable request never carries unkeyed override fields upstream (cache poisoning).
  dropUnkeyedOverrides(headers, edge.tier.cacheKeyHeaders)
  const requestTime = deps.clock.now()
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
    logError('edge: tier unreachable, going to origin', edge.key, error)
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
export function rangeForTier(method: string, headers: Headers): TierRequest['range'] {
  const value = headers.get('range')
  if (method !== 'GET' || value === null) return undefined
  const conditional = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']
  if (conditional.some((name) => headers.has(name))) return undefined
  return { value, ifRange: headers.get('if-range') ?? undefined, minSize: L1_MAX_STREAMED_BYTES }
}

/**
 * Asks the route's origin; a transport failure becomes the 502/504 the client gets.
 * @param method the method sent upstream (GET for fills, the client's own otherwise)
 */
export async function originResponse(
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
    logError('edge: origin fetch failed', edge.key, error)
    return originFailureResponse(error)
  }
}

/** The residency the tier is told of: none for open content. */
export function residencyOf(decision: ResidencyDecision): Residency | undefined {
  return decision.kind === 'open' ? undefined : decision.residency
}
