/**
 * @module routes/admin/routes
 * `/_admin/zones/:zone/routes[/:name]`: which origin serves which path prefix. A route must
 * name an origin of its zone that exists (409 otherwise).
 */
import { routeSpecSchema } from '../../../schemas/api/config'
import { originsTable, routesTable } from '../../../schemas/config/tables'
import { getRecord } from '../../admin/config-store'
import { failure } from '../../admin/envelope'
import { zoneRecordRoutes } from './zone-records'

export const routeRoutes = zoneRecordRoutes({
  collection: 'routes',
  kind: 'route',
  table: routesTable,
  schema: routeSpecSchema,
  async checkPut(db, { zone, name, spec }) {
    if (await getRecord(db, originsTable, zone, spec.origin)) return undefined
    return failure(409, {
      code: 'unknown_origin',
      message: `route ${zone}/${name}: origin ${spec.origin} does not exist in zone ${zone}: create it first`,
    })
  },
})
