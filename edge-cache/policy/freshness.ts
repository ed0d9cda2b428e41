/**
 * @module freshness
 * Freshness lifetime (RFC 9111 §4.2.1), heuristic freshness (§4.2.2) and current age
 * (§4.2.3). Inputs are ms since the epoch; every result is in whole seconds.
 */

import { type CacheControl, DELTA_SECONDS_MAX, parseDeltaSeconds } from './cache-control'
import { getField, splitList } from './fields'
import { parseHttpDate } from './http-date'

/** Heuristic freshness: `fraction` of (Date - Last-Modified), capped at `maxSeconds`. */
export interface HeuristicOptions {
  fraction: number
  maxSeconds: number
}

/** Extra context for {@link freshnessLifetime}. */
export interface FreshnessContext {
  /**
   * Field the directives came from (see `selectCacheControl`). When it is a targeted field,
   * Expires is ignored: "it MUST ignore the Cache-Control and Expires header fields"
   * (RFC 9213 §2.2). Defaults to 'cache-control'.
   */
  source?: string
  /** When the response was received; stands in for a missing or invalid Date field. */
  responseTime?: number
}

/** 10% of the time since last modification, at most one day. */
export const DEFAULT_HEURISTIC: HeuristicOptions = { fraction: 0.1, maxSeconds: 86_400 }

/**
 * "Responses with status codes that are defined as heuristically cacheable (e.g., 200, 203,
 * 204, 206, 300, 301, 308, 404, 405, 410, 414, and 501 in this specification)".
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.1
 */
export const HEURISTICALLY_CACHEABLE: ReadonlySet<number> = new Set([
  200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501,
])

const clampSeconds = (s: number) =>
  Number.isNaN(s) ? 0 : Math.min(Math.max(Math.floor(s), 0), DELTA_SECONDS_MAX)

/**
 * The Date field in ms, else `fallback`: "A recipient with a clock that receives a response
 * message without a Date header field MUST record the time it was received".
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1
 */
export function dateValue(headers: Headers, fallback?: number): number | undefined {
  return parseHttpDate(getField(headers, 'date')) ?? fallback
}

/**
 * True when the response carries explicit expiration (s-maxage, max-age or Expires; Expires
 * only counts when the directives come from Cache-Control, see RFC 9213 §2.2).
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.2.1
 */
export function hasExplicitFreshness(headers: Headers, cc: CacheControl, source?: string): boolean {
  const expiresApplies = source === undefined || source === 'cache-control'
  return (
    cc.sMaxAge !== undefined ||
    cc.maxAge !== undefined ||
    (expiresApplies && getField(headers, 'expires') !== null)
  )
}

/**
 * Freshness lifetime in seconds for a shared cache, first match wins: s-maxage, max-age,
 * Expires minus Date, then a heuristic. "A cache recipient MUST interpret invalid date
 * formats, especially the value '0', as representing a time in the past" - an invalid
 * Expires gives 0. "a cache MUST NOT use heuristics to determine freshness when an explicit
 * expiration time is present"; heuristics apply only to heuristically cacheable statuses or
 * `public` responses ("If a response with the public directive has no explicit freshness
 * information, it is heuristically cacheable", §5.2.2.9) that carry Last-Modified.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.2.2
 */
export function freshnessLifetime(
  status: number,
  headers: Headers,
  cc: CacheControl,
  heuristic: HeuristicOptions = DEFAULT_HEURISTIC,
  context: FreshnessContext = {}
): number {
  // "If the cache is shared and the s-maxage response directive is present, use its value"
  if (cc.sMaxAge !== undefined) return clampSeconds(cc.sMaxAge)
  if (cc.maxAge !== undefined) return clampSeconds(cc.maxAge)
  const targeted = context.source !== undefined && context.source !== 'cache-control'
  const date = dateValue(headers, context.responseTime)
  const expiresField = targeted ? null : getField(headers, 'expires')
  if (expiresField !== null) {
    const expires = parseHttpDate(expiresField)
    if (expires === undefined || date === undefined) return 0
    return clampSeconds((expires - date) / 1000)
  }
  if (!HEURISTICALLY_CACHEABLE.has(status) && !cc.public) return 0
  const lastModified = parseHttpDate(getField(headers, 'last-modified'))
  if (lastModified === undefined || date === undefined || lastModified > date) return 0
  const fraction = Number.isFinite(heuristic.fraction) ? Math.max(heuristic.fraction, 0) : 0
  const cap = Number.isFinite(heuristic.maxSeconds) ? heuristic.maxSeconds : 0
  return clampSeconds(Math.min(((date - lastModified) / 1000) * fraction, cap))
}

/**
 * The Age field value in seconds: 0 when absent, `undefined` when invalid. "Although it is
 * defined as a singleton header field, a cache encountering a message with a list-based Age
 * field value SHOULD use the first member of the field value, discarding subsequent ones."
 * The member must be `delta-seconds` (1*DIGIT): a sign, a fraction or a parameter makes it
 * invalid.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.1
 */
export function ageValue(headers: Headers): number | undefined {
  const field = getField(headers, 'age')
  if (field === null) return 0
  return parseDeltaSeconds(splitList(field)[0])
}

/**
 * Current age in whole seconds, exactly as RFC 9111 §4.2.3:
 * apparent_age = max(0, response_time - date_value);
 * response_delay = response_time - request_time;
 * corrected_age_value = age_value + response_delay;
 * corrected_initial_age = max(apparent_age, corrected_age_value);
 * resident_time = now - response_time;
 * current_age = corrected_initial_age + resident_time.
 * A missing or invalid Date gives apparent_age 0 (the receive time stands in for it). An
 * invalid Age gives 2^31, i.e. stale: "If the field value (after discarding additional
 * members, as per above) is invalid (e.g., it contains something other than a non-negative
 * integer), a cache SHOULD consider the response to be stale." (§5.1)
 * The result is floored, never negative and clamped to 2^31.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.2.3
 */
export function currentAge(
  headers: Headers,
  requestTime: number,
  responseTime: number,
  now: number
): number {
  const ageSeconds = ageValue(headers)
  if (ageSeconds === undefined) return DELTA_SECONDS_MAX
  const date = parseHttpDate(getField(headers, 'date')) ?? responseTime
  const apparentAge = Math.max(0, responseTime - date)
  const responseDelay = responseTime - requestTime
  const correctedAgeValue = ageSeconds * 1000 + responseDelay
  const correctedInitialAge = Math.max(apparentAge, correctedAgeValue)
  const residentTime = now - responseTime
  const age = (correctedInitialAge + residentTime) / 1000
  return Number.isFinite(age) ? clampSeconds(age) : DELTA_SECONDS_MAX
}
