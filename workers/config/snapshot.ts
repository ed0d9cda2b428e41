/**
 * @module config/snapshot
 * A per-isolate copy of the D1 configuration, refreshed at most once per `ttlMs` and never
 * queried per request. A refresh that fails keeps the previous copy in service.
 */
import { gt } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import type { z } from 'zod'
import { joinShared } from '../../edge-cache/join-shared'
import { logError, logJson } from '../../edge-cache/tracing/log'
import { NO_GRANTS } from '../../origin/dependencies'
import { drillFault } from '../../schemas/api/chaos'
import { residencyRuleSpecSchema, routeSpecSchema } from '../../schemas/api/config'
import { originRecordSchema } from '../../schemas/api/pool'
import {
  chaosDrillsTable,
  originsTable,
  residencyRulesTable,
  routesTable,
  zonesTable,
} from '../../schemas/config/tables'
import { canonicalZoneHost } from '../../schemas/hosts'
import { allGrants } from '../admin/grant-store'
import { byLongestPrefix, type EdgeConfig, type ZoneConfig } from './edge-config'
import { ensureProxyZone } from './proxy-zone'

export interface SnapshotSource {
  db: D1Database
  /** Proxy mode's origin URL, or '': its zone is written to D1 before the first load. */
  proxyOriginUrl: string
  ttlMs: number
}

let current: { config: EdgeConfig; loadedAt: number } | undefined
let loading: Promise<EdgeConfig> | undefined

/**
 * @param source where config lives and how fresh it must be
 * @param now the current time in ms
 * @returns the snapshot, loading or refreshing it when older than `ttlMs`
 * @throws the D1 error when no snapshot has ever loaded
 */
export async function configSnapshot(source: SnapshotSource, now: number): Promise<EdgeConfig> {
  if (current && now - current.loadedAt < source.ttlMs) return current.config
  loading ??= loadConfig(source)
    .then((config) => {
      current = { config, loadedAt: now }
      return config
    })
    .catch((error: unknown) => {
      if (!current) throw error
      logError('config refresh failed; serving the previous snapshot', undefined, error)
      return current.config
    })
    .finally(() => {
      loading = undefined
    })
  // Requests that join another one's load must resume in their own request.
  return joinShared(loading)
}

/**
 * Forgets the snapshot, as a new isolate starts: the next request loads config or, with D1
 * unreachable, finds none. For tests only; the edge never calls it.
 */
export function resetConfigSnapshot(): void {
  current = undefined
  loading = undefined
}

async function loadConfig(source: SnapshotSource): Promise<EdgeConfig> {
  await ensureProxyZone(source.db, source.proxyOriginUrl)
  const db = drizzle(source.db)
  const [zoneRows, originRows, routeRows, residencyRows, grants] = await Promise.all([
    db.select().from(zonesTable),
    db.select().from(originsTable),
    db.select().from(routesTable),
    db.select().from(residencyRulesTable).orderBy(residencyRulesTable.name),
    allGrants(db),
  ])
  const drills = await activeDrills(db)
  const zones: ZoneConfig[] = []
  for (const row of zoneRows) {
    const hosts = storedHosts(row.name, row.hosts)
    if (hosts.length === 0) {
      logJson('error', { message: 'zone without a valid host skipped', subject: row.name })
      continue
    }
    const records = <T>(rows: RecordRow[], schema: z.ZodType<T>, kind: string) =>
      validRecords(row.name, rows, schema, kind)
    const origins = new Map(
      records(originRows, originRecordSchema, 'origin').map((r) => [r.name, r.spec] as const)
    )
    const routes = records(routeRows, routeSpecSchema, 'route').sort(byLongestPrefix)
    const residencyRules = records(residencyRows, residencyRuleSpecSchema, 'residency rule')
    const chaos = drills.filter((d) => d.zone === row.name).map(drillFault)
    zones.push({
      name: row.name,
      hosts,
      origins,
      routes,
      residencyRules,
      grants: grants.get(row.name) ?? NO_GRANTS,
      chaos,
    })
  }
  return { zones }
}

/** Drills not over yet. Their table failing (not migrated yet) costs the drills, not the config. */
function activeDrills(db: ReturnType<typeof drizzle>) {
  return db
    .select()
    .from(chaosDrillsTable)
    .where(gt(chaosDrillsTable.endsAt, new Date()))
    .catch((error: unknown) => {
      logError('chaos drills unavailable', undefined, error)
      return []
    })
}

/**
 * A zone's hosts as stored, less those not in canonical form (schemas/hosts.ts): written before
 * hosts were made canonical, `a.example.com.` would now take another zone's `a.example.com`.
 */
function storedHosts(zone: string, stored: unknown): string[] {
  const hosts: unknown[] = Array.isArray(stored) ? stored : []
  const kept = hosts.filter((h): h is string => typeof h === 'string' && canonicalZoneHost(h) === h)
  if (kept.length < hosts.length) {
    const ignored = hosts.filter((h) => !kept.includes(h as string))
    logJson('error', {
      message: 'zone hosts not in canonical form ignored',
      subject: zone,
      ignored,
    })
  }
  return kept
}

interface RecordRow {
  zone: string
  name: string
  spec: unknown
}

/**
 * The zone's records whose spec still parses; one that does not (written by an older version,
 * or behind the API's back) is skipped and logged, never served half-read.
 */
function validRecords<T>(
  zone: string,
  rows: RecordRow[],
  schema: z.ZodType<T>,
  kind: string
): { name: string; spec: T }[] {
  return rows
    .filter((r) => r.zone === zone)
    .flatMap((r) => {
      const spec = schema.safeParse(r.spec)
      if (spec.success) return [{ name: r.name, spec: spec.data }]
      logJson('error', {
        message: `invalid ${kind} record skipped`,
        subject: `${zone}/${r.name}`,
        issues: spec.error.issues,
      })
      return []
    })
}
