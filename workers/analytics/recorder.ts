/**
 * @module analytics/recorder
 * The hot path's side of analytics. `record` is synchronous: it folds the event into this
 * isolate's batch for the zone and region (and hands it to Workers Analytics Engine when that is
 * bound, which is itself non-blocking). The first event of a batch schedules its flush through
 * `waitUntil`, `flushMs` later, to the zone's store object for that region. A flush that fails
 * is logged and dropped: it loses counts, never a request.
 */

import { logJson } from '../../edge-cache/tracing/log'
import { AnalyticsBatch, type BatchContents } from './batch'
import type { AnalyticsEvent } from './event'

/** Where a batch goes: the store object of one zone in one region. */
export type AnalyticsSink = (zone: string, region: string, batch: BatchContents) => Promise<void>

export interface RecordOptions {
  sink: AnalyticsSink
  flushMs: number
  waitUntil(promise: Promise<unknown>): void
  now: number
  /** Sleeps `ms`; tests pass one that resolves at once. */
  sleep?: (ms: number) => Promise<void>
}

const pending = new Map<string, { zone: string; region: string; batch: AnalyticsBatch }>()

/**
 * Folds the event into this isolate's batch and, for a new batch, schedules its flush.
 * @param event the request's event
 * @param options where and when batches go
 */
export function record(event: AnalyticsEvent, options: RecordOptions): void {
  const key = `${event.zone}\n${event.region}`
  let open = pending.get(key)
  if (!open) {
    open = { zone: event.zone, region: event.region, batch: new AnalyticsBatch() }
    pending.set(key, open)
    const sleep = options.sleep ?? delay
    options.waitUntil(sleep(options.flushMs).then(() => flush(key, options.sink)))
  }
  open.batch.add(event, options.now)
}

/** Sends one batch; a new one opens with the next event. */
async function flush(key: string, sink: AnalyticsSink): Promise<void> {
  const open = pending.get(key)
  if (!open) return
  pending.delete(key)
  const contents = open.batch.contents()
  try {
    await sink(open.zone, open.region, contents)
  } catch (error) {
    logJson('error', {
      analytics: 'flush failed, counts lost',
      zone: open.zone,
      region: open.region,
      events: open.batch.events,
      error: String(error),
    })
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
