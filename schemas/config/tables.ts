/**
 * @module config/tables
 * D1 tables holding the platform's configuration, the admin API's tokens and its audit log.
 * JSON columns hold records validated by the zod schemas in `schemas/api`, so one definition
 * gives types, validation and storage.
 */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { DrillSpec } from '../api/chaos'

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

/**
 * A named record under a zone whose body is one JSON spec validated by a zod schema; deleting
 * the zone deletes its records.
 */
function zoneRecordTable<Name extends string>(table: Name) {
  return sqliteTable(
    table,
    {
      zone: text('zone')
        .notNull()
        .references(() => zonesTable.name, { onDelete: 'cascade' }),
      name: text('name').notNull(),
      spec: text('spec', { mode: 'json' }).$type<unknown>().notNull(),
      ...timestamps,
    },
    (t) => [primaryKey({ columns: [t.zone, t.name] })]
  )
}

/** `OriginSpec`s (schemas/api/config.ts). Secrets are referenced by name, never stored. */
export const originsTable = zoneRecordTable('origins')
/** `RouteSpec`s: path prefix, origin name, caching options. */
export const routesTable = zoneRecordTable('routes')
/** `ResidencyRuleSpec`s: what content, which region, which mode. */
export const residencyRulesTable = zoneRecordTable('residency_rules')

/**
 * What a zone's origins may use of the Worker's secrets and R2 buckets (origin/dependencies.ts).
 * Written with the bootstrap token only; a name must also be in the deployment's allow-list.
 */
export const grantsTable = sqliteTable(
  'grants',
  {
    zone: text('zone')
      .notNull()
      .references(() => zonesTable.name, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['secret', 'bucket', 'certificate'] }).notNull(),
    name: text('name').notNull(),
    createdAt: timestamps.createdAt,
  },
  (t) => [primaryKey({ columns: [t.zone, t.kind, t.name] })]
)

/**
 * Admin API tokens. Only the SHA-256 of a token is kept: its value is shown once, at creation.
 * Revoked tokens stay (with `revoked_at`) so that audit rows keep naming who they were.
 */
export const apiTokensTable = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  /** base64url SHA-256 of the token value. */
  hash: text('hash').notNull().unique(),
  /** JSON array of `TokenScope` (schemas/api/admin.ts). */
  scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
  /** JSON array of zone names the token may act on. */
  zones: text('zones', { mode: 'json' }).$type<string[]>().notNull(),
  description: text('description'),
  createdAt: timestamps.createdAt,
  revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
})

/**
 * One row per successful admin write. No foreign key to zones: the history of a deleted zone
 * outlives it.
 */
export const auditLogTable = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
    /** An API token id, or `bootstrap` for the `ADMIN_TOKEN` secret. */
    actor: text('actor').notNull(),
    /** The zone acted on, when there is one. */
    zone: text('zone'),
    method: text('method').notNull(),
    path: text('path').notNull(),
    /** What changed, as JSON: never a secret or a token value. */
    summary: text('summary', { mode: 'json' }).$type<unknown>().notNull(),
  },
  (t) => [index('audit_log_zone_id').on(t.zone, t.id)]
)

/** Chaos drills (schemas/api/chaos.ts), kept after they end as their record. */
export const chaosDrillsTable = sqliteTable(
  'chaos_drills',
  {
    id: text('id').primaryKey(),
    zone: text('zone')
      .notNull()
      .references(() => zonesTable.name, { onDelete: 'cascade' }),
    spec: text('spec', { mode: 'json' }).$type<DrillSpec>().notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    endsAt: integer('ends_at', { mode: 'timestamp_ms' }).notNull(),
    /** An API token id: who started it. */
    actor: text('actor').notNull(),
  },
  (t) => [index('chaos_drills_zone_ends').on(t.zone, t.endsAt)]
)
