/**
 * @module tier/tier-response
 * The responses a shard sends the edge: a stored entry with its current `Age`, and every answer
 * with the shard's `Cache-Status` entry and `Server-Timing` (tier and origin time).
 * @see https://www.rfc-editor.org/rfc/rfc9211
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.1
 */
import { discard } from '../discard'
import { errorResponse } from '../errors'
import { type CacheStatusEntry, currentAge } from '../policy'
import { contentLength, lengthOf } from '../policy/content-length'
import { addCacheStatus, appendServerTiming } from '../status-headers'
import { tierView } from './stored-entry'
import type { TierEntry } from './tier-store'

/** Where an answer's time went, in ms. */
export interface TierTiming {
  tierMs: number
  originMs?: number
}

/** The response with the shard's `Cache-Status` entry and `Server-Timing` added. */
export function withStatus(
  response: Response,
  status: CacheStatusEntry,
  timing: TierTiming
): Response {
  const headers = new Headers(response.headers)
  addCacheStatus(headers, status)
  appendServerTiming(headers, 'tier', timing.tierMs)
  if (timing.originMs !== undefined) appendServerTiming(headers, 'origin', timing.originMs)
  return new Response(response.body, { status: response.status, headers })
}

/** An entry's stored fields with its current Age, as it is served at `now`. */
export function servedHeaders(entry: TierEntry, now: number): Headers {
  const headers = new Headers(entry.headers)
  const stored = tierView(entry)
  headers.set(
    'age',
    String(currentAge(stored.headers, stored.requestTime, stored.responseTime, now))
  )
  return headers
}

/**
 * A stored (or being stored) entry as the answer, with `body`; 204 and 304 have none.
 * @param now the current time (ms), for `Age`
 */
export function entryResponse(
  entry: TierEntry,
  body: ReadableStream<Uint8Array>,
  status: CacheStatusEntry,
  timing: TierTiming,
  now: number
): Response {
  const headers = servedHeaders(entry, now)
  const nullBody = entry.meta.status === 204 || entry.meta.status === 304
  if (nullBody) void discard(body)
  return withStatus(
    new Response(nullBody ? null : body, { status: entry.meta.status, headers }),
    status,
    timing
  )
}

/** RFC 9111 §5.2.1.7: only-if-cached without a usable stored response → 504. */
export function notCached(status: CacheStatusEntry): Response {
  const response = errorResponse(504, 'not_cached', 'only-if-cached: no stored response to serve')
  addCacheStatus(response.headers, status)
  return response
}

/**
 * The whole object's size as a response tells it (Content-Length of a 200, the total of a 206's
 * Content-Range), for the miniatures; undefined for other answers, which they do not see.
 */
export function objectSize(response: Response): number | undefined {
  const { status, headers } = response
  if (status === 200) return contentLength(headers)
  if (status === 206) return lengthOf(headers.get('content-range')?.match(/\/(\d+)$/)?.[1])
  return undefined
}
