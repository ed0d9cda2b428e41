/**
 * @module routes/admin/audit
 * `GET /_admin/audit?zone=&limit=`: recent admin writes, newest first. Without `zone`, every
 * zone the caller may read (the bootstrap token also sees entries without a zone).
 */
import { Hono } from 'hono'
import { auditQuerySchema } from '../../../schemas/api/admin'
import { listAudit } from '../../admin/audit-log'
import { failure, success } from '../../admin/envelope'
import { allows, zonesAllowed } from '../../admin/principal'
import type { AdminEnv } from '../../middleware/admin-auth'
import { configDb, invalid } from './request'

export const auditRoutes = new Hono<AdminEnv>().get('/', async (c) => {
  const query = auditQuerySchema.safeParse(c.req.query())
  if (!query.success) return invalid('audit', query.error.issues)
  const { zone, limit } = query.data
  const principal = c.get('principal')
  if (zone !== undefined && !allows(principal, 'config:read', zone)) {
    return failure(403, {
      code: 'forbidden',
      message: `token ${principal.id} lacks config:read on zone ${zone}`,
    })
  }
  const zones = zone !== undefined ? [zone] : zonesAllowed(principal, 'config:read')
  return success(await listAudit(configDb(c), zones, limit))
})
