/**
 * @module routes/admin/origins
 * `/_admin/zones/:zone/origins[/:name]`: where a zone's content comes from. Credentials are
 * referenced by Worker secret name, never stored, so nothing here can return one. An origin may
 * name only the secrets and buckets granted to its zone (403 otherwise, audited), and an HTTP
 * origin may not point back at this CDN (400). An origin that a route still sends requests to
 * cannot be deleted (409).
 */
import { allowList, grantRefusal } from '../../../origin/dependencies'
import { originReferences } from '../../../origin/references'
import { type OriginSpec, originSpecSchema } from '../../../schemas/api/config'
import { originsTable } from '../../../schemas/config/tables'
import { type ConfigDb, listZones, routesUsingOrigin } from '../../admin/config-store'
import { failure } from '../../admin/envelope'
import { hasGrant } from '../../admin/grant-store'
import { hostServedBy } from './origin-target'
import { type AdminContext, auditRefusal } from './request'
import { zoneRecordRoutes } from './zone-records'

export const originRoutes = zoneRecordRoutes({
  collection: 'origins',
  kind: 'origin',
  table: originsTable,
  schema: originSpecSchema,
  async checkPut(db, record, c) {
    return (await refuseUngranted(db, record, c)) ?? (await refuseSelfTarget(db, record, c))
  },
  async checkDelete(db, { zone, name }) {
    const routes = await routesUsingOrigin(db, zone, name)
    if (routes.length === 0) return undefined
    return failure(409, {
      code: 'origin_in_use',
      message: `origin ${zone}/${name} is used by route(s) ${routes.join(', ')}: change or delete them first`,
    })
  },
})

interface OriginRecord {
  zone: string
  name: string
  spec: OriginSpec
}

/** Every secret and bucket the record names must be granted to its zone. */
async function refuseUngranted(
  db: ConfigDb,
  { zone, name, spec }: OriginRecord,
  c: AdminContext
): Promise<Response | undefined> {
  const allowed = allowList(c.env)
  for (const reference of originReferences(spec)) {
    const refusal = grantRefusal(reference.kind, reference.name, allowed)
    if (refusal === undefined && (await hasGrant(db, zone, reference.kind, reference.name))) {
      continue
    }
    const field = `origins.${reference.field}`
    await auditRefusal(c, zone, {
      change: 'refused',
      kind: 'origin',
      name,
      field,
      reason: refusal?.code ?? 'not_granted',
      [reference.kind]: reference.name,
    })
    return failure(403, {
      code: 'not_granted',
      message: `${field}: zone ${zone} was not granted the ${reference.kind} ${reference.name}`,
    })
  }
  return undefined
}

/** An HTTP origin must not be this CDN: its admin API, or a host one of its zones serves. */
async function refuseSelfTarget(
  db: ConfigDb,
  { zone, spec }: OriginRecord,
  c: AdminContext
): Promise<Response | undefined> {
  if (spec.kind !== 'http') return undefined
  const target = new URL(spec.url)
  const zones = await listZones(db, 'all')
  const servedBy = hostServedBy(target, new URL(c.req.url), zones)
  if (servedBy === undefined) return undefined
  return failure(400, {
    code: 'origin_is_cdn',
    message: `origins.url: ${target.host} is served by this CDN (${servedBy}): an origin must be outside it (zone ${zone})`,
  })
}
