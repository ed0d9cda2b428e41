/**
 * @module analytics/batch
 * An isolate's unsent analytics: events folded into counter rows per minute and dimension, a
 * duration histogram per layer, and the busiest URLs (bounded). Pure; the recorder flushes it.
 * Whatever the traffic, a batch stays small: rows are counters, URLs are capped per minute.
 */
import type { AnalyticsEvent } from './event'

/** Upper bounds of the duration histograms, in seconds (Prometheus `le`); +Inf is implied. */
export const DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const

/** Distinct URLs a batch keeps per minute; the rest count under `(other)`. */
export const URLS_PER_MINUTE = 100
export const OTHER_URL = '(other)'

export interface CounterRow {
  /** Start of the minute, epoch ms. */
  minute: number
  route: string
  colo: string
  layer: string
  outcome: string
  statusClass: string
  origin: string
  requests: number
  bytesToClient: number
  bytesFromOrigin: number
  originMs: number
  totalMs: number
}

export interface UrlRow {
  minute: number
  url: string
  requests: number
  /** Requests the origin answered (the cache missed). */
  misses: number
  bytesToClient: number
}

/** Counts per duration bucket, `counts[i]` for `≤ DURATION_BUCKETS_SECONDS[i]`, last is +Inf. */
export interface HistogramRow {
  layer: string
  /** `total`: time to the response's headers; `origin`: the origin's part. */
  kind: 'total' | 'origin'
  counts: number[]
  sumMs: number
}

export interface BatchContents {
  rows: CounterRow[]
  urls: UrlRow[]
  histograms: HistogramRow[]
}

export class AnalyticsBatch {
  readonly #rows = new Map<string, CounterRow>()
  readonly #urls = new Map<string, UrlRow>()
  readonly #urlsPerMinute = new Map<number, number>()
  readonly #histograms = new Map<string, HistogramRow>()
  #events = 0

  /** Events folded in since the batch was created. */
  get events(): number {
    return this.#events
  }

  /**
   * @param event the request's event
   * @param now epoch ms, for its minute
   */
  add(event: AnalyticsEvent, now: number): void {
    this.#events++
    const minute = now - (now % 60_000)
    const dims = [minute, event.route, event.colo, event.layer, event.outcome, event.statusClass]
    const key = [...dims, event.origin].join('\n')
    const row = this.#rows.get(key) ?? {
      minute,
      route: event.route,
      colo: event.colo,
      layer: event.layer,
      outcome: event.outcome,
      statusClass: event.statusClass,
      origin: event.origin,
      requests: 0,
      bytesToClient: 0,
      bytesFromOrigin: 0,
      originMs: 0,
      totalMs: 0,
    }
    row.requests++
    row.bytesToClient += event.bytesToClient
    row.bytesFromOrigin += event.bytesFromOrigin
    row.originMs += event.originMs
    row.totalMs += event.totalMs
    this.#rows.set(key, row)
    this.#addUrl(minute, event)
    this.#observe(event.layer, 'total', event.totalMs)
    if (event.layer === 'origin') this.#observe(event.layer, 'origin', event.originMs)
  }

  /** @returns everything folded in, as plain data for the store */
  contents(): BatchContents {
    return {
      rows: [...this.#rows.values()],
      urls: [...this.#urls.values()],
      histograms: [...this.#histograms.values()],
    }
  }

  #addUrl(minute: number, event: AnalyticsEvent): void {
    let key = `${minute}\n${event.url}`
    let url = event.url
    if (!this.#urls.has(key)) {
      const seen = this.#urlsPerMinute.get(minute) ?? 0
      if (seen >= URLS_PER_MINUTE) {
        url = OTHER_URL
        key = `${minute}\n${OTHER_URL}`
      } else this.#urlsPerMinute.set(minute, seen + 1)
    }
    const row = this.#urls.get(key) ?? { minute, url, requests: 0, misses: 0, bytesToClient: 0 }
    row.requests++
    if (event.layer === 'origin') row.misses++
    row.bytesToClient += event.bytesToClient
    this.#urls.set(key, row)
  }

  #observe(layer: string, kind: HistogramRow['kind'], ms: number): void {
    const key = `${layer}\n${kind}`
    const row = this.#histograms.get(key) ?? {
      layer,
      kind,
      counts: new Array<number>(DURATION_BUCKETS_SECONDS.length + 1).fill(0),
      sumMs: 0,
    }
    const at = DURATION_BUCKETS_SECONDS.findIndex((le) => ms / 1000 <= le)
    const index = at === -1 ? DURATION_BUCKETS_SECONDS.length : at
    row.counts[index] = (row.counts[index] ?? 0) + 1
    row.sumMs += ms
    this.#histograms.set(key, row)
  }
}
