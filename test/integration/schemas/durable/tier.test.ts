/**
 * A tier shard's SQLite schema (schemas/durable/tier): a fresh CacheTier migrates to it, and
 * shards holding the tables the code before drizzle's migrations created upgrade in place,
 * keeping their entries (in the main segment), bodies and restores, including a shard from
 * before the columns that code added by probing `pragma_table_info`.
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import type { CacheTier } from '../../../../edge-cache/tier/cache-tier'
import { RestoresStore } from '../../../../edge-cache/tier/restores-store'
import { TierStore } from '../../../../edge-cache/tier/tier-store'
import migrations from '../../../../schemas/durable/tier/drizzle/migrations'
import {
  chunksTable,
  entriesTable,
  r2BodiesTable,
  restoresTable,
  sketchTable,
  varyTable,
} from '../../../../schemas/durable/tier/schema'
import {
  appliedMigrations,
  columnsOf,
  definedColumns,
  indexNames,
  recreate,
  tableNames,
} from '../../../support/durable-schema'

const TABLES = {
  chunks: chunksTable,
  entries: entriesTable,
  r2_bodies: r2BodiesTable,
  restores: restoresTable,
  sketch: sketchTable,
  vary: varyTable,
}
const INDEXES = ['entries_access', 'entries_expiry', 'entries_primary', 'entries_segment_access']

/** Tables and indexes as the first tier code created them, before `expires_at` and `bucket`. */
const BEFORE_PROBED_COLUMNS = [
  `CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY, primary_key TEXT NOT NULL, meta TEXT NOT NULL, headers TEXT NOT NULL,
    body_id TEXT NOT NULL, size INTEGER NOT NULL, chunks INTEGER NOT NULL,
    stored_at INTEGER NOT NULL, last_access INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS entries_primary ON entries (primary_key)',
  'CREATE TABLE IF NOT EXISTS vary (primary_key TEXT PRIMARY KEY, fields TEXT NOT NULL)',
  `CREATE TABLE IF NOT EXISTS chunks (
    body_id TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (body_id, seq))`,
  'CREATE TABLE IF NOT EXISTS r2_bodies (body_id TEXT PRIMARY KEY)',
  'CREATE TABLE IF NOT EXISTS sketch (id INTEGER PRIMARY KEY, width INTEGER NOT NULL, additions INTEGER NOT NULL, counters BLOB NOT NULL)',
  'CREATE TABLE IF NOT EXISTS restores (key TEXT PRIMARY KEY, started_at INTEGER NOT NULL)',
]

/** The same after the probe had added its columns and the later indexes: today's shards. */
const WITH_PROBED_COLUMNS = [
  ...BEFORE_PROBED_COLUMNS,
  'ALTER TABLE entries ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0',
  'ALTER TABLE r2_bodies ADD COLUMN bucket TEXT',
  'CREATE INDEX IF NOT EXISTS entries_access ON entries (last_access)',
  'CREATE INDEX IF NOT EXISTS entries_expiry ON entries (expires_at)',
]

const META = { vary: [], storedAt: 1 }
/** Every migration drizzle-kit generated for the tier runs, once. */
const MIGRATIONS = Object.keys(migrations.migrations).length

/** A shard of its own per test, beyond the region's real shards. */
function shard(name: string) {
  return env.CACHE_TIER.get(env.CACHE_TIER.idFromName(`tier:eu:schema-${name}`))
}

describe('tier shard schema', () => {
  it('migrates a fresh shard to the tables schema.ts defines', async ({ expect }) => {
    const found = await runInDurableObject(shard('fresh'), (_tier: CacheTier, state) => ({
      tables: tableNames(state.storage.sql),
      columns: Object.keys(TABLES).map((table) => columnsOf(state.storage.sql, table)),
      indexes: indexNames(state.storage.sql),
      applied: appliedMigrations(state.storage.sql),
    }))
    expect(found.tables).toEqual(['__drizzle_migrations', ...Object.keys(TABLES)])
    expect(found.columns).toEqual(Object.values(TABLES).map(definedColumns))
    expect(found.indexes).toEqual(INDEXES)
    expect(found.applied).toBe(MIGRATIONS)
  })

  it.for<[string, string, string[]]>([
    ['before the probed columns', 'old', BEFORE_PROBED_COLUMNS],
    ['with the probed columns', 'probed', WITH_PROBED_COLUMNS],
  ])(
    'upgrades a shard holding the pre-drizzle tables %s without losing rows',
    async ([, name, statements], { expect }) => {
      const stub = shard(name)
      await runInDurableObject(stub, (_tier: CacheTier, state) => {
        const sql = state.storage.sql
        recreate(sql, statements)
        sql.exec(
          `INSERT INTO entries (key, primary_key, meta, headers, body_id, size, chunks, stored_at,
          last_access) VALUES ('k', 'p', ?, '[]', 'b1', 3, 1, 1, 1)`,
          JSON.stringify(META)
        )
        sql.exec("INSERT INTO vary (primary_key, fields) VALUES ('p', '[]')")
        sql.exec(
          "INSERT INTO chunks (body_id, seq, data) VALUES ('b1', 0, ?)",
          new Uint8Array([1, 2, 3])
        )
        sql.exec("INSERT INTO r2_bodies (body_id) VALUES ('b2')")
        sql.exec("INSERT INTO restores (key, started_at) VALUES ('s3://bucket/key', 5)")
      })
      await evictDurableObject(stub)

      const found = await runInDurableObject(stub, (_tier: CacheTier, state) => {
        const sql = state.storage.sql
        const store = new TierStore(sql)
        return {
          columns: Object.keys(TABLES).map((table) => columnsOf(sql, table)),
          indexes: indexNames(sql),
          applied: appliedMigrations(sql),
          entry: store.get('k', 2),
          chunk: store.readChunk('b1', 0),
          vary: store.varyFields('p'),
          bucket: store.r2Bucket('b2'),
          restore: new RestoresStore(sql).get('s3://bucket/key'),
          nextExpiry: store.nextExpiry(),
          placed: store.placed('k'),
          segments: store.segmentUsage(),
        }
      })
      expect(found.columns).toEqual(Object.values(TABLES).map(definedColumns))
      expect(found.indexes).toEqual(INDEXES)
      expect(found.applied).toBe(MIGRATIONS)
      expect(found.entry).toMatchObject({ key: 'k', meta: META, bodyId: 'b1', size: 3, chunks: 1 })
      expect(found.chunk).toEqual(new Uint8Array([1, 2, 3]))
      expect(found.vary).toEqual([])
      // NULL bucket: the shared tier bucket; an entry without expiry reads as expired at 0.
      expect(found.bucket).toBe('TIER_BUCKET')
      expect(found.restore).toEqual({ startedAt: 5 })
      expect(found.nextExpiry).toBe(0)
      // Entries from before the window (migration 0002) are in main, as the policy kept them.
      expect(found.placed).toEqual({ size: 3, segment: 'main' })
      expect(found.segments).toEqual({ window: 0, main: 3 })
    }
  )
})
