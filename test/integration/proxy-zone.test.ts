import { env, exports } from 'cloudflare:workers'
import { and, eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { afterAll, describe, inject, it } from 'vitest'
import { originsTable, routesTable, zonesTable } from '../../schemas/config/tables'
import { ensureProxyZone, resetProxyZone } from '../../workers/config/proxy-zone'
import { configSnapshot, resetConfigSnapshot } from '../../workers/config/snapshot'

const originUrl = inject('originUrl')
const db = drizzle(env.CONFIG_DB)

async function stored() {
  const [zone] = await db.select().from(zonesTable).where(eq(zonesTable.name, 'default'))
  const origins = await db.select().from(originsTable).where(eq(originsTable.zone, 'default'))
  const routes = await db.select().from(routesTable).where(eq(routesTable.zone, 'default'))
  return { zone, origins, routes }
}

afterAll(async () => {
  // A catch-all zone would answer for other files' unknown hosts.
  await db.delete(zonesTable).where(eq(zonesTable.name, 'default'))
  resetProxyZone()
  resetConfigSnapshot()
})

describe('proxy mode’s zone in D1 (issue 14)', () => {
  it('is created on the first config load with ORIGIN_URL set, and serves every host', async ({
    expect,
  }) => {
    resetConfigSnapshot()
    const config = await configSnapshot(
      { db: env.CONFIG_DB, proxyOriginUrl: originUrl, ttlMs: 0 },
      Date.now()
    )
    expect(config.zones.find((z) => z.name === 'default')).toMatchObject({
      hosts: ['*'],
      grants: { secret: [], bucket: [] },
    })
    const { zone, origins, routes } = await stored()
    expect(zone?.hosts).toEqual(['*'])
    expect(origins.map((o) => o.spec)).toEqual([{ kind: 'http', url: originUrl }])
    expect(routes.map((r) => r.spec)).toEqual([expect.objectContaining({ pathPrefix: '/' })])
  })

  it('is idempotent: a later ORIGIN_URL moves its origin, an operator’s route stays', async ({
    expect,
  }) => {
    await ensureProxyZone(env.CONFIG_DB, originUrl)
    const before = await stored()
    // The operator changes the route; a new isolate ensures the zone again with the same URL.
    await db
      .update(routesTable)
      .set({ spec: { pathPrefix: '/', origin: 'default', bypass: true } })
      .where(and(eq(routesTable.zone, 'default'), eq(routesTable.name, 'default')))
    resetProxyZone()
    await ensureProxyZone(env.CONFIG_DB, originUrl)
    const same = await stored()
    expect(same.origins[0]?.updatedAt).toEqual(before.origins[0]?.updatedAt)
    expect(same.routes[0]?.spec).toMatchObject({ bypass: true })
    // A restart with another ORIGIN_URL: the origin follows it, nothing else changes.
    resetProxyZone()
    await ensureProxyZone(env.CONFIG_DB, 'http://127.0.0.1:1/')
    const moved = await stored()
    expect(moved.origins.map((o) => o.spec)).toEqual([{ kind: 'http', url: 'http://127.0.0.1:1/' }])
    expect(moved.routes[0]?.spec).toMatchObject({ bypass: true })
    expect(moved.zone?.hosts).toEqual(['*'])
  })

  it('is purgeable through the admin API like any zone', async ({ expect }) => {
    await ensureProxyZone(env.CONFIG_DB, originUrl)
    const res = await exports.default.fetch(
      new Request('https://admin.test/_admin/zones/default/purge_cache', {
        method: 'POST',
        headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
        body: JSON.stringify({ hosts: ['anything.test'] }),
      })
    )
    expect(res.status).toBe(200)
  })
})
