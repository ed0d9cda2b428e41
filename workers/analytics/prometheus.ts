/**
 * @module analytics/prometheus
 * Prometheus text exposition (format 0.0.4) of the network-wide totals the analytics stores keep:
 * every family with `# HELP` and `# TYPE`, counters ending `_total`, units in names, durations
 * as histograms in seconds. Pure: it renders what it is given.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
import { DURATION_BUCKETS_SECONDS } from './batch'
import type { StoredHistogram, TotalsRow } from './store-sql'

export interface ZoneRegionTotals {
  zone: string
  region: string
  rows: TotalsRow[]
  histograms: StoredHistogram[]
}

type Labels = Record<string, string>

/** A metric family: HELP, TYPE and its samples, rendered once. */
export class Family {
  readonly #samples = new Map<string, { suffix: string; labels: string; value: number }>()
  constructor(
    readonly name: string,
    readonly type: 'counter' | 'histogram' | 'gauge',
    readonly help: string
  ) {}

  add(labels: Labels, value: number, suffix = ''): void {
    const text = labelText(labels)
    const key = `${suffix}${text}`
    const sample = this.#samples.get(key) ?? { suffix, labels: text, value: 0 }
    sample.value += value
    this.#samples.set(key, sample)
  }

  /** Adds a histogram's cumulative buckets, `_sum` (seconds) and `_count`. */
  observe(labels: Labels, counts: readonly number[], sumSeconds: number): void {
    let cumulative = 0
    DURATION_BUCKETS_SECONDS.forEach((le, i) => {
      cumulative += counts[i] ?? 0
      this.add({ ...labels, le: String(le) }, cumulative, '_bucket')
    })
    cumulative += counts[DURATION_BUCKETS_SECONDS.length] ?? 0
    this.add({ ...labels, le: '+Inf' }, cumulative, '_bucket')
    this.add(labels, sumSeconds, '_sum')
    this.add(labels, cumulative, '_count')
  }

  render(): string[] {
    if (this.#samples.size === 0) return []
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`]
    for (const s of this.#samples.values()) {
      lines.push(`${this.name}${s.suffix}${s.labels} ${s.value}`)
    }
    return lines
  }
}

/**
 * @param totals cumulative totals per zone and region
 * @param extra families from elsewhere (this isolate's purge counters)
 * @returns the exposition text
 */
export function prometheusText(totals: readonly ZoneRegionTotals[], extra: Family[] = []): string {
  const requests = new Family(
    'edge_requests_total',
    'counter',
    'Requests served, by the layer that answered (l1, tier, origin, edge) and status class.'
  )
  const served = new Family(
    'edge_response_bytes_total',
    'counter',
    'Bytes sent to clients (declared Content-Length), by the layer that answered.'
  )
  const fromOrigin = new Family(
    'edge_origin_bytes_total',
    'counter',
    'Bytes fetched from origins for clients.'
  )
  const duration = new Family(
    'edge_request_duration_seconds',
    'histogram',
    'Time from the request to the response headers at the edge, by layer.'
  )
  const originDuration = new Family(
    'edge_origin_duration_seconds',
    'histogram',
    'Time the origin took on requests it answered.'
  )
  for (const { zone, region, rows, histograms } of totals) {
    for (const r of rows) {
      const labels = { zone, region, layer: r.layer }
      requests.add({ ...labels, colo: r.colo, status_class: r.statusClass }, r.requests)
      served.add(labels, r.bytesToClient)
      fromOrigin.add({ zone, region, origin: r.origin }, r.bytesFromOrigin)
    }
    for (const h of histograms) {
      const family = h.kind === 'origin' ? originDuration : duration
      family.observe({ zone, region, layer: h.layer }, h.counts, h.sumMs / 1000)
    }
  }
  const families = [requests, served, fromOrigin, duration, originDuration, ...extra]
  const lines = families.flatMap((f) => f.render())
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  const escaped = entries.map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`
  )
  return `{${escaped.join(',')}}`
}
