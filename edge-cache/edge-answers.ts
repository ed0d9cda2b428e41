/**
 * @module edge-answers
 * The edge's own answers: a stored L1 entry served to the client, and the refusal of content
 * resident in another region.
 */
import { answerClient } from './answer'
import type { EdgeCall, EdgeResult } from './edge-request'
import { storedView } from './entry'
import { errorResponse } from './errors'
import { type CacheStatusEntry, currentAge, formatCacheStatus } from './policy'
import type { Residency } from './residency'
import { appendServerTiming } from './status-headers'
import type { StoredEntry } from './store/l1'
import { l1Verified } from './store/l1-verified'

/**
 * Serves an L1 entry with its current Age; a body that turns out short drops the entry.
 * @param call the request in flight
 * @param entry what L1 holds
 * @param status L1's `Cache-Status` entry (stored entries carry none of their own)
 */
export function fromEntry(
  call: EdgeCall,
  entry: StoredEntry,
  status: CacheStatusEntry
): EdgeResult {
  const { edge, requestHeaders, deps, started } = call
  const { meta } = entry
  const view = storedView(meta, entry.headers)
  const now = deps.clock.now()
  const headers = new Headers(entry.headers)
  headers.set('age', String(currentAge(view.headers, view.requestTime, view.responseTime, now)))
  headers.set('cache-status', formatCacheStatus([status]))
  appendServerTiming(headers, 'edge', now - started)
  const id = `${deps.l1.name}\n${edge.key}\n${meta.varyKey}\n${meta.responseTime}`
  const body =
    entry.body && meta.size !== undefined
      ? l1Verified.checked(id, entry.body, meta.size, () => {
          deps.waitUntil(deps.l1.delete(edge.key).catch(() => false))
        })
      : entry.body
  const response = answerClient(
    { status: meta.status, headers, body, size: meta.size },
    edge.request.method,
    requestHeaders,
    edge.compression
  )
  return { response, cacheStatus: [status] }
}

/** RFC 7725: the content may only be served in its region. */
export function unavailableHere(residency: Residency): EdgeResult {
  const response = errorResponse(
    451,
    'resident_elsewhere',
    `this content is only served in region ${residency.region}`
  )
  response.headers.set('edge-residency', residencyField(residency))
  return { response, cacheStatus: [] }
}

/** `Edge-Residency: eu; mode=cache-in-region; rule=gdpr` on resident content. */
export function residencyField(residency: Residency): string {
  return `${residency.region}; mode=${residency.mode}; rule=${residency.rule}`
}
