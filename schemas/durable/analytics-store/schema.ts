/**
 * @module durable/analytics-store/schema
 * A zone's analytics tables in one region (the AnalyticsStore Durable Object): minute buckets,
 * the busiest URLs per minute, and cumulative totals and duration histograms for Prometheus.
 * Column order matters: workers/analytics/store-sql.ts inserts rows positionally.
 */
import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** The dimensions every request is counted under. */
const dimensions = () => ({
  route: text('route').notNull(),
  colo: text('colo').notNull(),
  layer: text('layer').notNull(),
  outcome: text('outcome').notNull(),
  statusClass: text('status_class').notNull(),
  origin: text('origin').notNull(),
})

/** What every request adds to its dimensions' row. */
const traffic = () => ({
  requests: integer('requests').notNull(),
  bytesClient: integer('bytes_client').notNull(),
  bytesOrigin: integer('bytes_origin').notNull(),
})

export const minutesTable = sqliteTable(
  'minutes',
  {
    minute: integer('minute').notNull(),
    ...dimensions(),
    ...traffic(),
    originMs: real('origin_ms').notNull(),
    totalMs: real('total_ms').notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.minute, t.route, t.colo, t.layer, t.outcome, t.statusClass, t.origin],
    }),
  ]
)

export const urlsTable = sqliteTable(
  'urls',
  {
    minute: integer('minute').notNull(),
    url: text('url').notNull(),
    requests: integer('requests').notNull(),
    misses: integer('misses').notNull(),
    bytesClient: integer('bytes_client').notNull(),
  },
  (t) => [primaryKey({ columns: [t.minute, t.url] })]
)

export const totalsTable = sqliteTable(
  'totals',
  {
    ...dimensions(),
    ...traffic(),
  },
  (t) => [primaryKey({ columns: [t.route, t.colo, t.layer, t.outcome, t.statusClass, t.origin] })]
)

/** Per layer and kind: JSON bucket counts (DURATION_BUCKETS_SECONDS) and the sum. */
export const histogramsTable = sqliteTable(
  'histograms',
  {
    layer: text('layer').notNull(),
    kind: text('kind').notNull(),
    counts: text('counts').notNull(),
    sumMs: real('sum_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.layer, t.kind] })]
)
