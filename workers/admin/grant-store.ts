/**
 * @module admin/grant-store
 * Reads and writes of the `grants` table: which secrets and R2 buckets a zone's origins may name.
 * Writes are returned unexecuted, to be committed in one batch with their audit row.
 */
import { and, asc, eq } from 'drizzle-orm'
import type { ZoneGrants } from '../../origin/dependencies'
import type { GrantKind } from '../../origin/references'
import { grantsTable } from '../../schemas/config/tables'
import type { ConfigDb } from './config-store'

/** @returns the zone's grants, names in order */
export async function zoneGrants(db: ConfigDb, zone: string): Promise<ZoneGrants> {
  const rows = await db
    .select({ kind: grantsTable.kind, name: grantsTable.name })
    .from(grantsTable)
    .where(eq(grantsTable.zone, zone))
    .orderBy(asc(grantsTable.kind), asc(grantsTable.name))
  return grantsByKind(rows)
}

/** @returns every zone's grants, by zone name */
export async function allGrants(db: ConfigDb): Promise<Map<string, ZoneGrants>> {
  const rows = await db.select().from(grantsTable).orderBy(asc(grantsTable.name))
  const zones = new Map<string, ZoneGrants>()
  for (const zone of new Set(rows.map((r) => r.zone))) {
    zones.set(zone, grantsByKind(rows.filter((r) => r.zone === zone)))
  }
  return zones
}

function grantsByKind(rows: readonly { kind: GrantKind; name: string }[]): ZoneGrants {
  return {
    secret: rows.filter((r) => r.kind === 'secret').map((r) => r.name),
    bucket: rows.filter((r) => r.kind === 'bucket').map((r) => r.name),
    certificate: rows.filter((r) => r.kind === 'certificate').map((r) => r.name),
  }
}

/** @returns whether the zone holds the grant */
export async function hasGrant(
  db: ConfigDb,
  zone: string,
  kind: GrantKind,
  name: string
): Promise<boolean> {
  const rows = await db
    .select({ name: grantsTable.name })
    .from(grantsTable)
    .where(and(eq(grantsTable.zone, zone), eq(grantsTable.kind, kind), eq(grantsTable.name, name)))
  return rows.length > 0
}

/** @returns the unexecuted insert of a grant (a no-op when it exists) */
export function putGrantQuery(
  db: ConfigDb,
  grant: { zone: string; kind: GrantKind; name: string }
) {
  return db.insert(grantsTable).values(grant).onConflictDoNothing()
}

/** @returns the unexecuted delete of a grant */
export function deleteGrantQuery(
  db: ConfigDb,
  grant: { zone: string; kind: GrantKind; name: string }
) {
  return db
    .delete(grantsTable)
    .where(
      and(
        eq(grantsTable.zone, grant.zone),
        eq(grantsTable.kind, grant.kind),
        eq(grantsTable.name, grant.name)
      )
    )
}
