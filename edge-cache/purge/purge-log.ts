/**
 * @module purge/purge-log
 * A zone's purge log: an append-only, sequence-numbered list of purge records in a Durable
 * Object's SQLite. `append` returns only once the records are durable, so a purge that was
 * acknowledged survives restarts. Records older than the longest an entry can live are folded
 * into a floor (entries stored before it count as purged) by a daily alarm.
 */
import { DurableObject } from 'cloudflare:workers'
import type { PurgeKind, PurgeRecord, PurgeSnapshot } from './purge-index'

/** No entry lives longer than this in any tier (L1 and tier retention are capped to it). */
export const MAX_ENTRY_LIFETIME_SECONDS = 30 * 24 * 3600
const COMPACT_EVERY_MS = 24 * 3600 * 1000

/** The name of a zone's purge log object: one per zone. */
export function purgeLogName(zone: string): string {
  return `purge:${zone}`
}

export interface PurgeRequest {
  kind: PurgeKind
  value: string
  soft: boolean
}

export class PurgeLog extends DurableObject<Env> {
  readonly #sql: SqlStorage

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#sql = ctx.storage.sql
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS records (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, value TEXT NOT NULL,
      soft INTEGER NOT NULL, created_at INTEGER NOT NULL)`)
    this.#sql.exec(
      'CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY CHECK (id = 0), seq INTEGER NOT NULL)'
    )
  }

  /**
   * Appends records in one transaction.
   * @returns the sequence number of the last record
   */
  async append(requests: PurgeRequest[]): Promise<{ seq: number }> {
    const now = Date.now()
    this.ctx.storage.transactionSync(() => {
      for (const r of requests) {
        this.#sql.exec(
          'INSERT INTO records (kind, value, soft, created_at) VALUES (?, ?, ?, ?)',
          r.kind,
          r.value,
          r.soft ? 1 : 0,
          now
        )
      }
    })
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(now + COMPACT_EVERY_MS)
    }
    return { seq: this.#lastSeq() }
  }

  /**
   * @param after return only records newer than this sequence (0 for all)
   * @returns the log's current sequence, floor and the records after `after`
   */
  async snapshot(after = 0): Promise<PurgeSnapshot> {
    const records = this.#sql
      .exec<{ seq: number; kind: PurgeKind; value: string; soft: number }>(
        'SELECT seq, kind, value, soft FROM records WHERE seq > ? ORDER BY seq',
        after
      )
      .toArray()
      .map((r): PurgeRecord => ({ seq: r.seq, kind: r.kind, value: r.value, soft: r.soft === 1 }))
    return { seq: this.#lastSeq(), floor: this.#floor(), records }
  }

  /** Folds records older than any entry can be into the floor. */
  override async alarm(): Promise<void> {
    const cutoff = Date.now() - MAX_ENTRY_LIFETIME_SECONDS * 1000
    const newestOld = this.#sql
      .exec<{ seq: number | null }>(
        'SELECT MAX(seq) AS seq FROM records WHERE created_at < ?',
        cutoff
      )
      .toArray()[0]?.seq
    if (newestOld) {
      this.ctx.storage.transactionSync(() => {
        this.#sql.exec('INSERT OR REPLACE INTO floor (id, seq) VALUES (0, ?)', newestOld)
        this.#sql.exec('DELETE FROM records WHERE seq <= ?', newestOld)
      })
    }
    await this.ctx.storage.setAlarm(Date.now() + COMPACT_EVERY_MS)
  }

  #lastSeq(): number {
    // sqlite_sequence keeps the last AUTOINCREMENT value even after compaction deleted the rows.
    const row = this.#sql
      .exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'records'")
      .toArray()[0]
    return row?.seq ?? 0
  }

  #floor(): number {
    return (
      this.#sql.exec<{ seq: number }>('SELECT seq FROM floor WHERE id = 0').toArray()[0]?.seq ?? 0
    )
  }
}
