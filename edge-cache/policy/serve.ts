/**
 * @module serve
 * What to do with a stored response at lookup time: serve it, serve it stale while
 * revalidating (RFC 5861), or go upstream (RFC 9111 §4, §4.2.4, §5.2). Also the
 * stale-if-error decision and only-if-cached detection.
 */

import { type CacheControl, requestCacheControl, selectCacheControl } from './cache-control'
import { currentAge, DEFAULT_HEURISTIC, freshnessLifetime } from './freshness'

/** A stored response: its status, stored headers and when it was requested/received (ms). */
export interface StoredEntry {
  status: number
  headers: Headers
  requestTime: number
  responseTime: number
}

/**
 * `age` is the current age and `ttl` the freshness lifetime minus it, both in seconds.
 * 'fresh' means "serve from cache"; it is also returned with `ttl <= 0` when the client's
 * max-stale explicitly accepts the staleness.
 */
export type ServeDecision =
  | { action: 'fresh'; age: number; ttl: number }
  | { action: 'stale-while-revalidate'; age: number; ttl: number }
  | { action: 'revalidate'; age: number; ttl: number; reason: 'stale' | 'no-cache' | 'request' }

/**
 * Age, lifetime and governing directives of a stored entry at `now`, in seconds.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.2
 */
export function entryFreshness(
  entry: StoredEntry,
  now: number,
  targeted?: readonly string[]
): { directives: CacheControl; age: number; lifetime: number; ttl: number } {
  const { directives, source } = selectCacheControl(entry.headers, targeted)
  const lifetime = freshnessLifetime(entry.status, entry.headers, directives, DEFAULT_HEURISTIC, {
    source,
    responseTime: entry.responseTime,
  })
  const age = currentAge(entry.headers, entry.requestTime, entry.responseTime, now)
  return { directives, age, lifetime, ttl: lifetime - age }
}

/**
 * True when the response forbids serving it stale: "A cache MUST NOT generate a stale
 * response if it is prohibited by an explicit in-protocol directive (e.g., by a no-cache
 * response directive, a must-revalidate response directive, or an applicable s-maxage or
 * proxy-revalidate response directive)".
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.2.4
 */
export function forbidsStale(cc: CacheControl): boolean {
  return (
    cc.noCache === true ||
    cc.mustRevalidate === true ||
    cc.proxyRevalidate === true ||
    cc.sMaxAge !== undefined
  )
}

/**
 * Decides how to answer a request from a stored entry.
 * - response `no-cache`: "the response MUST NOT be used to satisfy any other request without
 *   forwarding it for validation" (reason 'no-cache');
 * - request `no-cache` (or `Pragma: no-cache` without Cache-Control), `max-age` exceeded,
 *   or `min-fresh` not met: reason 'request';
 * - fresh ("response_is_fresh = (freshness_lifetime > current_age)"): 'fresh';
 * - stale: served only when explicitly permitted - the client's max-stale ('fresh') or the
 *   response's stale-while-revalidate window ('stale-while-revalidate') - and never when
 *   must-revalidate, proxy-revalidate or s-maxage is present; otherwise reason 'stale'.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.2
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.4
 * @see https://www.rfc-editor.org/rfc/rfc5861#section-3
 */
export function decideServe(
  entry: StoredEntry,
  requestHeaders: Headers,
  now: number,
  targeted?: readonly string[]
): ServeDecision {
  const { directives: cc, age, ttl } = entryFreshness(entry, now, targeted)
  const req = requestCacheControl(requestHeaders)
  if (cc.noCache === true) return { action: 'revalidate', age, ttl, reason: 'no-cache' }
  if (req.noCache) return { action: 'revalidate', age, ttl, reason: 'request' }
  // max-age: "the client prefers a response whose age is less than or equal to the
  // specified number of seconds"
  if (req.maxAge !== undefined && age > req.maxAge) {
    return { action: 'revalidate', age, ttl, reason: 'request' }
  }
  // min-fresh: "freshness lifetime is no less than its current age plus the specified time"
  if (req.minFresh !== undefined && ttl < req.minFresh) {
    return { action: 'revalidate', age, ttl, reason: 'request' }
  }
  if (ttl > 0) return { action: 'fresh', age, ttl }
  const staleness = -ttl
  if (!forbidsStale(cc)) {
    // "A cache MUST NOT send stale responses unless ... explicitly permitted by the client
    // or origin server (e.g., by the max-stale request directive ... [RFC5861])"
    const maxStale = req.maxStale
    if (maxStale === true || (maxStale !== undefined && staleness <= maxStale)) {
      return { action: 'fresh', age, ttl }
    }
    const swr = cc.staleWhileRevalidate
    if (swr !== undefined && staleness <= swr) {
      return { action: 'stale-while-revalidate', age, ttl }
    }
  }
  return { action: 'revalidate', age, ttl, reason: 'stale' }
}

/**
 * Status codes RFC 5861 calls errors for stale-if-error: "An error is any situation that
 * would result in a 500, 502, 503, or 504 HTTP response status code being returned."
 * @see https://www.rfc-editor.org/rfc/rfc5861#section-4
 */
export const STALE_IF_ERROR_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504])

/**
 * True when the entry may be served because the origin failed: it is still fresh, or its
 * staleness is within a stale-if-error window (response or request directive, RFC 5861 §4)
 * or the client's max-stale. Always false when the response forbids stale use
 * (must-revalidate, proxy-revalidate, s-maxage, unqualified no-cache; RFC 9111 §4.2.4).
 * @see https://www.rfc-editor.org/rfc/rfc5861#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.2.4
 */
export function canServeStaleOnError(
  entry: StoredEntry,
  requestHeaders: Headers,
  now: number,
  targeted?: readonly string[]
): boolean {
  const { directives: cc, ttl } = entryFreshness(entry, now, targeted)
  if (forbidsStale(cc)) return false
  if (ttl > 0) return true
  const staleness = -ttl
  const req = requestCacheControl(requestHeaders)
  if (req.maxStale === true) return true
  const windows = [cc.staleIfError, req.staleIfError, req.maxStale]
  return windows.some((w) => typeof w === 'number' && staleness <= w)
}

/**
 * True for `Cache-Control: only-if-cached`: "Caches that honor this request directive
 * SHOULD, upon receiving it, respond with either a stored response consistent with the
 * other constraints of the request or a 504 (Gateway Timeout) status code."
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.1.7
 */
export function isOnlyIfCached(requestHeaders: Headers): boolean {
  return requestCacheControl(requestHeaders).onlyIfCached === true
}
