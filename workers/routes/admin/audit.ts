/**
 * @module routes/admin/audit
 * `GET /_admin/audit?zone=&limit=`: recent admin writes, newest first. Without `zone`, every
 * zone the caller may read (the bootstrap token also sees entries without a zone). A zone's
 * token sees its zone's entries from when the zone was made, not those of an earlier zone of the
 * same name.
 */
import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { auditQuerySchema } from '../../../schemas/api/admin'
import { listAudit } from '../../admin/audit-log'
import { listZones } from '../../admin/config-store'
import { failure, success } from '../../admin/envelope'
import { allows, zonesAllowed } from '../../admin/principal'
import type { AdminEnv } from '../../middleware/admin-auth'
import { configDb } from './request'
import { invalidAs } from './validate'

export const auditRoutes = new Hono<AdminEnv>().get(
  '/',
  zValidator('query', auditQuerySchema, invalidAs('audit')),
  async (c) => {
    const { zone, limit } = c.req.valid('query')
    const principal = c.get('principal')
    if (zone !== undefined && !allows(principal, 'config:read', zone)) {
      return failure(403, {
        code: 'forbidden',
        message: `token ${principal.id} lacks config:read on zone ${zone}`,
      })
    }
    const db = configDb(c)
    const names = zone !== undefined ? [zone] : zonesAllowed(principal, 'config:read')
    if (principal.kind === 'bootstrap') {
      const all = names === 'all' ? names : names.map((name) => ({ name, since: 0 }))
      return success(await listAudit(db, all, limit))
    }
    // A zone's history from when it was made: an earlier zone of that name was another owner's.
    const zones = (await listZones(db, names)).map((z) => ({
      name: z.name,
      since: z.createdAt.getTime(),
    }))
    return success(await listAudit(db, zones, limit))
  }
)
