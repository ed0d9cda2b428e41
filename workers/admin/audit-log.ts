/**
 * @module admin/audit-log
 * The `audit_log` table: one row per successful admin write, saying who did what and when.
 * Summaries carry specs and token metadata, never a token value or a secret (config holds
 * secret names only).
 */
import { desc, inArray } from 'drizzle-orm'
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
 * @param zones the zones whose entries to list, or 'all' (entries without a zone included)
 * @param limit the most entries to return
 * @returns the newest entries first
 */
export async function listAudit(
  db: ConfigDb,
  zones: readonly string[] | 'all',
  limit: number
): Promise<AuditRecord[]> {
  if (zones !== 'all' && zones.length === 0) return []
  return db
    .select()
    .from(auditLogTable)
    .where(zones === 'all' ? undefined : inArray(auditLogTable.zone, [...zones]))
    .orderBy(desc(auditLogTable.id))
    .limit(limit)
}
