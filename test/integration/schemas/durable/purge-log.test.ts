/**
 * The purge log's SQLite schema (schemas/durable/purge-log): a fresh PurgeLog migrates to it,
 * and one holding the tables the code before drizzle's migrations created upgrades in place,
 * keeping its records and its sequence.
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { type PurgeLog, purgeLogName } from '../../../../edge-cache/purge/purge-log'
import {
  floorTable,
  forwardOutboxTable,
  recordsTable,
} from '../../../../schemas/durable/purge-log/schema'
import {
  appliedMigrations,
  columnsOf,
  definedColumns,
  recreate,
  tableNames,
} from '../../../support/durable-schema'

/** The statements PurgeLog's constructor ran before drizzle's migrations. */
const PRE_DRIZZLE = [
  `CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, value TEXT NOT NULL,
    soft INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
  'CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY CHECK (id = 0), seq INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS forward_outbox (seq INTEGER PRIMARY KEY)',
]

const TABLES = { records: recordsTable, floor: floorTable, forward_outbox: forwardOutboxTable }

function log(zone: string) {
  return env.PURGE_LOG.get(env.PURGE_LOG.idFromName(purgeLogName(zone)))
}

describe('purge log schema', () => {
  it('migrates a fresh object to the tables schema.ts defines', async ({ expect }) => {
    const stub = log('schema-fresh')
    const found = await runInDurableObject(stub, (_log: PurgeLog, state) => ({
      tables: tableNames(state.storage.sql),
      columns: Object.keys(TABLES).map((table) => columnsOf(state.storage.sql, table)),
      applied: appliedMigrations(state.storage.sql),
    }))
    expect(found.tables).toEqual(['__drizzle_migrations', 'floor', 'forward_outbox', 'records'])
    expect(found.columns).toEqual(Object.values(TABLES).map(definedColumns))
    expect(found.applied).toBe(1)
  })

  it('upgrades an object holding the pre-drizzle tables without losing records', async ({
    expect,
  }) => {
    const stub = log('schema-old')
    await runInDurableObject(stub, (_log: PurgeLog, state) => {
      const sql = state.storage.sql
      recreate(sql, PRE_DRIZZLE)
      for (const value of ['/a', '/b', '/c'])
        sql.exec(
          "INSERT INTO records (kind, value, soft, created_at) VALUES ('url', ?, 0, 1)",
          value
        )
      sql.exec('DELETE FROM records WHERE seq = 1')
      sql.exec('INSERT INTO floor (id, seq) VALUES (0, 1)')
      expect(tableNames(sql)).not.toContain('__drizzle_migrations')
    })
    await evictDurableObject(stub)

    const before = await stub.snapshot(0)
    expect(before).toEqual({
      seq: 3,
      floor: 1,
      records: [
        { seq: 2, kind: 'url', value: '/b', soft: false },
        { seq: 3, kind: 'url', value: '/c', soft: false },
      ],
    })
    // The sequence goes on from the old records (sqlite_sequence was kept).
    expect(await stub.append([{ kind: 'url', value: '/d', soft: false }])).toEqual({ seq: 4 })
    const applied = await runInDurableObject(stub, (_log: PurgeLog, state) =>
      appliedMigrations(state.storage.sql)
    )
    expect(applied).toBe(1)
    // A restart finds the migration recorded and runs nothing again.
    await evictDurableObject(stub)
    expect((await stub.snapshot(3)).records).toEqual([
      { seq: 4, kind: 'url', value: '/d', soft: false },
    ])
  })
})
