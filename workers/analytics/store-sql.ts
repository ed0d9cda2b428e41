/**
 * @module analytics/store-sql
 * The SQLite side of a zone's analytics store in one region: minute buckets (bounded by the
 * retention), the busiest URLs per minute (bounded per minute, kept a shorter time), and
 * cumulative totals and duration histograms for Prometheus counters, which never go down.
 * The tables: schemas/durable/analytics-store (inserts here are positional, in its column order).
 */
import { type BatchContents, DURATION_BUCKETS_SECONDS, OTHER_URL } from './batch'

/** Distinct URLs the store keeps per minute; later ones fold into `(other)`. */
export const STORED_URLS_PER_MINUTE = 2000

/**
 * Adds a batch to the minute buckets, the URL table and the totals.
 * @param urlCount distinct URLs stored per minute so far (the caller's cache)
 */
export function ingest(
  sql: SqlStorage,
  batch: BatchContents,
  urlCount: (minute: number) => number
): void {
  for (const r of batch.rows) {
    const dims = [r.route, r.colo, r.layer, r.outcome, r.statusClass, r.origin]
    sql.exec(
      `INSERT INTO minutes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET requests = requests + excluded.requests,
       bytes_client = bytes_client + excluded.bytes_client,
       bytes_origin = bytes_origin + excluded.bytes_origin,
       origin_ms = origin_ms + excluded.origin_ms, total_ms = total_ms + excluded.total_ms`,
      r.minute,
      ...dims,
      r.requests,
      r.bytesToClient,
      r.bytesFromOrigin,
      r.originMs,
      r.totalMs
    )
    sql.exec(
      `INSERT INTO totals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET requests = requests + excluded.requests,
       bytes_client = bytes_client + excluded.bytes_client,
       bytes_origin = bytes_origin + excluded.bytes_origin`,
      ...dims,
      r.requests,
      r.bytesToClient,
      r.bytesFromOrigin
    )
  }
  for (const u of batch.urls) {
    const known = sql.exec('SELECT 1 FROM urls WHERE minute = ? AND url = ?', u.minute, u.url)
    const url =
      known.toArray().length > 0 || urlCount(u.minute) < STORED_URLS_PER_MINUTE ? u.url : OTHER_URL
    sql.exec(
      `INSERT INTO urls VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET
       requests = requests + excluded.requests, misses = misses + excluded.misses,
       bytes_client = bytes_client + excluded.bytes_client`,
      u.minute,
      url,
      u.requests,
      u.misses,
      u.bytesToClient
    )
  }
  for (const h of batch.histograms) {
    const row = sql
      .exec<{ counts: string; sum_ms: number }>(
        'SELECT counts, sum_ms FROM histograms WHERE layer = ? AND kind = ?',
        h.layer,
        h.kind
      )
      .toArray()[0]
    const before: number[] = row ? JSON.parse(row.counts) : []
    const counts = h.counts.map((n, i) => n + (before[i] ?? 0))
    sql.exec(
      'INSERT OR REPLACE INTO histograms VALUES (?, ?, ?, ?)',
      h.layer,
      h.kind,
      JSON.stringify(counts),
      h.sumMs + (row?.sum_ms ?? 0)
    )
  }
}

/** Drops minute buckets and URLs older than their retention. */
export function prune(sql: SqlStorage, minutesBefore: number, urlsBefore: number): void {
  sql.exec('DELETE FROM minutes WHERE minute < ?', minutesBefore)
  sql.exec('DELETE FROM urls WHERE minute < ?', urlsBefore)
}

export function countUrls(sql: SqlStorage, minute: number): number {
  const row = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM urls WHERE minute = ?', minute)
  return row.one().n
}

/** The dimensions a time series may be split by, as SQL expressions (never user text). */
export const SERIES_DIMENSIONS = {
  layer: 'layer',
  colo: 'colo',
  status: 'status_class',
  outcome: 'outcome',
  route: 'route',
  origin: 'origin',
  region: "''",
} as const
export type SeriesDimension = keyof typeof SERIES_DIMENSIONS

export type SeriesPoint = {
  t: number
  key: string
  requests: number
  hits: number
  bytesToClient: number
  bytesFromOrigin: number
}

const SUMS = `SUM(requests) AS requests,
  SUM(CASE WHEN layer IN ('l1', 'tier') THEN requests ELSE 0 END) AS hits,
  SUM(bytes_client) AS bytesToClient, SUM(bytes_origin) AS bytesFromOrigin`

export function series(
  sql: SqlStorage,
  window: { since: number; until: number; stepMs: number },
  by: SeriesDimension
): SeriesPoint[] {
  return sql
    .exec<{ t: number; key: string } & Omit<SeriesPoint, 't' | 'key'>>(
      `SELECT minute - ((minute - ?) % ?) AS t, ${SERIES_DIMENSIONS[by]} AS key, ${SUMS}
       FROM minutes WHERE minute >= ? AND minute < ? GROUP BY t, key ORDER BY t, key`,
      window.since,
      window.stepMs,
      window.since,
      window.until
    )
    .toArray()
}

export type BreakdownRow = {
  layer: string
  origin: string
  colo: string
  statusClass: string
  requests: number
  bytesToClient: number
  bytesFromOrigin: number
}

/** Sums over the window by layer, origin, PoP and status class. */
export function breakdown(
  sql: SqlStorage,
  window: { since: number; until: number }
): BreakdownRow[] {
  return sql
    .exec<BreakdownRow>(
      `SELECT layer, origin, colo, status_class AS statusClass, SUM(requests) AS requests,
       SUM(bytes_client) AS bytesToClient, SUM(bytes_origin) AS bytesFromOrigin
       FROM minutes WHERE minute >= ? AND minute < ? GROUP BY layer, origin, colo, status_class`,
      window.since,
      window.until
    )
    .toArray()
}

export type TopUrl = {
  url: string
  requests: number
  misses: number
  bytesToClient: number
}

export function topUrls(
  sql: SqlStorage,
  window: { since: number; until: number },
  order: 'requests' | 'misses',
  limit: number
): TopUrl[] {
  const column = order === 'misses' ? 'misses' : 'requests'
  return sql
    .exec<TopUrl>(
      `SELECT url, SUM(requests) AS requests, SUM(misses) AS misses,
       SUM(bytes_client) AS bytesToClient FROM urls WHERE minute >= ? AND minute < ?
       GROUP BY url HAVING SUM(${column}) > 0 ORDER BY SUM(${column}) DESC, url LIMIT ?`,
      window.since,
      window.until,
      limit
    )
    .toArray()
}

export type TotalsRow = BreakdownRow & { route: string; outcome: string }

export interface StoredHistogram {
  layer: string
  kind: string
  counts: number[]
  sumMs: number
}

/** Cumulative counters and histograms since the store was created. */
export function totals(sql: SqlStorage): { rows: TotalsRow[]; histograms: StoredHistogram[] } {
  const rows = sql
    .exec<TotalsRow>(
      `SELECT route, colo, layer, outcome, status_class AS statusClass, origin, requests,
       bytes_client AS bytesToClient, bytes_origin AS bytesFromOrigin FROM totals`
    )
    .toArray()
  const histograms = sql
    .exec<{ layer: string; kind: string; counts: string; sum_ms: number }>(
      'SELECT layer, kind, counts, sum_ms FROM histograms'
    )
    .toArray()
    .map((h) => ({
      layer: h.layer,
      kind: h.kind,
      counts: (JSON.parse(h.counts) as number[]).slice(0, DURATION_BUCKETS_SECONDS.length + 1),
      sumMs: h.sum_ms,
    }))
  return { rows, histograms }
}
