/**
 * @module durable/tier/schema
 * A tier shard's SQLite tables (the CacheTier Durable Object): entries per Vary variant, Vary
 * fields per URL, body chunks, bodies moved to R2, the saved admission sketch, and archive
 * restores started. One migration set for the whole object: drizzle's Durable Object migrator
 * keeps one `__drizzle_migrations` table per object.
 * @see edge-cache/tier/tier-store.ts and edge-cache/tier/restores-store.ts for the queries
 */
import { blob, index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** One row per stored variant; `key` is `variantKey(primaryKey, varyKey)`. */
export const entriesTable = sqliteTable(
  'entries',
  {
    key: text('key').primaryKey(),
    primaryKey: text('primary_key').notNull(),
    /** JSON EntryMeta. */
    meta: text('meta').notNull(),
    /** JSON [name, value][]. */
    headers: text('headers').notNull(),
    bodyId: text('body_id').notNull(),
    size: integer('size').notNull(),
    chunks: integer('chunks').notNull(),
    storedAt: integer('stored_at').notNull(),
    lastAccess: integer('last_access').notNull(),
    /** When the sweep may delete the entry (freshness plus stale windows). */
    expiresAt: integer('expires_at').notNull().default(0),
    /**
     * W-TinyLFU's segment (tier/window.ts): 'window' for a newcomer still in the admission
     * window, 'main' once it won admission. Rows from before migration 0002 are in main, where
     * the shard's previous policy kept everything.
     */
    segment: text('segment', { enum: ['window', 'main'] })
      .notNull()
      .default('main'),
  },
  (t) => [
    index('entries_primary').on(t.primaryKey),
    index('entries_access').on(t.lastAccess),
    index('entries_expiry').on(t.expiresAt),
    /** Each segment's LRU order, for its evictions. */
    index('entries_segment_access').on(t.segment, t.lastAccess, t.storedAt),
  ]
)

/** The Vary fields last stored for a URL (JSON string[]). */
export const varyTable = sqliteTable('vary', {
  primaryKey: text('primary_key').primaryKey(),
  fields: text('fields').notNull(),
})

/** Bodies in chunks under SQLite's row limit, addressed by body id. */
export const chunksTable = sqliteTable(
  'chunks',
  {
    bodyId: text('body_id').notNull(),
    seq: integer('seq').notNull(),
    data: blob('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bodyId, t.seq] })]
)

/** Bodies moved to an R2 tier bucket, keyed `tier/<body id>`; `bucket` NULL is TIER_BUCKET. */
export const r2BodiesTable = sqliteTable('r2_bodies', {
  bodyId: text('body_id').primaryKey(),
  bucket: text('bucket'),
})

/** The admission sketch, saved by the sweep so a restart does not forget popularity. */
export const sketchTable = sqliteTable('sketch', {
  id: integer('id').primaryKey(),
  width: integer('width').notNull(),
  additions: integer('additions').notNull(),
  counters: blob('counters').notNull(),
  /**
   * Start of the counts' history (ms); NULL in a sketch saved before it was recorded. Last, as
   * migration 0001 added it (ALTER TABLE appends).
   */
  since: integer('since'),
  /**
   * The admission window's share of the budget the miniatures chose (tier/miniatures.ts); NULL
   * before it was recorded. Last, as migration 0003 added it.
   */
  windowShare: real('window_share'),
})

/** Archive restores started, one row per object (`s3://bucket/key`). */
export const restoresTable = sqliteTable('restores', {
  key: text('key').primaryKey(),
  startedAt: integer('started_at').notNull(),
})
