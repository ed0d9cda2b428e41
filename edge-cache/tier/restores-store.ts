/**
 * @module tier/restores-store
 * The restores a tier shard has started, in its Durable Object's SQLite (next to the tables of
 * tier/tier-store.ts), so that an archived object is restored once however many clients ask,
 * even across the object's restarts. One row per object (`s3://bucket/key`). The table is part
 * of the shard's schema (schemas/durable/tier), created by its migrations.
 * @see tier/archival.ts for the decision
 */
import { decideRestore, type RestoreRecord } from './archival'

/** Rows older than this are dropped: no window is longer (tier/archival.ts). */
const KEEP_MS = 7 * 86_400_000

export class RestoresStore {
  readonly #sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.#sql = sql
  }

  get(key: string): RestoreRecord | undefined {
    const row = this.#sql
      .exec<{ started_at: number }>('SELECT started_at FROM restores WHERE key = ?', key)
      .toArray()[0]
    return row ? { startedAt: row.started_at } : undefined
  }

  /**
   * Claims the restore of an object: records it as started now unless a restore recorded
   * within `windowMs` stands. Synchronous, so two requests in one Durable Object cannot both
   * claim it.
   * @returns whether the caller must start the restore, and when the standing one started
   */
  claim(key: string, now: number, windowMs: number): { start: boolean; startedAt: number } {
    const record = this.get(key)
    if (decideRestore(record, now, windowMs) === 'wait' && record) {
      return { start: false, startedAt: record.startedAt }
    }
    this.#sql.exec('DELETE FROM restores WHERE started_at < ?', now - KEEP_MS)
    this.#sql.exec('INSERT OR REPLACE INTO restores (key, started_at) VALUES (?, ?)', key, now)
    return { start: true, startedAt: now }
  }

  /** Forgets a restore (it could not be started, or the object is readable again). */
  release(key: string): void {
    this.#sql.exec('DELETE FROM restores WHERE key = ?', key)
  }
}
