/**
 * @module admin/audit-log
 * The `audit_log` table: one row per successful admin write, saying who did what and when.
 * Summaries carry specs and token metadata, never a token value or a secret (config holds
 * secret names only).
 */
import { desc, sql } from 'drizzle-orm'
import { auditLogTable } from '../../schemas/config/tables'
import type { ConfigDb } from './config-store'

export interface AuditEntry {
  /** An API token id, or `bootstrap`. */
  actor: string
  zone: string | null
  method: string
  path: string
  summary: unknown
}

export interface AuditRecord extends AuditEntry {
  id: number
  at: Date
}

/** @returns the unexecuted insert of an audit row, to batch with the change it records */
export function auditQuery(db: ConfigDb, entry: AuditEntry, now: Date) {
  return db.insert(auditLogTable).values({ ...entry, at: now })
}

/**
 * @param zones the zones whose entries to list, each from `since` (ms since the epoch; 0 for
 *   its whole history), or 'all' (entries without a zone included)
 * @param limit the most entries to return
 * @returns the newest entries first
 */
export async function listAudit(
  db: ConfigDb,
  zones: readonly { name: string; since: number }[] | 'all',
  limit: number
): Promise<AuditRecord[]> {
  if (zones !== 'all' && zones.length === 0) return []
  // One bound parameter however many zones (D1 allows 100 a query): {"zone": since, …}.
  const since =
    zones === 'all' ? '' : JSON.stringify(Object.fromEntries(zones.map((z) => [z.name, z.since])))
  const zone = auditLogTable.zone
  const where =
    zones === 'all'
      ? undefined
      : sql`${zone} in (select key from json_each(${since})) and ${auditLogTable.at} >= (select value from json_each(${since}) where key = ${zone})`
  return db.select().from(auditLogTable).where(where).orderBy(desc(auditLogTable.id)).limit(limit)
}
