/**
 * @module routes/admin/analytics
 * `GET /_admin/zones/:zone/analytics?since=&until=&by=&top=`: the zone's traffic over every
 * region (workers/analytics). Needs `analytics:read` or `config:read` on the zone.
 */
import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { analyticsQuerySchema, analyticsWindow } from '../../../schemas/api/analytics'
import { failure, success } from '../../admin/envelope'
import { zoneReport } from '../../analytics/network'
import { type AdminEnv, requireScope } from '../../middleware/admin-auth'
import { existingZone, zoneParam } from './request'
import { invalidAs } from './validate'

export const analyticsRoutes = new Hono<AdminEnv>().get(
  '/',
  requireScope('analytics:read', 'config:read'),
  zValidator('query', analyticsQuerySchema, invalidAs('analytics')),
  existingZone,
  async (c) => {
    const zone = zoneParam(c)
    const query = c.req.valid('query')
    const window = analyticsWindow(query, c.var.clock.now())
    if ('error' in window) {
      return failure(400, { code: 'invalid_window', message: `analytics: ${window.error}` })
    }
    return success(await zoneReport(c.env, zone, { window, by: query.by, top: query.top }))
  }
)
