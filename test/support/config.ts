/**
 * Writes zones straight into the test D1 (the admin API is not involved here), granting the
 * zone every secret and bucket its origin names, as the operator would.
 */
import { drizzle } from 'drizzle-orm/d1'
import { originReferences } from '../../origin/references'
import type { OriginSpec, RouteSpec } from '../../schemas/api/config'
import { grantsTable, originsTable, routesTable, zonesTable } from '../../schemas/config/tables'

export interface TestZone {
  name: string
  hosts: string[]
  origin: OriginSpec
  route?: Partial<RouteSpec>
}

export async function putZone(db: D1Database, zone: TestZone): Promise<void> {
  const d = drizzle(db)
  await d.insert(zonesTable).values({ name: zone.name, hosts: zone.hosts }).onConflictDoNothing()
  await d
    .insert(originsTable)
    .values({ zone: zone.name, name: 'main', spec: zone.origin })
    .onConflictDoNothing()
  for (const { kind, name } of originReferences(zone.origin)) {
    await d.insert(grantsTable).values({ zone: zone.name, kind, name }).onConflictDoNothing()
  }
  const route: RouteSpec = {
    pathPrefix: '/',
    origin: 'main',
    bypass: false,
    tieredCache: true,
    allowSetCookie: false,
    ...zone.route,
  }
  await d
    .insert(routesTable)
    .values({ zone: zone.name, name: 'all', spec: route })
    .onConflictDoNothing()
}
