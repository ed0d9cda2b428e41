/**
 * @module metrics
 * `/_admin/metrics`: the network-wide figures of the analytics stores (every zone, every region,
 * whichever isolate served the requests), plus purge counters, which are this isolate's own
 * (named `edge_isolate_*` to say so).
 */
import { DURATION_BUCKETS_SECONDS } from './analytics/batch'
import { Family, prometheusText, type ZoneRegionTotals } from './analytics/prometheus'

const purges = new Family(
  'edge_isolate_purges_total',
  'counter',
  'Purge calls this isolate handled, by kind.'
)
const purgeRecords = new Family(
  'edge_isolate_purge_records_total',
  'counter',
  'Purge records this isolate appended, by kind.'
)
const purgeDuration = new Family(
  'edge_isolate_purge_duration_seconds',
  'histogram',
  'Time for a purge to be durable in the purge log, in this isolate.'
)

/** Records a purge call and how long it took to be durable. */
export function recordPurge(kind: string, records: number, durationMs: number): void {
  purges.add({ kind }, 1)
  purgeRecords.add({ kind }, records)
  const counts = new Array<number>(DURATION_BUCKETS_SECONDS.length + 1).fill(0)
  const at = DURATION_BUCKETS_SECONDS.findIndex((le) => durationMs / 1000 <= le)
  counts[at === -1 ? DURATION_BUCKETS_SECONDS.length : at] = 1
  purgeDuration.observe({ kind }, counts, durationMs / 1000)
}

/**
 * @param totals the stores' cumulative totals
 * @returns every figure in Prometheus text exposition format
 */
export function metricsText(totals: readonly ZoneRegionTotals[]): string {
  return prometheusText(totals, [purges, purgeRecords, purgeDuration])
}
