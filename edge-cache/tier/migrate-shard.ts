/**
 * @module tier/migrate-shard
 * Brings a tier shard's SQLite to its schema (schemas/durable/tier) with drizzle-kit's
 * migrations, first adding the columns the code before them added by probing.
 */
import { drizzle } from 'drizzle-orm/durable-sqlite'
import { migrate } from 'drizzle-orm/durable-sqlite/migrator'
import migrations from '../../schemas/durable/tier/drizzle/migrations'

/**
 * Columns the code before drizzle's migrations added to live shards by probing
 * `pragma_table_info`. A shard that last ran before them lacks them, and the baseline migration
 * (CREATE ... IF NOT EXISTS) adopts its tables as they are, so they are added first; a shard on
 * drizzle's migrations never needs this.
 */
const PRE_DRIZZLE_COLUMNS: [table: string, column: string, definition: string][] = [
  ['entries', 'expires_at', 'INTEGER NOT NULL DEFAULT 0'],
  ['r2_bodies', 'bucket', 'TEXT'],
]

function addPreDrizzleColumns(sql: SqlStorage): void {
  const tables = new Set(
    sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((row) => row.name)
  )
  if (tables.has('__drizzle_migrations')) return
  for (const [table, column, definition] of PRE_DRIZZLE_COLUMNS) {
    if (!tables.has(table)) continue
    const columns = sql
      .exec<{ name: string }>('SELECT name FROM pragma_table_info(?)', table)
      .toArray()
      .map((row) => row.name)
    if (!columns.includes(column))
      sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`)
  }
}

/**
 * Brings a shard's SQLite to its schema (schemas/durable/tier): drizzle-kit's migrations, run by
 * drizzle's Durable Object migrator in one transactionSync. The migrator's work is synchronous,
 * so the tables exist when this returns; the promise only carries a failure.
 */
export function migrateTierShard(storage: DurableObjectStorage): Promise<void> {
  addPreDrizzleColumns(storage.sql)
  return migrate(drizzle(storage), migrations)
}
