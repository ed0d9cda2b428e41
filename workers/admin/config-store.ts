/**
 * @module admin/config-store
 * Reads and writes of configuration records for the admin API: zones, and the named, JSON-spec
 * records under a zone (origins, routes, residency rules). Writes are returned as unexecuted
 * queries so that the caller can commit them in one D1 batch together with their audit row.
 */
import { and, asc, eq } from 'drizzle-orm'
import type { DrizzleD1Database } from 'drizzle-orm/d1'
import {
  type originsTable,
  type residencyRulesTable,
  routesTable,
  zonesTable,
} from '../../schemas/config/tables'

export type ConfigDb = DrizzleD1Database

/** The tables of named, JSON-spec records under a zone; all share one shape. */
export type SpecTable = typeof originsTable | typeof routesTable | typeof residencyRulesTable

export interface ZoneRecord {
  name: string
  hosts: string[]
  createdAt: Date
  updatedAt: Date
}

export interface SpecRecord {
  name: string
  /** As stored: validated by the record's schema when written. */
  spec: unknown
  createdAt: Date
  updatedAt: Date
}

/** @returns the zone, or undefined */
export async function getZone(db: ConfigDb, name: string): Promise<ZoneRecord | undefined> {
  const rows = await db.select().from(zonesTable).where(eq(zonesTable.name, name))
  return rows[0]
}

/**
 * @param names the zones wanted, or 'all'
 * @returns those that exist, by name
 */
export async function listZones(
  db: ConfigDb,
  names: readonly string[] | 'all'
): Promise<ZoneRecord[]> {
  const rows = await db.select().from(zonesTable).orderBy(asc(zonesTable.name))
  return names === 'all' ? rows : rows.filter((z) => names.includes(z.name))
}

/**
 * @returns the first other zone answering for one of `hosts`, with that host, if any
 */
export async function hostClaimedElsewhere(
  db: ConfigDb,
  zone: string,
  hosts: readonly string[]
): Promise<{ zone: string; host: string } | undefined> {
  for (const other of await listZones(db, 'all')) {
    if (other.name === zone) continue
    const host = other.hosts.find((h) => hosts.includes(h))
    if (host !== undefined) return { zone: other.name, host }
  }
  return undefined
}

/** @returns the unexecuted upsert of a zone */
export function putZoneQuery(db: ConfigDb, name: string, hosts: string[], now: Date) {
  return db
    .insert(zonesTable)
    .values({ name, hosts, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: zonesTable.name, set: { hosts, updatedAt: now } })
}

/** @returns the unexecuted delete of a zone; its records go with it (ON DELETE CASCADE) */
export function deleteZoneQuery(db: ConfigDb, name: string) {
  return db.delete(zonesTable).where(eq(zonesTable.name, name))
}

/** @returns the record, or undefined */
export async function getRecord(
  db: ConfigDb,
  table: SpecTable,
  zone: string,
  name: string
): Promise<SpecRecord | undefined> {
  const rows = await db
    .select(recordColumns(table))
    .from(table)
    .where(and(eq(table.zone, zone), eq(table.name, name)))
  return rows[0]
}

/** The columns a record is read with. */
function recordColumns(table: SpecTable) {
  return {
    name: table.name,
    spec: table.spec,
    createdAt: table.createdAt,
    updatedAt: table.updatedAt,
  }
}

/** @returns the zone's records of one kind, by name */
export async function listRecords(
  db: ConfigDb,
  table: SpecTable,
  zone: string
): Promise<SpecRecord[]> {
  return db
    .select(recordColumns(table))
    .from(table)
    .where(eq(table.zone, zone))
    .orderBy(asc(table.name))
}

/** @returns the unexecuted upsert of a record */
export function putRecordQuery(
  db: ConfigDb,
  table: SpecTable,
  record: { zone: string; name: string; spec: unknown },
  now: Date
) {
  return db
    .insert(table)
    .values({ ...record, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [table.zone, table.name],
      set: { spec: record.spec, updatedAt: now },
    })
}

/** @returns the unexecuted delete of a record */
export function deleteRecordQuery(db: ConfigDb, table: SpecTable, zone: string, name: string) {
  return db.delete(table).where(and(eq(table.zone, zone), eq(table.name, name)))
}

/**
 * @returns the names of the zone's routes that send requests to `origin`
 */
export async function routesUsingOrigin(
  db: ConfigDb,
  zone: string,
  origin: string
): Promise<string[]> {
  const routes = await listRecords(db, routesTable, zone)
  return routes.filter((r) => originOf(r.spec) === origin).map((r) => r.name)
}

function originOf(spec: unknown): unknown {
  return typeof spec === 'object' && spec !== null ? Reflect.get(spec, 'origin') : undefined
}
