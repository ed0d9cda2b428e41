/**
 * The analytics store's SQLite schema (schemas/durable/analytics-store): a fresh AnalyticsStore
 * migrates to it, and one holding the tables the code before drizzle's migrations created
 * upgrades in place, keeping its counters (the store inserts positionally, so the column order
 * must match too).
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import {
  histogramsTable,
  minutesTable,
  totalsTable,
  urlsTable,
} from '../../../../schemas/durable/analytics-store/schema'
import {
  type AnalyticsStore,
  analyticsStoreName,
} from '../../../../workers/analytics/analytics-store'
import type { CounterRow } from '../../../../workers/analytics/batch'
import {
  appliedMigrations,
  columnsOf,
  definedColumns,
  recreate,
  tableNames,
} from '../../../support/durable-schema'

const DIMS = 'route, colo, layer, outcome, status_class, origin'

/** The statements store-sql.ts's createTables ran before drizzle's migrations. */
const PRE_DRIZZLE = [
  `CREATE TABLE IF NOT EXISTS minutes (minute INTEGER NOT NULL, route TEXT NOT NULL,
    colo TEXT NOT NULL, layer TEXT NOT NULL, outcome TEXT NOT NULL, status_class TEXT NOT NULL,
    origin TEXT NOT NULL, requests INTEGER NOT NULL, bytes_client INTEGER NOT NULL,
    bytes_origin INTEGER NOT NULL, origin_ms REAL NOT NULL, total_ms REAL NOT NULL,
    PRIMARY KEY (minute, ${DIMS}))`,
  `CREATE TABLE IF NOT EXISTS urls (minute INTEGER NOT NULL, url TEXT NOT NULL,
    requests INTEGER NOT NULL, misses INTEGER NOT NULL, bytes_client INTEGER NOT NULL,
    PRIMARY KEY (minute, url))`,
  `CREATE TABLE IF NOT EXISTS totals (route TEXT NOT NULL, colo TEXT NOT NULL,
    layer TEXT NOT NULL, outcome TEXT NOT NULL, status_class TEXT NOT NULL, origin TEXT NOT NULL,
    requests INTEGER NOT NULL, bytes_client INTEGER NOT NULL, bytes_origin INTEGER NOT NULL,
    PRIMARY KEY (${DIMS}))`,
  `CREATE TABLE IF NOT EXISTS histograms (layer TEXT NOT NULL, kind TEXT NOT NULL,
    counts TEXT NOT NULL, sum_ms REAL NOT NULL, PRIMARY KEY (layer, kind))`,
]

const TABLES = {
  histograms: histogramsTable,
  minutes: minutesTable,
  totals: totalsTable,
  urls: urlsTable,
}

const ROW: CounterRow = {
  minute: 60_000,
  route: 'all',
  colo: 'FRA',
  layer: 'edge',
  outcome: 'hit',
  statusClass: '2xx',
  origin: 'web',
  requests: 2,
  bytesToClient: 20,
  bytesFromOrigin: 0,
  originMs: 0,
  totalMs: 4,
}

function store(zone: string) {
  return env.ANALYTICS_STORE.get(env.ANALYTICS_STORE.idFromName(analyticsStoreName(zone, 'eu')))
}

describe('analytics store schema', () => {
  it('migrates a fresh object to the tables schema.ts defines', async ({ expect }) => {
    const found = await runInDurableObject(store('schema-fresh'), (_s: AnalyticsStore, state) => ({
      tables: tableNames(state.storage.sql),
      columns: Object.keys(TABLES).map((table) => columnsOf(state.storage.sql, table)),
      applied: appliedMigrations(state.storage.sql),
    }))
    expect(found.tables).toEqual(['__drizzle_migrations', ...Object.keys(TABLES)])
    expect(found.columns).toEqual(Object.values(TABLES).map(definedColumns))
    expect(found.applied).toBe(1)
  })

  it('upgrades an object holding the pre-drizzle tables without losing counters', async ({
    expect,
  }) => {
    const stub = store('schema-old')
    await runInDurableObject(stub, (_s: AnalyticsStore, state) => {
      const sql = state.storage.sql
      recreate(sql, PRE_DRIZZLE)
      sql.exec("INSERT INTO totals VALUES ('all', 'FRA', 'edge', 'hit', '2xx', 'web', 5, 50, 0)")
      sql.exec("INSERT INTO histograms VALUES ('edge', 'total', '[1,2]', 7.5)")
    })
    await evictDurableObject(stub)

    const columns = await runInDurableObject(stub, (_s: AnalyticsStore, state) =>
      Object.keys(TABLES).map((table) => columnsOf(state.storage.sql, table))
    )
    expect(columns).toEqual(Object.values(TABLES).map(definedColumns))
    // A batch lands on the old rows: 5 + 2 requests.
    await stub.ingest({ rows: [ROW], urls: [], histograms: [] })
    const totals = await stub.totals()
    expect(totals.rows).toEqual([
      {
        route: 'all',
        colo: 'FRA',
        layer: 'edge',
        outcome: 'hit',
        statusClass: '2xx',
        origin: 'web',
        requests: 7,
        bytesToClient: 70,
        bytesFromOrigin: 0,
      },
    ])
    expect(totals.histograms).toEqual([
      { layer: 'edge', kind: 'total', counts: [1, 2], sumMs: 7.5 },
    ])
  })
})
