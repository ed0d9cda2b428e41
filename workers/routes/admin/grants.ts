/**
 * @module routes/admin/grants
 * `/_admin/zones/:zone/grants[/:kind/:name]`: which Worker secrets (`secrets`) and R2 bucket
 * bindings (`buckets`) the zone's origins may name. Anyone who may read the zone's config sees
 * its grants (names only); only the bootstrap token grants or revokes, and only names in the
 * deployment's allow-list (`ORIGIN_SECRETS`, `ORIGIN_BUCKETS`), never a platform binding.
 */
import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { z } from 'zod'
import { allowList, grantRefusal } from '../../../origin/dependencies'
import { type GrantKind, originReferences } from '../../../origin/references'
import { grantKindSchema } from '../../../schemas/api/admin'
import { originSpecSchema, secretNameSchema } from '../../../schemas/api/config'
import { originsTable } from '../../../schemas/config/tables'
import { listRecords } from '../../admin/config-store'
import { failure, success } from '../../admin/envelope'
import { deleteGrantQuery, hasGrant, putGrantQuery, zoneGrants } from '../../admin/grant-store'
import { type AdminEnv, requireBootstrap, requireScope } from '../../middleware/admin-auth'
import {
  type AdminContext,
  auditRefusal,
  commitAudited,
  configDb,
  existingZone,
  zoneParam,
} from './request'
import { invalidParamsAs } from './validate'

/** `:kind` is `secrets` or `buckets` in the path, `secret` or `bucket` everywhere else. */
const grantParams = zValidator(
  'param',
  z.object({ zone: z.string(), kind: grantKindSchema, name: secretNameSchema }),
  invalidParamsAs({ kind: 'grants.kind', name: 'grants.name' })
)

export const grantRoutes = new Hono<AdminEnv>()
  .get('/', requireScope('config:read'), existingZone, async (c) => {
    const zone = zoneParam(c)
    const db = configDb(c)
    return success(await zoneGrants(db, zone))
  })
  .put('/:kind/:name', requireBootstrap(), grantParams, existingZone, async (c) => {
    const grant = c.req.valid('param')
    const db = configDb(c)
    const refusal = grantRefusal(grant.kind, grant.name, allowList(c.env))
    if (refusal) {
      await auditRefusal(c, grant.zone, {
        change: 'refused',
        kind: 'grant',
        grant: { kind: grant.kind, name: grant.name },
        refusal,
      })
      return failure(refusal.code === 'platform_binding' ? 403 : 400, {
        code: refusal.code,
        message: `grants.name: ${refusal.message}`,
      })
    }
    const existed = await hasGrant(db, grant.zone, grant.kind, grant.name)
    if (!existed) {
      await commitAudited(c, putGrantQuery(db, grant), grant.zone, {
        change: 'create',
        kind: 'grant',
        grant: { kind: grant.kind, name: grant.name },
      })
    }
    return success({ kind: grant.kind, name: grant.name }, existed ? 200 : 201)
  })
  .delete('/:kind/:name', requireBootstrap(), grantParams, async (c) => {
    const grant = c.req.valid('param')
    const db = configDb(c)
    if (!(await hasGrant(db, grant.zone, grant.kind, grant.name))) {
      return failure(404, {
        code: 'not_found',
        message: `zone ${grant.zone} holds no grant of ${grant.kind} ${grant.name}`,
      })
    }
    const users = await originsNaming(c, grant)
    if (users.length > 0) {
      return failure(409, {
        code: 'grant_in_use',
        message: `origin(s) ${users.join(', ')} of zone ${grant.zone} name ${grant.name}: change them first`,
      })
    }
    await commitAudited(c, deleteGrantQuery(db, grant), grant.zone, {
      change: 'delete',
      kind: 'grant',
      grant: { kind: grant.kind, name: grant.name },
    })
    return success({ kind: grant.kind, name: grant.name })
  })

async function originsNaming(
  c: AdminContext,
  grant: { zone: string; kind: GrantKind; name: string }
): Promise<string[]> {
  const origins = await listRecords(configDb(c), originsTable, grant.zone)
  return origins
    .filter((origin) => {
      const spec = originSpecSchema.safeParse(origin.spec)
      return (
        spec.success &&
        originReferences(spec.data).some((r) => r.kind === grant.kind && r.name === grant.name)
      )
    })
    .map((origin) => origin.name)
}
