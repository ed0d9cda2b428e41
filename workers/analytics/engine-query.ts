/**
 * @module analytics/engine-query
 * The production read side: a zone's report from Workers Analytics Engine's SQL API instead of
 * the local stores, when `ANALYTICS_SOURCE = "engine"` and the `ANALYTICS_ACCOUNT_ID` and
 * `ANALYTICS_API_TOKEN` secrets are set. The answers take the stores' shape (one per region),
 * so report.ts builds the same report. Sampled rows count `_sample_interval` times.
 * @see https://developers.cloudflare.com/analytics/analytics-engine/sql-api/
 */
import type { AnalyticsWindow } from '../../schemas/api/analytics'
import type { StoreAnswer } from './analytics-store'
import { BLOBS, DOUBLES } from './engine'
import type { RegionAnswer } from './report'
import type { BreakdownRow, SeriesDimension, SeriesPoint, TopUrl } from './store-sql'

export const DATASET = 'edge_cdn_requests'

const blob = (name: (typeof BLOBS)[number]) => `blob${BLOBS.indexOf(name) + 1}`
const double = (name: (typeof DOUBLES)[number]) => `double${DOUBLES.indexOf(name) + 1}`

const ENGINE_DIMENSIONS: Record<SeriesDimension, string> = {
  layer: blob('layer'),
  colo: blob('colo'),
  status: blob('statusClass'),
  outcome: blob('outcome'),
  route: blob('route'),
  origin: blob('origin'),
  region: "''",
}

/** A SQL string literal. Zone names are config names already; quotes are escaped regardless. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** @returns the three queries of a zone's report over a window */
export function engineQueries(
  zone: string,
  window: AnalyticsWindow,
  by: SeriesDimension,
  top: number
): { breakdown: string; series: string; urls: string } {
  const n = '_sample_interval'
  const hits = `SUM(IF(${blob('layer')} IN ('l1', 'tier'), ${n}, 0))`
  const where = `WHERE index1 = ${literal(zone)} AND timestamp >= toDateTime(${Math.floor(
    window.since / 1000
  )}) AND timestamp < toDateTime(${Math.ceil(window.until / 1000)})`
  const sums = `SUM(${n}) AS requests, SUM(${n} * ${double('bytesToClient')}) AS bytesToClient, SUM(${n} * ${double('bytesFromOrigin')}) AS bytesFromOrigin`
  const step = window.stepMs / 1000
  const since = Math.floor(window.since / 1000)
  return {
    breakdown: `SELECT ${blob('region')} AS region, ${blob('layer')} AS layer, ${blob('origin')} AS origin, ${blob('colo')} AS colo, ${blob('statusClass')} AS statusClass, ${sums} FROM ${DATASET} ${where} GROUP BY region, layer, origin, colo, statusClass FORMAT JSON`,
    series: `SELECT ${since} + intDiv(toUInt32(timestamp) - ${since}, ${step}) * ${step} AS t, ${blob('region')} AS region, ${ENGINE_DIMENSIONS[by]} AS key, ${sums}, ${hits} AS hits FROM ${DATASET} ${where} GROUP BY t, region, key ORDER BY t FORMAT JSON`,
    urls: `SELECT ${blob('region')} AS region, ${blob('url')} AS url, SUM(${n}) AS requests, SUM(IF(${blob('layer')} = 'origin', ${n}, 0)) AS misses, SUM(${n} * ${double('bytesToClient')}) AS bytesToClient FROM ${DATASET} ${where} GROUP BY region, url ORDER BY requests DESC LIMIT ${Math.max(1, Math.floor(top)) * 20} FORMAT JSON`,
  }
}

type Row = Record<string, string | number>

/**
 * Runs one query on the SQL API.
 * @param fetcher `fetch`, injectable
 * @throws Error with the API's status when it refuses
 */
export async function runEngineQuery(
  credentials: { accountId: string; apiToken: string },
  sql: string,
  fetcher: typeof fetch = fetch
): Promise<Row[]> {
  const res = await fetcher(
    `https://api.cloudflare.com/client/v4/accounts/${encodeURIComponent(credentials.accountId)}/analytics_engine/sql`,
    { method: 'POST', headers: { authorization: `Bearer ${credentials.apiToken}` }, body: sql }
  )
  if (!res.ok) throw new Error(`analytics engine SQL API answered ${res.status}`)
  return ((await res.json()) as { data: Row[] }).data
}

/** Groups the three queries' rows into one store-shaped answer per region. */
export function engineAnswers(
  rows: { breakdown: Row[]; series: Row[]; urls: Row[] },
  window: AnalyticsWindow,
  top: number
): RegionAnswer[] {
  const answers = new Map<string, StoreAnswer>()
  const of = (region: unknown) => {
    const name = String(region)
    const answer = answers.get(name) ?? { series: [], breakdown: [], topUrls: [], topMisses: [] }
    answers.set(name, answer)
    return answer
  }
  for (const r of rows.breakdown) {
    const row: BreakdownRow = fields(
      r,
      ['layer', 'origin', 'colo', 'statusClass'],
      ['requests', 'bytesToClient', 'bytesFromOrigin']
    )
    of(r.region).breakdown.push(row)
  }
  for (const r of rows.series) {
    const point: SeriesPoint = {
      t: Math.max(window.since, count(r.t) * 1000),
      ...fields(r, ['key'], ['requests', 'hits', 'bytesToClient', 'bytesFromOrigin']),
    }
    of(r.region).series.push(point)
  }
  for (const r of rows.urls) {
    const url: TopUrl = fields(r, ['url'], ['requests', 'misses', 'bytesToClient'])
    const answer = of(r.region)
    if (answer.topUrls.length < top) answer.topUrls.push(url)
    if (url.misses > 0) answer.topMisses.push(url)
  }
  for (const answer of answers.values()) {
    answer.topMisses = answer.topMisses.sort((a, b) => b.misses - a.misses).slice(0, top)
  }
  return [...answers].map(([region, answer]) => ({ region, answer }))
}

/** The SQL API answers numbers as numbers or strings, and a missing sum as nothing. */
function count(value: unknown): number {
  return Number(value) || 0
}

/** A row's `texts` as strings and its `counts` as numbers, in that order. */
function fields<T extends string, C extends string>(
  row: Row,
  texts: readonly T[],
  counts: readonly C[]
): Record<T, string> & Record<C, number> {
  return Object.fromEntries([
    ...texts.map((name) => [name, String(row[name])]),
    ...counts.map((name) => [name, count(row[name])]),
  ]) as Record<T, string> & Record<C, number>
}
