/**
 * @module routes/admin/origins
 * `/_admin/zones/:zone/origins[/:name]`: where a zone's content comes from. Credentials are
 * referenced by Worker secret name, never stored, so nothing here can return one. An origin
 * that a route still sends requests to cannot be deleted (409).
 */
import { originSpecSchema } from '../../../schemas/api/config'
import { originsTable } from '../../../schemas/config/tables'
import { routesUsingOrigin } from '../../admin/config-store'
import { failure } from '../../admin/envelope'
import { zoneRecordRoutes } from './zone-records'

export const originRoutes = zoneRecordRoutes({
  collection: 'origins',
  kind: 'origin',
  table: originsTable,
  schema: originSpecSchema,
  async checkDelete(db, { zone, name }) {
    const routes = await routesUsingOrigin(db, zone, name)
    if (routes.length === 0) return undefined
    return failure(409, {
      code: 'origin_in_use',
      message: `origin ${zone}/${name} is used by route(s) ${routes.join(', ')}: change or delete them first`,
    })
  },
})
