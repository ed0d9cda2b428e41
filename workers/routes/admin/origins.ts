/**
 * @module routes/admin/origins
 * `/_admin/zones/:zone/origins[/:name]`: where a zone's content comes from, a concrete origin or
 * a pool of them (schemas/api/pool.ts). Credentials are referenced by Worker secret name, never
 * stored, so nothing here can return one. A pool must name origins of its zone that exist (409
 * otherwise); an origin that a route or a pool still sends requests to cannot be deleted (409).
 */
import { originRecordSchema, poolReferenceIssues } from '../../../schemas/api/pool'
import { originsTable } from '../../../schemas/config/tables'
import { listRecords, routesUsingOrigin } from '../../admin/config-store'
import { failure } from '../../admin/envelope'
import { zoneRecordRoutes } from './zone-records'

export const originRoutes = zoneRecordRoutes({
  collection: 'origins',
  kind: 'origin',
  table: originsTable,
  schema: originRecordSchema,
  async checkPut(db, { zone, name, spec }) {
    if (spec.kind !== 'pool') return undefined
    const kinds = await originKinds(db, zone)
    const issues = poolReferenceIssues(spec, (other) => kinds.get(other))
    if (issues.length === 0) return undefined
    return failure(
      409,
      issues.map(([path, message]) => ({
        code: 'unknown_origin',
        message: `origins.${path.join('.')}: pool ${zone}/${name}: ${message} in zone ${zone}`,
      }))
    )
  },
  async checkDelete(db, { zone, name }) {
    const routes = await routesUsingOrigin(db, zone, name)
    const pools = (await listRecords(db, originsTable, zone))
      .filter((r) => refersTo(r.spec, name))
      .map((r) => `pool ${r.name}`)
    const users = [...routes.map((r) => `route ${r}`), ...pools]
    if (users.length === 0) return undefined
    return failure(409, {
      code: 'origin_in_use',
      message: `origin ${zone}/${name} is used by ${users.join(', ')}: change or delete them first`,
    })
  },
})

/** The kind of every origin record of a zone, by name. */
async function originKinds(db: Parameters<typeof listRecords>[0], zone: string) {
  const records = await listRecords(db, originsTable, zone)
  return new Map(
    records.flatMap((r) => {
      const parsed = originRecordSchema.safeParse(r.spec)
      return parsed.success ? [[r.name, parsed.data.kind] as const] : []
    })
  )
}

/** Does a pool record name `origin` as a member or fallback? */
function refersTo(spec: unknown, origin: string): boolean {
  const parsed = originRecordSchema.safeParse(spec)
  if (!parsed.success || parsed.data.kind !== 'pool') return false
  const pool = parsed.data
  return pool.fallback === origin || pool.members.some((m) => m.origin === origin)
}
