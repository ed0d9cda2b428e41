/**
 * @module routes/admin/zone-records
 * The CRUD routes shared by every kind of named record under a zone (origins, routes, residency
 * rules): list, read, create-or-replace (PUT, idempotent: 201 then 200), delete. Mounted at
 * `/zones/:zone/<collection>`.
 */
import { Hono } from 'hono'
import type { z } from 'zod'
import { configNameSchema } from '../../../schemas/api/config'
import {
  type ConfigDb,
  deleteRecordQuery,
  getRecord,
  listRecords,
  putRecordQuery,
  type SpecTable,
} from '../../admin/config-store'
import { failure, success } from '../../admin/envelope'
import { type AdminEnv, requireScope } from '../../middleware/admin-auth'
import { type AdminContext, commitAudited, configDb, existingZone, zoneParam } from './request'
import { validJson, validParam } from './validate'

export interface ZoneRecordOptions<S extends z.ZodType> {
  /** The path segment, also the prefix of field paths in 400 messages: `routes`. */
  collection: string
  /** One record, for messages and audit summaries: `route`. */
  kind: string
  table: SpecTable
  schema: S
  /**
   * Refuses a write that would leave the zone inconsistent (a route to a missing origin).
   * @returns a failure to answer with, or undefined to go ahead
   */
  checkPut?: (
    db: ConfigDb,
    record: { zone: string; name: string; spec: z.output<S> },
    c: AdminContext
  ) => Promise<Response | undefined>
  /** Refuses a delete that would leave the zone inconsistent (an origin still routed to). */
  checkDelete?: (
    db: ConfigDb,
    record: { zone: string; name: string }
  ) => Promise<Response | undefined>
}

/**
 * @param options the record kind
 * @returns the sub-app serving `/`, `/:name` for that kind
 */
export function zoneRecordRoutes<S extends z.ZodType>(options: ZoneRecordOptions<S>) {
  const { collection, kind, table } = options
  const notFound = (zone: string, name: string) =>
    failure(404, { code: 'not_found', message: `${kind} ${zone}/${name} does not exist` })

  return new Hono<AdminEnv>()
    .get('/', requireScope('config:read'), existingZone, async (c) => {
      const zone = zoneParam(c)
      const db = configDb(c)
      return success(await listRecords(db, table, zone))
    })
    .get('/:name', requireScope('config:read'), existingZone, async (c) => {
      const zone = zoneParam(c)
      const name = c.req.param('name')
      const db = configDb(c)
      const record = await getRecord(db, table, zone, name)
      return record ? success(record) : notFound(zone, name)
    })
    .put(
      '/:name',
      requireScope('config:write'),
      validParam('name', configNameSchema, `${collection}.name`),
      validJson(options.schema, collection),
      existingZone,
      async (c) => {
        const zone = zoneParam(c)
        const { name } = c.req.valid('param')
        const spec: z.output<S> = c.req.valid('json')
        const db = configDb(c)
        const record = { zone, name, spec }
        const refused = await options.checkPut?.(db, record, c)
        if (refused) return refused
        const existing = await getRecord(db, table, zone, name)
        const now = new Date()
        await commitAudited(c, putRecordQuery(db, table, record, now), zone, {
          change: existing ? 'replace' : 'create',
          kind,
          name,
          spec,
        })
        const stored = await getRecord(db, table, zone, name)
        return success(stored, existing ? 200 : 201)
      }
    )
    .delete('/:name', requireScope('config:write'), existingZone, async (c) => {
      const zone = zoneParam(c)
      const name = c.req.param('name')
      const db = configDb(c)
      if (!(await getRecord(db, table, zone, name))) return notFound(zone, name)
      const refused = await options.checkDelete?.(db, { zone, name })
      if (refused) return refused
      await commitAudited(c, deleteRecordQuery(db, table, zone, name), zone, {
        change: 'delete',
        kind,
        name,
      })
      return success({ name })
    })
}
