/**
 * @module status-headers
 * Appends this platform's entries to `Cache-Status` (RFC 9211: each cache appends itself, so the
 * one nearest the origin comes first) and `Server-Timing`, and drops them from what is stored:
 * every layer that serves a response writes its own.
 */
import { type CacheStatusEntry, formatCacheStatus, parseCacheStatus } from './policy'

/**
 * @param headers the response's fields, whose `Cache-Status` gets `entry` appended
 * @param entry this cache's entry
 * @returns every entry now in the field, nearest the origin first (what analytics reads)
 */
export function addCacheStatus(headers: Headers, entry: CacheStatusEntry): CacheStatusEntry[] {
  const entries = [...parseCacheStatus(headers.get('cache-status')), entry]
  headers.set('cache-status', formatCacheStatus(entries))
  return entries
}

export function appendServerTiming(headers: Headers, metric: string, durationMs: number): void {
  headers.append('server-timing', `${metric};dur=${Math.max(0, Math.round(durationMs))}`)
}

/** Removes the diagnostics fields a stored copy must not keep (they describe one serving). */
export function dropDiagnostics(headers: Headers): void {
  headers.delete('cache-status')
  headers.delete('server-timing')
}
