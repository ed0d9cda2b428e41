/**
 * @module config/proxy-zone
 * Proxy mode's zone is an ordinary D1 zone: `default`, catch-all host `*`, origin `default`
 * (the HTTP origin `ORIGIN_URL` names) and route `default` (`/` to it). Being a real zone, it
 * is purgeable and takes routes, residency rules, tokens and `config:apply` like any other.
 *
 * The Worker writes it itself, once per isolate, before it first reads config or answers an
 * admin request with `ORIGIN_URL` set: so `npm start`, `wrangler dev --var ORIGIN_URL:…` and a
 * deployment with the var all get it without a separate seeding step. Idempotent: the zone and
 * its route are created only when the zone is absent (an operator's later changes to them
 * stand); origin `default` is set to `ORIGIN_URL` whenever it differs, since that variable is
 * the deployment's statement of where proxy mode's content comes from.
 */
import { and, eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { joinShared } from '../../edge-cache/join-shared'
import { httpOriginSchema, type OriginSpec, type RouteSpec } from '../../schemas/api/config'
import { originsTable, routesTable, zonesTable } from '../../schemas/config/tables'
import { auditQuery } from '../admin/audit-log'

export const PROXY_ZONE = 'default'

/** The records proxy mode's zone starts with. */
export function proxyZoneRecords(originUrl: string): {
  hosts: string[]
  origin: OriginSpec
  route: RouteSpec
} {
  return {
    hosts: ['*'],
    origin: { kind: 'http', url: originUrl },
    route: {
      pathPrefix: '/',
      origin: PROXY_ZONE,
      bypass: false,
      tieredCache: true,
      allowSetCookie: false,
    },
  }
}

let ensured: { url: string; done: Promise<void> } | undefined

/**
 * Makes sure proxy mode's zone exists in D1 with `originUrl` as its origin; once per isolate
 * and URL (a failure is retried by the next call).
 * @param db the config D1
 * @param originUrl `ORIGIN_URL`; nothing is done when empty
 */
export function ensureProxyZone(db: D1Database, originUrl: string): Promise<void> {
  if (!originUrl) return Promise.resolve()
  if (ensured?.url !== originUrl) {
    const done = writeProxyZone(db, originUrl).catch((error: unknown) => {
      ensured = undefined
      throw error
    })
    ensured = { url: originUrl, done }
  }
  return joinShared(ensured.done)
}

/** Forgets that the zone was ensured, as a new isolate would. For tests only. */
export function resetProxyZone(): void {
  ensured = undefined
}

async function writeProxyZone(d1: D1Database, originUrl: string): Promise<void> {
  const db = drizzle(d1)
  const records = proxyZoneRecords(originUrl)
  const [zone, origin] = await Promise.all([
    db.select().from(zonesTable).where(eq(zonesTable.name, PROXY_ZONE)),
    db
      .select({ spec: originsTable.spec })
      .from(originsTable)
      .where(and(eq(originsTable.zone, PROXY_ZONE), eq(originsTable.name, PROXY_ZONE))),
  ])
  const zoneExists = zone.length > 0
  const stored = origin[0]?.spec
  if (zoneExists && isHttpOrigin(stored) && stored.url === originUrl) return
  // An operator's other settings of the origin (timeout, resilience) stay; the URL is ORIGIN_URL's.
  const originSpec = isHttpOrigin(stored) ? { ...stored, url: originUrl } : records.origin
  const now = new Date()
  const record = (spec: unknown) => ({
    zone: PROXY_ZONE,
    name: PROXY_ZONE,
    spec,
    createdAt: now,
    updatedAt: now,
  })
  await db.batch([
    db
      .insert(zonesTable)
      .values({ name: PROXY_ZONE, hosts: records.hosts, createdAt: now, updatedAt: now })
      .onConflictDoNothing(),
    db
      .insert(originsTable)
      .values(record(originSpec))
      .onConflictDoUpdate({
        target: [originsTable.zone, originsTable.name],
        set: { spec: originSpec, updatedAt: now },
      }),
    ...(zoneExists
      ? []
      : [db.insert(routesTable).values(record(records.route)).onConflictDoNothing()]),
    auditQuery(
      db,
      {
        actor: 'proxy-mode',
        zone: PROXY_ZONE,
        method: 'PUT',
        path: `/_admin/zones/${PROXY_ZONE}`,
        summary: {
          change: zoneExists ? 'replace' : 'create',
          kind: 'proxy-zone',
          hosts: records.hosts,
          origin: originSpec,
        },
      },
      now
    ),
  ])
}

function isHttpOrigin(spec: unknown): spec is Extract<OriginSpec, { kind: 'http' }> {
  return httpOriginSchema.safeParse(spec).success
}
