/**
 * @module metrics
 * Counters for `/_admin/metrics` in Prometheus text format. They are this isolate's counts
 * since it started (Workers have no shared memory across isolates); a deployment aggregates
 * them by scraping, or would send them to Workers Analytics Engine instead.
 */
import { parseCacheStatus } from '../edge-cache/policy'

const counters = new Map<string, number>()

function bump(name: string, labels: Record<string, string>, by = 1): void {
  const key = `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',')}}`
  counters.set(key, (counters.get(key) ?? 0) + by)
}

/** Records a served response from its `Cache-Status` (which layer answered) and its size. */
export function recordResponse(response: Response): void {
  const entries = parseCacheStatus(response.headers.get('cache-status'))
  const answeredBy = entries.find((e) => e.hit)?.cache ?? (entries.length ? 'origin' : 'edge')
  bump('edge_requests_total', { status: String(response.status), served_by: answeredBy })
  for (const entry of entries) {
    bump('edge_cache_lookups_total', { cache: entry.cache, result: entry.hit ? 'hit' : 'miss' })
  }
  if (entries.some((e) => e.fwdStatus !== undefined) && !entries.some((e) => e.hit)) {
    bump('edge_origin_fetches_total', {})
  }
  const bytes = Number(response.headers.get('content-length'))
  if (Number.isFinite(bytes)) bump('edge_response_bytes_total', {}, bytes)
}

/** Records a purge call and how long it took to be durable. */
export function recordPurge(kind: string, records: number, durationMs: number): void {
  bump('edge_purges_total', { kind })
  bump('edge_purge_records_total', { kind }, records)
  bump('edge_purge_duration_ms_sum', {}, durationMs)
  bump('edge_purge_duration_ms_count', {})
}

/** @returns every counter in Prometheus text exposition format */
export function metricsText(): string {
  const lines: string[] = []
  const typed = new Set<string>()
  for (const [key, value] of [...counters].sort(([a], [b]) => a.localeCompare(b))) {
    const name = key.slice(0, key.indexOf('{'))
    if (!typed.has(name)) {
      typed.add(name)
      lines.push(`# TYPE ${name} counter`)
    }
    lines.push(`${key.endsWith('{}') ? name : key} ${value}`)
  }
  return `${lines.join('\n')}\n`
}
