/**
 * @module routes/admin/chaos
 * `/_admin/zones/:zone/chaos[/:id]`: chaos drills (schemas/api/chaos.ts). Starting or ending one
 * needs the `chaos` scope, which no token holds unless granted explicitly; every start and end is
 * in the audit log. A drill ends by itself at `endsAt` (at most 15 min after it started); the
 * list shows every drill of the zone, over or not, newest first.
 */
import { and, desc, eq } from 'drizzle-orm'
import { Hono } from 'hono'
import { drillSpecSchema } from '../../../schemas/api/chaos'
import { chaosDrillsTable } from '../../../schemas/config/tables'
import { failure, success } from '../../admin/envelope'
import { type AdminEnv, requireScope } from '../../middleware/admin-auth'
import { commitAudited, configDb, existingZone, zoneParam } from './request'
import { validJson } from './validate'

type DrillRow = typeof chaosDrillsTable.$inferSelect

function view(row: DrillRow, now: number) {
  return {
    id: row.id,
    zone: row.zone,
    ...row.spec,
    startedAt: row.startedAt.getTime(),
    endsAt: row.endsAt.getTime(),
    actor: row.actor,
    active: row.endsAt.getTime() > now,
  }
}

const validDrill = validJson(drillSpecSchema, 'chaos')

export const chaosRoutes = new Hono<AdminEnv>()
  .post('/', requireScope('chaos'), validDrill, existingZone, async (c) => {
    const zone = zoneParam(c)
    const spec = c.req.valid('json')
    const db = configDb(c)
    const now = c.var.clock.now()
    const row: DrillRow = {
      id: crypto.randomUUID(),
      zone,
      spec,
      startedAt: new Date(now),
      endsAt: new Date(now + spec.durationSeconds * 1000),
      actor: c.get('principal').id,
    }
    await commitAudited(c, db.insert(chaosDrillsTable).values(row), zone, {
      change: 'create',
      kind: 'chaos drill',
      id: row.id,
      ...spec,
      endsAt: row.endsAt.toISOString(),
    })
    return success(view(row, now), 201)
  })
  .get('/', requireScope('config:read'), existingZone, async (c) => {
    const zone = zoneParam(c)
    const db = configDb(c)
    const rows = await db
      .select()
      .from(chaosDrillsTable)
      .where(eq(chaosDrillsTable.zone, zone))
      .orderBy(desc(chaosDrillsTable.startedAt))
      .limit(100)
    const now = c.var.clock.now()
    return success(rows.map((row) => view(row, now)))
  })
  .delete('/:id', requireScope('chaos'), async (c) => {
    const zone = zoneParam(c)
    const id = c.req.param('id')
    const db = configDb(c)
    const where = and(eq(chaosDrillsTable.zone, zone), eq(chaosDrillsTable.id, id))
    const row = (await db.select().from(chaosDrillsTable).where(where))[0]
    if (!row) return failure(404, { code: 'not_found', message: `no drill ${id} in zone ${zone}` })
    const now = new Date()
    if (row.endsAt > now) {
      const end = db.update(chaosDrillsTable).set({ endsAt: now }).where(where)
      await commitAudited(c, end, zone, { change: 'update', kind: 'chaos drill', id, ended: true })
    }
    return success(view({ ...row, endsAt: row.endsAt > now ? now : row.endsAt }, now.getTime()))
  })
