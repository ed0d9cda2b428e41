/**
 * @module durable/health-monitor/schema
 * A health monitor's tables (the HealthMonitor Durable Object, one per zone and region): the
 * zone it watches, each origin's state, and its last probes and transitions.
 * @see origin/health-monitor.ts for the queries
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** Key-value facts about the object; `zone` names the zone it monitors. */
export const metaTable = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

/** Each monitored origin's up/down state (origin/monitor.ts) and when it is next due. */
export const stateTable = sqliteTable('state', {
  origin: text('origin').primaryKey(),
  healthy: integer('healthy').notNull(),
  streak: integer('streak').notNull(),
  since: integer('since').notNull(),
  nextAt: integer('next_at').notNull(),
})

/** The last probes per origin (HISTORY of them are kept). */
export const probesTable = sqliteTable(
  'probes',
  {
    origin: text('origin').notNull(),
    at: integer('at').notNull(),
    ok: integer('ok').notNull(),
    status: integer('status'),
    ms: integer('ms').notNull(),
    reason: text('reason'),
  },
  (t) => [index('probes_by_origin').on(t.origin, t.at)]
)

/** Up/down transitions per origin. */
export const transitionsTable = sqliteTable('transitions', {
  origin: text('origin').notNull(),
  at: integer('at').notNull(),
  healthy: integer('healthy').notNull(),
  reason: text('reason'),
})
