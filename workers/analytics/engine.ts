/**
 * @module analytics/engine
 * The production event stream: one Workers Analytics Engine data point per request.
 * `writeDataPoint` does not block and returns nothing; the data is queried through the SQL API
 * (`SELECT blob1 AS zone, SUM(_sample_interval) … FROM edge_cdn_requests`).
 * @see https://developers.cloudflare.com/analytics/analytics-engine/
 */
import { logJson } from '../../edge-cache/tracing/log'
import type { AnalyticsEvent } from './event'

/** Column order of the dataset, for queries: `blobN` is `BLOBS[N - 1]`. */
export const BLOBS = [
  'zone',
  'route',
  'region',
  'colo',
  'layer',
  'outcome',
  'statusClass',
  'origin',
  'url',
] as const
/** `doubleN` is `DOUBLES[N - 1]`. */
export const DOUBLES = ['bytesToClient', 'bytesFromOrigin', 'originMs', 'totalMs'] as const

/**
 * @param event the request's event
 * @returns the data point, indexed (sampled) by zone
 */
export function dataPointOf(event: AnalyticsEvent): AnalyticsEngineDataPoint {
  return {
    indexes: [event.zone],
    blobs: BLOBS.map((name) => event[name]),
    doubles: DOUBLES.map((name) => event[name]),
  }
}

/**
 * Writes the event when the dataset is bound; a failure never reaches the request.
 * @param dataset the ANALYTICS binding, absent where it is not configured
 */
export function writeEvent(dataset: AnalyticsEngineDataset | undefined, event: AnalyticsEvent) {
  try {
    dataset?.writeDataPoint(dataPointOf(event))
  } catch (error) {
    logJson('error', { analytics: 'writeDataPoint failed', error: String(error) })
  }
}
