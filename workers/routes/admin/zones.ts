/**
 * @module routes/admin/zones
 * `/_admin/zones[/:zone]`: a zone is a set of hosts with its own origins, routes and residency
 * rules. Deleting a zone deletes those with it, and its tokens' hold on it: a zone made later
 * under the name is not theirs. A host answers for one zone only (409).
 */
import { Hono } from 'hono'
import { configNameSchema, zoneSpecSchema } from '../../../schemas/api/config'
import {
  deleteZoneQuery,
  getZone,
  hostClaimedElsewhere,
  listZones,
  putZoneQuery,
} from '../../admin/config-store'
import { failure, success } from '../../admin/envelope'
import { zonesAllowed } from '../../admin/principal'
import { forgetZoneQueries, listActiveTokens } from '../../admin/token-store'
import { type AdminEnv, requireScope } from '../../middleware/admin-auth'
import { commitAudited, configDb, existingZone, zoneNotFound, zoneParam } from './request'
import { validJson, validParam } from './validate'

export const zoneRoutes = new Hono<AdminEnv>()
  .get('/', async (c) => {
    // Every caller may list; each sees the zones it may read.
    const zones = zonesAllowed(c.get('principal'), 'config:read')
    return success(await listZones(configDb(c), zones))
  })
  .get('/:zone', requireScope('config:read'), async (c) => {
    const zone = zoneParam(c)
    const record = await getZone(configDb(c), zone)
    return record ? success(record) : zoneNotFound(zone)
  })
  .put(
    '/:zone',
    requireScope('config:write'),
    validParam('zone', configNameSchema, 'zones.name'),
    validJson(zoneSpecSchema, 'zones'),
    async (c) => {
      const name = c.req.valid('param').zone
      const db = configDb(c)
      const hosts = [...new Set(c.req.valid('json').hosts)]
      // The catch-all takes every host no other zone claims: that is the deployment's to give.
      if (hosts.includes('*') && c.get('principal').kind !== 'bootstrap') {
        return failure(403, {
          code: 'forbidden',
          message: 'zones.hosts: only the bootstrap token may claim the catch-all host *',
        })
      }
      const claimed = await hostClaimedElsewhere(db, name, hosts)
      if (claimed) {
        return failure(409, {
          code: 'host_taken',
          message: `host ${claimed.host} already belongs to zone ${claimed.zone}`,
        })
      }
      const existing = await getZone(db, name)
      await commitAudited(c, putZoneQuery(db, name, hosts, new Date()), name, {
        change: existing ? 'replace' : 'create',
        kind: 'zone',
        name,
        hosts,
      })
      return success(await getZone(db, name), existing ? 200 : 201)
    }
  )
  .delete('/:zone', requireScope('config:write'), existingZone, async (c) => {
    const zone = zoneParam(c)
    const db = configDb(c)
    const tokens = forgetZoneQueries(db, await listActiveTokens(db, zone), zone, new Date())
    await commitAudited(c, [deleteZoneQuery(db, zone), ...tokens.map((t) => t.query)], zone, {
      change: 'delete',
      kind: 'zone',
      name: zone,
      tokens: tokens.map(({ id, change }) => ({ id, change })),
    })
    return success({ name: zone })
  })
