/**
 * Writes zones straight into the test D1 (the admin API is not involved here).
 */
import { drizzle } from 'drizzle-orm/d1'
import type { OriginSpec, RouteSpec } from '../../schemas/api/config'
import { originsTable, routesTable, zonesTable } from '../../schemas/config/tables'

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
