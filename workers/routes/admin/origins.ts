/**
 * @module routes/admin/origins
 * `/_admin/zones/:zone/origins[/:name]`: where a zone's content comes from, a concrete origin or
 * a pool of them (schemas/api/pool.ts). Credentials are referenced by Worker secret name, never
 * stored, so nothing here can return one. An origin may name only the secrets, buckets and
 * certificates granted to its zone (403 otherwise, audited), and an HTTP origin may not point
 * back at this CDN (400). A pool must name origins of its zone that exist (409 otherwise); an
 * origin that a route or a pool still sends requests to cannot be deleted (409).
 */
import { allowList, grantRefusal } from '../../../origin/dependencies'
import { originReferences } from '../../../origin/references'
import type { OriginSpec } from '../../../schemas/api/config'
import {
  type OriginRecord as AnyOriginSpec,
  originRecordSchema,
  type PoolSpec,
  poolReferenceIssues,
} from '../../../schemas/api/pool'
import { originsTable } from '../../../schemas/config/tables'
import { type ConfigDb, listRecords, listZones, routesUsingOrigin } from '../../admin/config-store'
import { failure } from '../../admin/envelope'
import { hasGrant } from '../../admin/grant-store'
import { hostServedBy } from './origin-target'
import { type AdminContext, auditRefusal } from './request'
import { zoneRecordRoutes } from './zone-records'

export const originRoutes = zoneRecordRoutes({
  collection: 'origins',
  kind: 'origin',
  table: originsTable,
  schema: originRecordSchema,
  async checkPut(db, { zone, name, spec }, c) {
    const records = await zoneOrigins(db, zone)
    const kinds: OriginKinds = new Map(records.map((r) => [r.name, r.spec.kind]))
    const broken = refuseBreakingPools(records, { zone, name, spec }, kinds)
    if (broken) return broken
    // The pool as written: a pool naming itself as a member names a pool.
    kinds.set(name, spec.kind)
    if (spec.kind === 'pool') return refuseUnknownMembers({ zone, name, spec }, kinds)
    const record = { zone, name, spec }
    return (await refuseUngranted(db, record, c)) ?? (await refuseSelfTarget(db, record, c))
  },
  async checkDelete(db, { zone, name }) {
    const routes = await routesUsingOrigin(db, zone, name)
    const pools = (await zoneOrigins(db, zone))
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

/**
 * Another pool of the zone must still hold once the record is written: its members stay
 * concrete origins and its fallback a pool (otherwise the pool, and every route to it, would
 * stop resolving).
 */
function refuseBreakingPools(
  records: readonly ParsedOrigin[],
  { zone, name, spec }: { zone: string; name: string; spec: AnyOriginSpec },
  kinds: OriginKinds
): Response | undefined {
  const before = kinds.get(name)
  if (before === undefined || (before === 'pool') === (spec.kind === 'pool')) return undefined
  const users = records.flatMap((r) => {
    if (r.name === name || r.spec.kind !== 'pool') return []
    const pool = r.spec
    const asMember = spec.kind === 'pool' && pool.members.some((m) => m.origin === name)
    const asFallback = spec.kind !== 'pool' && pool.fallback === name
    if (asMember) return [`pool ${r.name} (a member must be an origin)`]
    return asFallback ? [`pool ${r.name} (a fallback must be a pool)`] : []
  })
  if (users.length === 0) return undefined
  return failure(409, {
    code: 'origin_in_use',
    message: `origins.kind: ${zone}/${name} cannot become ${spec.kind === 'pool' ? 'a pool' : 'an origin'}: it is used by ${users.join(', ')}`,
  })
}

/** A pool names origins of its zone that exist. */
function refuseUnknownMembers(
  { zone, name, spec }: { zone: string; name: string; spec: PoolSpec },
  kinds: OriginKinds
): Response | undefined {
  const issues = poolReferenceIssues(spec, (other) => kinds.get(other))
  if (issues.length === 0) return undefined
  return failure(
    409,
    issues.map(([path, message]) => ({
      code: 'unknown_origin',
      message: `origins.${path.join('.')}: pool ${zone}/${name}: ${message} in zone ${zone}`,
    }))
  )
}

type OriginKinds = Map<string, AnyOriginSpec['kind']>

interface ParsedOrigin {
  name: string
  spec: AnyOriginSpec
}

/** A zone's origin records that parse, read once for every check of a write. */
async function zoneOrigins(db: ConfigDb, zone: string): Promise<ParsedOrigin[]> {
  const records = await listRecords(db, originsTable, zone)
  return records.flatMap((r) => {
    const parsed = originRecordSchema.safeParse(r.spec)
    return parsed.success ? [{ name: r.name, spec: parsed.data }] : []
  })
}

/** Does a pool record name `origin` as a member or fallback? */
function refersTo(spec: AnyOriginSpec, origin: string): boolean {
  if (spec.kind !== 'pool') return false
  return spec.fallback === origin || spec.members.some((m) => m.origin === origin)
}
