/**
 * @module tier/tier-store
 * A tier shard's storage in its Durable Object's SQLite: one row per entry (per Vary variant),
 * the Vary fields per URL, and bodies in chunks under SQLite's row limit. Bodies are addressed
 * by a body id, not by entry, so that a refill can write a new body while readers finish the
 * old one.
 */
import { drizzle } from 'drizzle-orm/durable-sqlite'
import { migrate } from 'drizzle-orm/durable-sqlite/migrator'
import migrations from '../../schemas/durable/tier/drizzle/migrations'
import { SHARED_TIER_BUCKET } from '../../schemas/regions'
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

/** The admission sketch as the sweep saves it (tier/admission.ts `FrequencySketch.snapshot`). */
export interface SavedSketch {
  width: number
  additions: number
  /** Start of the counts' history (ms). */
  since: number
  counters: Uint8Array
}

/**
 * Columns the code before drizzle's migrations added to live shards by probing
 * `pragma_table_info`. A shard that last ran before them lacks them, and the baseline migration
 * (CREATE ... IF NOT EXISTS) adopts its tables as they are, so they are added first; a shard on
 * drizzle's migrations never needs this.
 */
const PRE_DRIZZLE_COLUMNS: [table: string, column: string, definition: string][] = [
  ['entries', 'expires_at', 'INTEGER NOT NULL DEFAULT 0'],
  ['r2_bodies', 'bucket', 'TEXT'],
]

function addPreDrizzleColumns(sql: SqlStorage): void {
  const tables = new Set(
    sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((row) => row.name)
  )
  if (tables.has('__drizzle_migrations')) return
  for (const [table, column, definition] of PRE_DRIZZLE_COLUMNS) {
    if (!tables.has(table)) continue
    const columns = sql
      .exec<{ name: string }>('SELECT name FROM pragma_table_info(?)', table)
      .toArray()
      .map((row) => row.name)
    if (!columns.includes(column))
      sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`)
  }
}

/**
 * Brings a shard's SQLite to its schema (schemas/durable/tier): drizzle-kit's migrations, run by
 * drizzle's Durable Object migrator in one transactionSync. The migrator's work is synchronous,
 * so the tables exist when this returns; the promise only carries a failure.
 */
export function migrateTierShard(storage: DurableObjectStorage): Promise<void> {
  addPreDrizzleColumns(storage.sql)
  return migrate(drizzle(storage), migrations)
}

/** The storage key of one variant: primary key and secondary (Vary) key. */
export function variantKey(primaryKey: string, varyKey: string): string {
  return `${primaryKey}\n${varyKey}`
}

/**
 * How stale an entry's last access may be: a hit writes `last_access` only when the stored one
 * is older than this. Eviction looks at the least recently accessed entries of a whole shard,
 * which a second does not reorder in any way that matters, while a write per hit would cost a
 * hot object a row write (and two index writes) per request: 1,000 hits/s on one object, 3,000
 * rows written per second where this writes 3.
 */
export const ACCESS_GRANULARITY_MS = 1000

export class TierStore {
  readonly #sql: SqlStorage
  /** Committed bytes and entries, kept as entries change (one scan when first asked). */
  #usage: { bytes: number; entries: number } | undefined

  /** @param sql the shard's SQLite, already migrated ({@link migrateTierShard}) */
  constructor(sql: SqlStorage) {
    this.#sql = sql
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
      .exec<{
        meta: string
        headers: string
        body_id: string
        size: number
        chunks: number
        last_access: number
      }>('SELECT meta, headers, body_id, size, chunks, last_access FROM entries WHERE key = ?', key)
      .toArray()[0]
    if (!row) return undefined
    if (now - row.last_access >= ACCESS_GRANULARITY_MS) {
      this.#sql.exec('UPDATE entries SET last_access = ? WHERE key = ?', now, key)
    }
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
  commit(primaryKey: string, entry: TierEntry, now: number, expiresAt: number): string | undefined {
    const previous = this.#sql
      .exec<{ body_id: string; size: number }>(
        'SELECT body_id, size FROM entries WHERE key = ?',
        entry.key
      )
      .toArray()[0]
    this.#sql.exec(
      `INSERT OR REPLACE INTO entries
        (key, primary_key, meta, headers, body_id, size, chunks, stored_at, last_access, expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      entry.key,
      primaryKey,
      JSON.stringify(entry.meta),
      JSON.stringify(entry.headers),
      entry.bodyId,
      entry.size,
      entry.chunks,
      now,
      now,
      expiresAt
    )
    this.#sql.exec(
      'INSERT OR REPLACE INTO vary (primary_key, fields) VALUES (?, ?)',
      primaryKey,
      JSON.stringify(entry.meta.vary)
    )
    if (previous) this.#counted(-previous.size, -1)
    this.#counted(entry.size, 1)
    return previous?.body_id === entry.bodyId ? undefined : previous?.body_id
  }

  /** After a 304: new headers and times, same body. */
  updateHeaders(
    key: string,
    meta: EntryMeta,
    headers: [string, string][],
    expiresAt: number
  ): void {
    this.#sql.exec(
      'UPDATE entries SET meta = ?, headers = ?, expires_at = ? WHERE key = ?',
      JSON.stringify(meta),
      JSON.stringify(headers),
      expiresAt,
      key
    )
  }

  /**
   * Removes every variant stored for a URL.
   * @returns the body ids the caller releases
   */
  deleteUrl(primaryKey: string): string[] {
    const deleted = this.#sql
      .exec<{ body_id: string; size: number }>(
        'DELETE FROM entries WHERE primary_key = ? RETURNING body_id, size',
        primaryKey
      )
      .toArray()
    this.#sql.exec('DELETE FROM vary WHERE primary_key = ?', primaryKey)
    return this.#removed(deleted)
  }

  /** Every entry's storage key, URL and metadata, for a scan against a purge log. */
  *scan(): Generator<{ key: string; primaryKey: string; meta: EntryMeta }> {
    const rows = this.#sql.exec<{ key: string; primary_key: string; meta: string }>(
      'SELECT key, primary_key, meta FROM entries'
    )
    for (const row of rows) {
      yield { key: row.key, primaryKey: row.primary_key, meta: JSON.parse(row.meta) as EntryMeta }
    }
  }

  /**
   * Removes one variant.
   * @returns its body id, for the caller to release
   */
  deleteVariant(key: string): string | undefined {
    const deleted = this.#sql
      .exec<{ body_id: string; size: number }>(
        'DELETE FROM entries WHERE key = ? RETURNING body_id, size',
        key
      )
      .toArray()
    return this.#removed(deleted)[0]
  }

  deleteBody(bodyId: string): void {
    this.#sql.exec('DELETE FROM chunks WHERE body_id = ?', bodyId)
  }

  /** Bytes held in bodies, for capacity reporting. */
  storedBytes(): number {
    return this.usage().bytes
  }

  /**
   * Bytes held in committed bodies and how many entries hold them: counted as entries change,
   * since a scan of every entry on every commit grows with the shard.
   */
  usage(): { bytes: number; entries: number } {
    if (!this.#usage) {
      const row = this.#sql
        .exec<{ bytes: number | null; entries: number }>(
          'SELECT SUM(size) AS bytes, COUNT(*) AS entries FROM entries'
        )
        .toArray()[0]
      this.#usage = { bytes: row?.bytes ?? 0, entries: row?.entries ?? 0 }
    }
    return { ...this.#usage }
  }

  #counted(bytes: number, entries: number): void {
    if (!this.#usage) return
    this.#usage.bytes += bytes
    this.#usage.entries += entries
  }

  /** Takes deleted rows off the usage; their body ids, for the caller to release. */
  #removed(rows: { body_id: string; size: number }[]): string[] {
    for (const row of rows) this.#counted(-row.size, -1)
    return rows.map((row) => row.body_id)
  }

  /** The stored size of one variant, 0 when it is not stored. */
  sizeOf(key: string): number {
    const row = this.#sql
      .exec<{ size: number }>('SELECT size FROM entries WHERE key = ?', key)
      .toArray()[0]
    return row?.size ?? 0
  }

  /** Entries in eviction order, least recently accessed first; read lazily. */
  *byLastAccess(): Generator<{ key: string; size: number; lastAccess: number }> {
    const cursor = this.#sql.exec<{ key: string; size: number; last_access: number }>(
      'SELECT key, size, last_access FROM entries ORDER BY last_access ASC, stored_at ASC'
    )
    for (const row of cursor) yield { key: row.key, size: row.size, lastAccess: row.last_access }
  }

  /**
   * Removes up to `limit` entries that expired at or before `now`.
   * @returns their body ids, for the caller to release
   */
  deleteExpired(now: number, limit: number): string[] {
    const deleted = this.#sql
      .exec<{ body_id: string; size: number }>(
        `DELETE FROM entries WHERE key IN
          (SELECT key FROM entries WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)
          RETURNING body_id, size`,
        now,
        limit
      )
      .toArray()
    return this.#removed(deleted)
  }

  /** The earliest expiry of any entry, or undefined when nothing is stored. */
  nextExpiry(): number | undefined {
    const row = this.#sql
      .exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM entries')
      .toArray()[0]
    return row?.at ?? undefined
  }

  /** Drops the Vary record of a URL with no variant left. */
  deleteOrphanVary(primaryKey: string): void {
    this.#sql.exec(
      `DELETE FROM vary WHERE primary_key = ?
        AND NOT EXISTS (SELECT 1 FROM entries WHERE primary_key = ?)`,
      primaryKey,
      primaryKey
    )
  }

  /** Drops every Vary record of a URL with no variant left (after a sweep). */
  deleteOrphanVaryAll(): void {
    this.#sql.exec(
      'DELETE FROM vary WHERE NOT EXISTS (SELECT 1 FROM entries WHERE entries.primary_key = vary.primary_key)'
    )
  }

  /** True while an entry refers to the body. */
  bodyInUse(bodyId: string): boolean {
    return (
      this.#sql
        .exec<{ n: number }>('SELECT COUNT(*) AS n FROM entries WHERE body_id = ?', bodyId)
        .toArray()[0]?.n !== 0
    )
  }

  /** Records that a body is now in the R2 bucket bound as `binding`. */
  markInR2(bodyId: string, binding: string): void {
    this.#sql.exec(
      'INSERT OR REPLACE INTO r2_bodies (body_id, bucket) VALUES (?, ?)',
      bodyId,
      binding
    )
  }

  /** The binding of the R2 bucket holding a body, or undefined while it is in SQLite. */
  r2Bucket(bodyId: string): string | undefined {
    const row = this.#sql
      .exec<{ bucket: string | null }>('SELECT bucket FROM r2_bodies WHERE body_id = ?', bodyId)
      .toArray()[0]
    if (!row) return undefined
    return row.bucket ?? SHARED_TIER_BUCKET
  }

  forgetR2(bodyId: string): void {
    this.#sql.exec('DELETE FROM r2_bodies WHERE body_id = ?', bodyId)
  }

  saveSketch(sketch: SavedSketch): void {
    const { width, additions, since, counters } = sketch
    this.#sql.exec(
      'INSERT OR REPLACE INTO sketch (id, width, additions, since, counters) VALUES (1, ?, ?, ?, ?)',
      width,
      additions,
      since,
      counters
    )
  }

  /** The saved sketch; `since` is undefined for one saved before it was recorded. */
  loadSketch(): (Omit<SavedSketch, 'since'> & { since: number | undefined }) | undefined {
    const row = this.#sql
      .exec<{ width: number; additions: number; since: number | null; counters: ArrayBuffer }>(
        'SELECT width, additions, since, counters FROM sketch WHERE id = 1'
      )
      .toArray()[0]
    if (!row) return undefined
    const { width, additions, since, counters } = row
    return { width, additions, since: since ?? undefined, counters: new Uint8Array(counters) }
  }
}
