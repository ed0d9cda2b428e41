/**
 * @module analytics/report
 * A zone's analytics report from its stores' answers, one per region: totals by layer, region,
 * PoP and status class, a time series split by the asked dimension, top-N tables and the origin
 * cost saved. Pure.
 */
import type { AnalyticsWindow } from '../../schemas/api/analytics'
import type { StoreAnswer } from './analytics-store'
import { costSaved, type EgressRates } from './cost'
import type { TopUrl } from './store-sql'

export interface RegionAnswer {
  region: string
  answer: StoreAnswer
}

export interface SeriesOut {
  t: string
  requests: number
  hits: number
  bytesToClient: number
  bytesFromOrigin: number
  /** Requests per value of the `by` dimension. */
  groups: Record<string, number>
}

export interface ReportQuery {
  zone: string
  window: AnalyticsWindow
  by: string
  top: number
  rates: EgressRates
}

type Counts = Record<string, number>

interface OriginTotals {
  origin: string
  requests: number
  bytesFromOrigin: number
  bytesFromCache: number
}

function add(counts: Counts, key: string, by: number): void {
  counts[key] = (counts[key] ?? 0) + by
}

/** @returns the report the analytics API answers with */
export function buildReport(query: ReportQuery, answers: readonly RegionAnswer[]) {
  const byLayer: Counts = {}
  const byStatus: Counts = {}
  const byColo: Counts = {}
  const byRegion: Record<string, { requests: number; byLayer: Counts }> = {}
  const origins = new Map<string, OriginTotals>()
  let requests = 0
  let bytesToClient = 0
  let bytesFromOrigin = 0
  const costRows: { region: string; origin: string; layer: string; bytesToClient: number }[] = []
  for (const { region, answer } of answers) {
    for (const row of answer.breakdown) {
      requests += row.requests
      bytesToClient += row.bytesToClient
      bytesFromOrigin += row.bytesFromOrigin
      add(byLayer, row.layer, row.requests)
      add(byStatus, row.statusClass, row.requests)
      add(byColo, row.colo, row.requests)
      const r = byRegion[region] ?? { requests: 0, byLayer: {} }
      r.requests += row.requests
      add(r.byLayer, row.layer, row.requests)
      byRegion[region] = r
      const o = origins.get(row.origin) ?? {
        origin: row.origin,
        requests: 0,
        bytesFromOrigin: 0,
        bytesFromCache: 0,
      }
      o.requests += row.requests
      o.bytesFromOrigin += row.bytesFromOrigin
      if (row.layer === 'l1' || row.layer === 'tier') o.bytesFromCache += row.bytesToClient
      origins.set(row.origin, o)
      costRows.push({ region, ...row })
    }
  }
  const hits = (byLayer.l1 ?? 0) + (byLayer.tier ?? 0)
  const cacheable = hits + (byLayer.origin ?? 0)
  return {
    zone: query.zone,
    since: new Date(query.window.since).toISOString(),
    until: new Date(query.window.until).toISOString(),
    stepSeconds: query.window.stepMs / 1000,
    by: query.by,
    totals: {
      requests,
      hits,
      hitRatio: cacheable === 0 ? 0 : hits / cacheable,
      bytesToClient,
      bytesFromOrigin,
      byLayer,
      byRegion,
      byStatus,
      byColo,
    },
    series: mergeSeries(query, answers),
    top: {
      urls: mergeTop(answers, 'topUrls', 'requests', query.top),
      missingUrls: mergeTop(answers, 'topMisses', 'misses', query.top),
      origins: [...origins.values()].sort((a, b) => b.requests - a.requests).slice(0, query.top),
    },
    costSaved: costSaved(query.zone, costRows, query.rates),
  }
}

/** Every step of the window, zeros included, so charts have a continuous time axis. */
function mergeSeries(query: ReportQuery, answers: readonly RegionAnswer[]): SeriesOut[] {
  const { since, until, stepMs } = query.window
  const points = new Map<number, SeriesOut>()
  for (let t = since; t < until; t += stepMs) {
    points.set(t, {
      t: new Date(t).toISOString(),
      requests: 0,
      hits: 0,
      bytesToClient: 0,
      bytesFromOrigin: 0,
      groups: {},
    })
  }
  for (const { region, answer } of answers) {
    for (const p of answer.series) {
      const point = points.get(p.t)
      if (!point) continue
      point.requests += p.requests
      point.hits += p.hits
      point.bytesToClient += p.bytesToClient
      point.bytesFromOrigin += p.bytesFromOrigin
      add(point.groups, query.by === 'region' ? region : p.key, p.requests)
    }
  }
  return [...points.values()]
}

function mergeTop(
  answers: readonly RegionAnswer[],
  field: 'topUrls' | 'topMisses',
  order: 'requests' | 'misses',
  limit: number
): TopUrl[] {
  const merged = new Map<string, TopUrl>()
  for (const { answer } of answers) {
    for (const u of answer[field]) {
      const m = merged.get(u.url) ?? { url: u.url, requests: 0, misses: 0, bytesToClient: 0 }
      m.requests += u.requests
      m.misses += u.misses
      m.bytesToClient += u.bytesToClient
      merged.set(u.url, m)
    }
  }
  return [...merged.values()]
    .sort((a, b) => b[order] - a[order] || a.url.localeCompare(b.url))
    .slice(0, limit)
}
