/**
 * @module config/tables
 * D1 tables holding the platform's configuration. JSON columns hold records validated by the
 * zod schemas in `schemas/api`, so one definition gives types, validation and storage.
 */
import { sql } from 'drizzle-orm'
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

const timestamps = {
  createdAt: integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
}

export const zonesTable = sqliteTable('zones', {
  name: text('name').primaryKey(),
  /** JSON array of host names this zone answers for; `*` is the catch-all. */
  hosts: text('hosts', { mode: 'json' }).$type<string[]>().notNull(),
  ...timestamps,
})

export const originsTable = sqliteTable(
  'origins',
  {
    zone: text('zone')
      .notNull()
      .references(() => zonesTable.name, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** An `OriginSpec` (schemas/api/config.ts). Secrets are referenced by name, never stored. */
    spec: text('spec', { mode: 'json' }).$type<unknown>().notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.zone, t.name] })]
)

export const routesTable = sqliteTable(
  'routes',
  {
    zone: text('zone')
      .notNull()
      .references(() => zonesTable.name, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** A `RouteSpec` (schemas/api/config.ts): path prefix, origin name, caching options. */
    spec: text('spec', { mode: 'json' }).$type<unknown>().notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.zone, t.name] })]
)
