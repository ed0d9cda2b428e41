/**
 * @module routes/admin/origin-health
 * `GET /_admin/zones/:zone/origins/:name/health`: what each region's active monitor
 * (origin/health-monitor.ts) sees of an origin: up or down since when, its last probes and its
 * transitions, newest first. An origin without a monitor is reported `monitored: false`.
 */
import { Hono } from 'hono'
import { healthMonitorFor } from '../../../origin/health-monitor'
import { originsTable } from '../../../schemas/config/tables'
import { REGIONS } from '../../../schemas/regions'
import { getRecord } from '../../admin/config-store'
import { failure, success } from '../../admin/envelope'
import { type AdminEnv, requireScope } from '../../middleware/admin-auth'
import { configDb, existingZone, zoneParam } from './request'

export const originHealthRoutes = new Hono<AdminEnv>().get(
  '/:name/health',
  requireScope('config:read'),
  existingZone,
  async (c) => {
    const zone = zoneParam(c)
    const name = c.req.param('name')
    const db = configDb(c)
    if (!(await getRecord(db, originsTable, zone, name))) {
      return failure(404, { code: 'not_found', message: `origin ${zone}/${name} not found` })
    }
    const regions = await Promise.all(
      REGIONS.map(async (region) => {
        const monitor = healthMonitorFor(c.env.HEALTH_MONITOR, zone, region)
        return [region.name, await monitor.health(zone, name)] as const
      })
    )
    return success({ zone, origin: name, regions: Object.fromEntries(regions) })
  }
)
