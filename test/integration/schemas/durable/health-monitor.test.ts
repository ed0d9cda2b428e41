/**
 * A health monitor's SQLite schema (schemas/durable/health-monitor) and its clock: a fresh
 * HealthMonitor migrates to the schema, one holding the tables the code before drizzle's
 * migrations created upgrades in place keeping its state and history, and probes follow the
 * object's clock, so a test moves time instead of waiting out intervals.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, inject, it } from 'vitest'
import { type HealthMonitor, healthMonitorName } from '../../../../origin/health-monitor'
import {
  metaTable,
  probesTable,
  stateTable,
  transitionsTable,
} from '../../../../schemas/durable/health-monitor/schema'
import { admin } from '../../../support/admin'
import { ManualClock } from '../../../support/clock'
import {
  appliedMigrations,
  columnsOf,
  definedColumns,
  indexNames,
  recreate,
  tableNames,
} from '../../../support/durable-schema'
import { originControl } from '../../../support/origin-control'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)

/** The statements HealthMonitor's constructor ran before drizzle's migrations. */
const PRE_DRIZZLE = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS state (origin TEXT PRIMARY KEY, healthy INTEGER NOT NULL,
    streak INTEGER NOT NULL, since INTEGER NOT NULL, next_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS probes (origin TEXT NOT NULL, at INTEGER NOT NULL,
    ok INTEGER NOT NULL, status INTEGER, ms INTEGER NOT NULL, reason TEXT);
  CREATE INDEX IF NOT EXISTS probes_by_origin ON probes (origin, at);
  CREATE TABLE IF NOT EXISTS transitions (origin TEXT NOT NULL, at INTEGER NOT NULL,
    healthy INTEGER NOT NULL, reason TEXT);`,
]

const TABLES = {
  meta: metaTable,
  probes: probesTable,
  state: stateTable,
  transitions: transitionsTable,
}

const HOUR = 3600_000

function monitor(zone: string) {
  return env.HEALTH_MONITOR.get(env.HEALTH_MONITOR.idFromName(healthMonitorName(zone, 'eu')))
}

describe('health monitor schema', () => {
  it('migrates a fresh object to the tables schema.ts defines', async ({ expect }) => {
    const found = await runInDurableObject(monitor('schema-fresh'), (_m: HealthMonitor, state) => ({
      tables: tableNames(state.storage.sql),
      columns: Object.keys(TABLES).map((table) => columnsOf(state.storage.sql, table)),
      indexes: indexNames(state.storage.sql),
      applied: appliedMigrations(state.storage.sql),
    }))
    expect(found.tables).toEqual(['__drizzle_migrations', ...Object.keys(TABLES)])
    expect(found.columns).toEqual(Object.values(TABLES).map(definedColumns))
    expect(found.indexes).toEqual(['probes_by_origin'])
    expect(found.applied).toBe(1)
  })

  it('upgrades an object holding the pre-drizzle tables without losing its history', async ({
    expect,
  }) => {
    const stub = monitor('schema-old')
    await runInDurableObject(stub, async (_m: HealthMonitor, state) => {
      const sql = state.storage.sql
      recreate(sql, PRE_DRIZZLE)
      sql.exec("INSERT INTO meta (key, value) VALUES ('zone', 'schema-old')")
      sql.exec("INSERT INTO state VALUES ('primary', 0, 2, 10, 20)")
      sql.exec("INSERT INTO probes VALUES ('primary', 10, 0, 503, 3, 'status 503')")
      sql.exec("INSERT INTO transitions VALUES ('primary', 10, 0, 'status 503')")
      // An alarm already set: reading the record below starts no probe of its own.
      await state.storage.setAlarm(Date.now() + HOUR)
    })
    await evictDurableObject(stub)

    expect(await stub.health('schema-old', 'primary')).toEqual({
      origin: 'primary',
      monitored: true,
      healthy: false,
      since: 10,
      probes: [{ at: 10, ok: false, status: 503, ms: 3, reason: 'status 503' }],
      transitions: [{ at: 10, healthy: false, reason: 'status 503' }],
    })
    expect(await stub.down('schema-old')).toEqual(['primary'])
    const found = await runInDurableObject(stub, (_m: HealthMonitor, state) => ({
      columns: Object.keys(TABLES).map((table) => columnsOf(state.storage.sql, table)),
      indexes: indexNames(state.storage.sql),
    }))
    expect(found.columns).toEqual(Object.values(TABLES).map(definedColumns))
    expect(found.indexes).toEqual(['probes_by_origin'])
  })
})

describe('health monitor clock', () => {
  it('probes when its clock says an origin is due: down after downCount failures, up after upCount successes', async ({
    expect,
  }) => {
    const zone = 'hm-clock'
    await origin.script('/hm-clock/healthz', { status: 503, body: 'down' })
    for (const [path, body] of [
      [`/zones/${zone}`, { hosts: ['hm-clock.test'] }],
      [
        `/zones/${zone}/origins/primary`,
        {
          kind: 'http',
          url: `${originUrl}/hm-clock`,
          monitor: { path: '/healthz', intervalSeconds: 60, downCount: 2, upCount: 2 },
        },
      ],
    ] as const) {
      expect((await admin('PUT', path, { body })).status).toBeLessThan(300)
    }
    const stub = monitor(zone)
    // Ahead of real time: the alarms the monitor sets never fire by themselves; the test runs them.
    const clock = new ManualClock(Date.now() + HOUR)
    await runInDurableObject(stub, (m: HealthMonitor) => {
      m.clock = clock
    })
    const start = clock.now()
    const probeAfter = async (ms: number) => {
      clock.advance(ms)
      expect(await runDurableObjectAlarm(stub)).toBe(true)
    }

    expect(await stub.down(zone)).toEqual([])
    await probeAfter(0)
    expect(await stub.down(zone)).toEqual([])
    // Not due yet: a run before the interval has passed probes nothing.
    await probeAfter(59_999)
    expect((await stub.health(zone, 'primary')).probes).toHaveLength(1)
    await probeAfter(1)
    expect(await stub.down(zone)).toEqual(['primary'])

    await origin.script('/hm-clock/healthz', { body: 'ok' })
    await probeAfter(60_000)
    expect(await stub.down(zone)).toEqual(['primary'])
    await probeAfter(60_000)
    expect(await stub.down(zone)).toEqual([])
    const health = await stub.health(zone, 'primary')
    expect(health.probes.map((p) => [p.at - start, p.ok])).toEqual([
      [180_000, true],
      [120_000, true],
      [60_000, false],
      [0, false],
    ])
    expect(health.transitions).toEqual([
      { at: start + 180_000, healthy: true },
      { at: start + 60_000, healthy: false, reason: 'status 503' },
    ])
  })
})
