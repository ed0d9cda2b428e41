/**
 * @module routes/admin/request
 * What every admin handler needs from a request: the config db, its `:zone`, and an audited
 * commit of its change. Bodies, queries and names are validated before the handler runs
 * (routes/admin/validate.ts).
 */
import type { BatchItem } from 'drizzle-orm/batch'
import { drizzle } from 'drizzle-orm/d1'
import type { Context, MiddlewareHandler } from 'hono'
import { auditQuery } from '../../admin/audit-log'
import { type ConfigDb, getZone } from '../../admin/config-store'
import { failure } from '../../admin/envelope'
import type { AdminEnv } from '../../middleware/admin-auth'

export type AdminContext = Context<AdminEnv>

/** @returns a drizzle handle on the config D1 */
export function configDb(c: AdminContext): ConfigDb {
  return drizzle(c.env.CONFIG_DB)
}

/**
 * @returns the `:zone` route parameter
 * @throws TypeError when the route has none (a programming error)
 */
export function zoneParam(c: AdminContext): string {
  const zone = c.req.param('zone')
  if (zone === undefined) throw new TypeError(`expected a :zone parameter on ${c.req.path}`)
  return zone
}

/**
 * Commits a change and its audit row in one D1 batch (one transaction): all happen or none does.
 * @param change the unexecuted write, or writes
 * @param zone the zone it concerns, if any
 * @param summary what changed, for the audit row: never a token value or a secret
 */
export async function commitAudited(
  c: AdminContext,
  change: BatchItem<'sqlite'> | readonly BatchItem<'sqlite'>[],
  zone: string | null,
  summary: unknown
): Promise<void> {
  const db = configDb(c)
  const changes: readonly BatchItem<'sqlite'>[] = Array.isArray(change) ? change : [change]
  await db.batch([auditQuery(db, auditEntry(c, zone, summary), new Date()), ...changes])
}

/**
 * Records a refused write: who tried what. The refusal changes nothing else.
 * @param summary what was refused and why: never a secret value
 */
export async function auditRefusal(
  c: AdminContext,
  zone: string | null,
  summary: unknown
): Promise<void> {
  const db = configDb(c)
  await auditQuery(db, auditEntry(c, zone, summary), new Date())
}

/** Who did what to which zone, from the request. */
function auditEntry(c: AdminContext, zone: string | null, summary: unknown) {
  return { actor: c.get('principal').id, zone, method: c.req.method, path: c.req.path, summary }
}

/** Answers 404 `zone_not_found` unless the route's `:zone` exists. */
export const existingZone: MiddlewareHandler<AdminEnv> = async (c, next) => {
  const zone = zoneParam(c)
  if (!(await getZone(configDb(c), zone))) return zoneNotFound(zone)
  return next()
}

/** @returns a 404 envelope for a missing zone */
export function zoneNotFound(zone: string): Response {
  return failure(404, { code: 'zone_not_found', message: `zone ${zone} does not exist` })
}
