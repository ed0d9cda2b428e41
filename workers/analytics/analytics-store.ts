/**
 * @module analytics/analytics-store
 * The local analytics store: one Durable Object per zone and region (`analytics:<zone>:<region>`)
 * that isolates flush their batches to every `ANALYTICS_FLUSH_MS`. Thin: the SQL is in
 * store-sql.ts. In production Workers Analytics Engine receives the same events as well.
 */
import { DurableObject } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/durable-sqlite'
import { migrate } from 'drizzle-orm/durable-sqlite/migrator'
import migrations from '../../schemas/durable/analytics-store/drizzle/migrations'
import { settingsOf } from '../../schemas/settings'
import type { BatchContents } from './batch'
import {
  type BreakdownRow,
  breakdown,
  countUrls,
  ingest,
  prune,
  type SeriesDimension,
  type SeriesPoint,
  series,
  type TopUrl,
  topUrls,
  totals,
} from './store-sql'

/** The store object of a zone in a region. */
export function analyticsStoreName(zone: string, region: string): string {
  return `analytics:${zone}:${region}`
}

const PRUNE_EVERY_MS = 3600_000
/** URLs are kept a day: the top-N tables are for recent traffic. */
const URL_RETENTION_MS = 24 * 3600_000

export interface StoreQuery {
  since: number
  until: number
  stepMs: number
  by: SeriesDimension
  top: number
}

export interface StoreAnswer {
  series: SeriesPoint[]
  breakdown: BreakdownRow[]
  topUrls: TopUrl[]
  topMisses: TopUrl[]
}

export class AnalyticsStore extends DurableObject<Env> {
  readonly #sql: SqlStorage
  readonly #urlCounts = new Map<number, number>()
  #prunedAt = 0

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#sql = ctx.storage.sql
    // The tables: schemas/durable/analytics-store.
    void ctx.blockConcurrencyWhile(() => migrate(drizzle(ctx.storage), migrations))
  }

  /** Adds an isolate's batch; prunes what is past retention at most once an hour. */
  async ingest(batch: BatchContents): Promise<void> {
    const now = Date.now()
    this.ctx.storage.transactionSync(() => {
      ingest(this.#sql, batch, (minute) => {
        const known = this.#urlCounts.get(minute) ?? countUrls(this.#sql, minute)
        this.#urlCounts.set(minute, known + 1)
        return known
      })
      if (now - this.#prunedAt > PRUNE_EVERY_MS) {
        this.#prunedAt = now
        prune(this.#sql, now - settingsOf(this.env).analyticsRetentionMs, now - URL_RETENTION_MS)
        for (const minute of this.#urlCounts.keys()) {
          if (minute < now - 120_000) this.#urlCounts.delete(minute)
        }
      }
    })
  }

  async query(query: StoreQuery): Promise<StoreAnswer> {
    return {
      series: series(this.#sql, query, query.by),
      breakdown: breakdown(this.#sql, query),
      topUrls: topUrls(this.#sql, query, 'requests', query.top),
      topMisses: topUrls(this.#sql, query, 'misses', query.top),
    }
  }

  /** Cumulative counters and histograms, for Prometheus. */
  async totals(): Promise<ReturnType<typeof totals>> {
    return totals(this.#sql)
  }
}
