/**
 * @module edge
 * The edge's request path: L1 (this PoP's Cache API) → the regional tier shard → the origin.
 * Everything it talks to comes in as narrow dependencies (edge-request.ts), so the same path
 * runs in the Worker, in tests and in benchmarks. The steps live in the `edge-*` modules.
 */
import { unavailableHere } from './edge-answers'
import { fillFromUpstream, refresh } from './edge-fill'
import { lookupL1 } from './edge-l1-lookup'
import { passToOrigin } from './edge-pass'
import type { EdgeCall, EdgeDependencies, EdgeRequest, EdgeResult } from './edge-request'
import { L1_CACHE_NAME } from './edge-request'
import { normalizeAcceptEncoding, stripHopByHop } from './policy'

/**
 * Serves one request through the cache hierarchy.
 * @returns the client's response, with `Cache-Status` and `Server-Timing`, and the
 *   `Cache-Status` entries as data
 */
export async function serveFromEdge(
  edge: EdgeRequest,
  deps: EdgeDependencies
): Promise<EdgeResult> {
  const call: EdgeCall = {
    edge,
    requestHeaders: upstreamView(edge.request),
    deps,
    started: deps.clock.now(),
  }
  if (edge.residency.kind === 'refuse') return unavailableHere(edge.residency.residency)
  const method = edge.request.method
  if (edge.bypass || (method !== 'GET' && method !== 'HEAD')) {
    return passToOrigin(call, { cache: L1_CACHE_NAME, fwd: edge.bypass ? 'bypass' : 'method' })
  }
  const lookup = await lookupL1(call, () => refresh(call))
  if ('served' in lookup) return lookup.served
  return fillFromUpstream(call, lookup)
}

/**
 * The client's fields as every layer sees them: no hop-by-hop fields, and one spelling per set
 * of accepted codings (the secondary key, the tier's and the origin's view of the client, so an
 * origin varying on it answers in a coding the client takes).
 */
export function upstreamView(request: Request): Headers {
  const headers = stripHopByHop(request.headers)
  headers.set('accept-encoding', normalizeAcceptEncoding(request.headers.get('accept-encoding')))
  return headers
}
