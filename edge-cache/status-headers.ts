/**
 * @module status-headers
 * Appends this platform's entries to `Cache-Status` (RFC 9211: each cache appends itself, so the
 * one nearest the origin comes first) and `Server-Timing`.
 */
import { appendCacheStatus, type CacheStatusEntry } from './policy'

export function addCacheStatus(headers: Headers, entry: CacheStatusEntry): void {
  headers.set('cache-status', appendCacheStatus(headers, entry))
}

export function appendServerTiming(headers: Headers, metric: string, durationMs: number): void {
  headers.append('server-timing', `${metric};dur=${Math.max(0, Math.round(durationMs))}`)
}
