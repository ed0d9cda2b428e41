/**
 * @module tier/tier-store
 * A tier shard's storage in its Durable Object's SQLite: one row per entry (per Vary variant),
 * the Vary fields per URL, and bodies in chunks under SQLite's row limit. Bodies are addressed
 * by a body id, not by entry, so that a refill can write a new body while readers finish the
 * old one.
 */
import type { EntryMeta } from '../entry'

/** Chunk size for stored bodies: well under the 2 MB row limit, and a bounded write buffer. */
export const CHUNK_BYTES = 512 * 1024

export interface TierEntry {
  key: string
  meta: EntryMeta
  headers: [string, string][]
  bodyId: string
  size: number
  chunks: number
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY, primary_key TEXT NOT NULL, meta TEXT NOT NULL, headers TEXT NOT NULL,
    body_id TEXT NOT NULL, size INTEGER NOT NULL, chunks INTEGER NOT NULL,
    stored_at INTEGER NOT NULL, last_access INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS entries_primary ON entries (primary_key)',
  'CREATE TABLE IF NOT EXISTS vary (primary_key TEXT PRIMARY KEY, fields TEXT NOT NULL)',
  `CREATE TABLE IF NOT EXISTS chunks (
    body_id TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (body_id, seq))`,
]

/** The storage key of one variant: primary key and secondary (Vary) key. */
export function variantKey(primaryKey: string, varyKey: string): string {
  return `${primaryKey}\n${varyKey}`
}

export class TierStore {
  readonly #sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.#sql = sql
    for (const statement of SCHEMA) sql.exec(statement)
  }

  /** The Vary fields last stored for a URL, or undefined when the URL was never stored. */
  varyFields(primaryKey: string): string[] | undefined {
    const row = this.#sql
      .exec<{ fields: string }>('SELECT fields FROM vary WHERE primary_key = ?', primaryKey)
      .toArray()[0]
    return row ? (JSON.parse(row.fields) as string[]) : undefined
  }

  get(key: string, now: number): TierEntry | undefined {
    const row = this.#sql
      .exec<{ meta: string; headers: string; body_id: string; size: number; chunks: number }>(
        'SELECT meta, headers, body_id, size, chunks FROM entries WHERE key = ?',
        key
      )
      .toArray()[0]
    if (!row) return undefined
    this.#sql.exec('UPDATE entries SET last_access = ? WHERE key = ?', now, key)
    return {
      key,
      meta: JSON.parse(row.meta) as EntryMeta,
      headers: JSON.parse(row.headers) as [string, string][],
      bodyId: row.body_id,
      size: row.size,
      chunks: row.chunks,
    }
  }

  writeChunk(bodyId: string, seq: number, data: Uint8Array): void {
    this.#sql.exec('INSERT INTO chunks (body_id, seq, data) VALUES (?, ?, ?)', bodyId, seq, data)
  }

  readChunk(bodyId: string, seq: number): Uint8Array | undefined {
    const row = this.#sql
      .exec<{ data: ArrayBuffer }>(
        'SELECT data FROM chunks WHERE body_id = ? AND seq = ?',
        bodyId,
        seq
      )
      .toArray()[0]
    return row ? new Uint8Array(row.data) : undefined
  }

  /**
   * Makes a completely written body the entry's body.
   * @returns the body id the entry had before, whose chunks the caller releases
   */
  commit(primaryKey: string, entry: TierEntry, now: number): string | undefined {
    const previous = this.#sql
      .exec<{ body_id: string }>('SELECT body_id FROM entries WHERE key = ?', entry.key)
      .toArray()[0]?.body_id
    this.#sql.exec(
      `INSERT OR REPLACE INTO entries
        (key, primary_key, meta, headers, body_id, size, chunks, stored_at, last_access)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      entry.key,
      primaryKey,
      JSON.stringify(entry.meta),
      JSON.stringify(entry.headers),
      entry.bodyId,
      entry.size,
      entry.chunks,
      now,
      now
    )
    this.#sql.exec(
      'INSERT OR REPLACE INTO vary (primary_key, fields) VALUES (?, ?)',
      primaryKey,
      JSON.stringify(entry.meta.vary)
    )
    return previous === entry.bodyId ? undefined : previous
  }

  /** After a 304: new headers and times, same body. */
  updateHeaders(key: string, meta: EntryMeta, headers: [string, string][]): void {
    this.#sql.exec(
      'UPDATE entries SET meta = ?, headers = ? WHERE key = ?',
      JSON.stringify(meta),
      JSON.stringify(headers),
      key
    )
  }

  /**
   * Removes every variant stored for a URL.
   * @returns the body ids the caller releases
   */
  deleteUrl(primaryKey: string): string[] {
    const bodies = this.#sql
      .exec<{ body_id: string }>('SELECT body_id FROM entries WHERE primary_key = ?', primaryKey)
      .toArray()
      .map((row) => row.body_id)
    this.#sql.exec('DELETE FROM entries WHERE primary_key = ?', primaryKey)
    this.#sql.exec('DELETE FROM vary WHERE primary_key = ?', primaryKey)
    return bodies
  }

  /**
   * Removes one variant.
   * @returns its body id, for the caller to release
   */
  deleteVariant(key: string): string | undefined {
    const row = this.#sql
      .exec<{ body_id: string }>('DELETE FROM entries WHERE key = ? RETURNING body_id', key)
      .toArray()[0]
    return row?.body_id
  }

  deleteBody(bodyId: string): void {
    this.#sql.exec('DELETE FROM chunks WHERE body_id = ?', bodyId)
  }

  /** Bytes held in bodies, for capacity reporting. */
  storedBytes(): number {
    const row = this.#sql
      .exec<{ bytes: number | null }>('SELECT SUM(size) AS bytes FROM entries')
      .toArray()[0]
    return row?.bytes ?? 0
  }
}
