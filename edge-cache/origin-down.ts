/**
 * @module origin-down
 * Serving stored content while its origin is out. RFC 9111 §4.2.4 lets a cache that is
 * disconnected from the origin serve stale responses beyond any stale-if-error window, except
 * where an in-protocol directive forbids stale use (`no-cache`, `must-revalidate`,
 * `proxy-revalidate`, `s-maxage`). The origin counts as out when its breaker refused the request
 * (origin/circuit-breaker.ts) or the attempt itself could not reach it (refused, reset, DNS, TLS,
 * timeout, after the retries). An answer from the origin, whatever its status, is not an outage.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.2.4
 */
import { CircuitOpenError, OriginError } from '../origin/errors'
import { entryFreshness, forbidsStale, type StoredEntry } from './policy'

/** The `Cache-Status` detail of a stale copy served because its origin is out. */
export const ORIGIN_DOWN_DETAIL = 'origin-down'

/**
 * @param error what fetching from the origin threw
 * @returns whether it says the origin is out, rather than one request going wrong
 */
export function isOriginDown(error: unknown): boolean {
  if (error instanceof CircuitOpenError) return true
  return error instanceof OriginError && (error.kind === 'network' || error.kind === 'timeout')
}

/**
 * May this stored response be served, however stale, while its origin is out?
 * @param entry the stored response
 * @param now the current time in ms
 * @returns false only when its own directives forbid stale use
 */
export function canServeWhileOriginDown(entry: StoredEntry, now: number): boolean {
  return !forbidsStale(entryFreshness(entry, now).directives)
}
