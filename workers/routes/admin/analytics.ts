/**
 * @module routes/admin/analytics
 * `GET /_admin/zones/:zone/analytics?since=&until=&by=&top=`: the zone's traffic over every
 * region (workers/analytics). Needs `analytics:read` or `config:read` on the zone.
 */
import { Hono } from 'hono'
import { analyticsQuerySchema, analyticsWindow } from '../../../schemas/api/analytics'
import { failure, success } from '../../admin/envelope'
import { allows } from '../../admin/principal'
import { zoneReport } from '../../analytics/network'
import type { AdminEnv } from '../../middleware/admin-auth'
import { invalid, zoneParam } from './request'

export const analyticsRoutes = new Hono<AdminEnv>().get('/', async (c) => {
  const zone = zoneParam(c)
  const principal = c.get('principal')
  if (!allows(principal, 'analytics:read', zone) && !allows(principal, 'config:read', zone)) {
    return failure(403, {
      code: 'forbidden',
      message: `token ${principal.id} lacks analytics:read (or config:read) on zone ${zone}`,
    })
  }
  const query = analyticsQuerySchema.safeParse(c.req.query())
  if (!query.success) return invalid('analytics', query.error.issues)
  const window = analyticsWindow(query.data, c.var.clock.now())
  if ('error' in window) {
    return failure(400, { code: 'invalid_window', message: `analytics: ${window.error}` })
  }
  return success(await zoneReport(c.env, zone, { window, by: query.data.by, top: query.data.top }))
})
