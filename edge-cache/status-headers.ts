/**
 * @module status-headers
 * Appends this platform's entries to `Cache-Status` (RFC 9211: each cache appends itself, so the
 * one nearest the origin comes first) and `Server-Timing`.
 */
import { type CacheStatusEntry, formatCacheStatus } from './policy'

export function appendCacheStatus(headers: Headers, entry: CacheStatusEntry): void {
  const existing = headers.get('cache-status')
  const ours = formatCacheStatus([entry])
  headers.set('cache-status', existing ? `${existing}, ${ours}` : ours)
}

export function appendServerTiming(headers: Headers, metric: string, durationMs: number): void {
  headers.append('server-timing', `${metric};dur=${Math.max(0, Math.round(durationMs))}`)
}
