/**
 * @module durable/purge-log/schema
 * A zone's purge log tables (the PurgeLog Durable Object): sequence-numbered records, the floor
 * older records were folded into, and the outbox of records not yet taken by Cloudflare.
 * @see edge-cache/purge/purge-log.ts for the queries
 */
import { sql } from 'drizzle-orm'
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** AUTOINCREMENT: `sqlite_sequence` keeps the last seq after compaction deleted the rows. */
export const recordsTable = sqliteTable('records', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  kind: text('kind').notNull(),
  value: text('value').notNull(),
  soft: integer('soft').notNull(),
  createdAt: integer('created_at').notNull(),
})

/** One row (id 0): records up to `seq` were folded away; entries stored before count as purged. */
export const floorTable = sqliteTable(
  'floor',
  {
    id: integer('id').primaryKey(),
    seq: integer('seq').notNull(),
  },
  () => [check('floor_single_row', sql`id = 0`)]
)

/** Records not yet taken by Cloudflare's purge API (only when forwarding is configured). */
export const forwardOutboxTable = sqliteTable('forward_outbox', {
  seq: integer('seq').primaryKey(),
})
