/**
 * Looks into a Durable Object's SQLite for the schema tests (test/integration/schemas/durable):
 * what tables and columns it holds, and how to put it back into the state of an object from
 * before drizzle's migrations.
 */
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core'

/** Tables SQLite and workerd keep for themselves, never the object's own. */
const INTERNAL = /^(sqlite_|_cf_)/

/** The object's own tables (with drizzle's `__drizzle_migrations`), by name. */
export function tableNames(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .toArray()
    .map((row) => row.name)
    .filter((name) => !INTERNAL.test(name))
}

/** A table's columns in order, as `name type`. */
export function columnsOf(sql: SqlStorage, table: string): string[] {
  return sql
    .exec<{ name: string; type: string }>('SELECT name, type FROM pragma_table_info(?)', table)
    .toArray()
    .map((row) => `${row.name} ${row.type.toLowerCase()}`)
}

/** Every index the object's tables carry, by name (SQLite's automatic ones left out). */
export function indexNames(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    .toArray()
    .map((row) => row.name)
}

/** What a drizzle table definition says its columns are, in order, as `name type`. */
export function definedColumns(table: SQLiteTable): string[] {
  return getTableConfig(table).columns.map((c) => `${c.name} ${c.getSQLType().toLowerCase()}`)
}

/** How many of the object's drizzle migrations are recorded as applied. */
export function appliedMigrations(sql: SqlStorage): number {
  return sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM __drizzle_migrations').one().n
}

/**
 * Drops every table of the object (its migrations' record included) and runs `statements`: an
 * object as the code before drizzle's migrations left it. Call it, fill rows, then evict the
 * object (`evictDurableObject`) so that its next constructor finds these tables.
 */
export function recreate(sql: SqlStorage, statements: string[]): void {
  // Dropping a table also drops its indexes and its sqlite_sequence row.
  for (const table of tableNames(sql)) sql.exec(`DROP TABLE ${table}`)
  for (const statement of statements) sql.exec(statement)
}
