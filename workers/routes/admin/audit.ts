/**
 * @module routes/admin/audit
 * `GET /_admin/audit?zone=&limit=`: recent admin writes, newest first. Without `zone`, every
 * zone the caller may read (the bootstrap token also sees entries without a zone).
 */
import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { auditQuerySchema } from '../../../schemas/api/admin'
import { listAudit } from '../../admin/audit-log'
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
    const zones = zone !== undefined ? [zone] : zonesAllowed(principal, 'config:read')
    return success(await listAudit(configDb(c), zones, limit))
  }
)
