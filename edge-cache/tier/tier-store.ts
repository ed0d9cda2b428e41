/**
 * @module tier/tier-store
 * A tier shard's storage in its Durable Object's SQLite: one row per entry (per Vary variant),
 * the Vary fields per URL, and bodies in chunks under SQLite's row limit. Bodies are addressed
 * by a body id, not by entry, so that a refill can write a new body while readers finish the
 * old one.
 */
import { SHARED_TIER_BUCKET } from '../../schemas/regions'
import type { EntryMeta } from '../entry'
import type { Segment } from './window'

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
  /** The admission window's share of the budget (tier/miniatures.ts). */
  windowShare: number
}

/** A saved sketch as read back: `since` and `windowShare` are absent from older saves. */
export type LoadedSketch = Omit<SavedSketch, Later> & Partial<Pick<SavedSketch, Later>>
type Later = 'since' | 'windowShare'

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

/** A deleted or replaced row, as it leaves the usage. */
type Removed = { body_id: string; size: number; segment: Segment }
type Accessed = { key: string; size: number; last_access: number }

export class TierStore {
  readonly #sql: SqlStorage
  /** Committed bytes, entries and window bytes, kept as entries change (one scan at first). */
  #usage: { bytes: number; entries: number; window: number } | undefined

  /** @param sql the shard's SQLite, already migrated (tier/migrate-shard.ts) */
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
   * @param segment where W-TinyLFU puts it (tier/window.ts)
   * @returns the body id the entry had before, whose chunks the caller releases
   */
  commit(
    primaryKey: string,
    entry: TierEntry,
    now: number,
    expiresAt: number,
    segment: Segment = 'main'
  ): string | undefined {
    const previous = this.#sql
      .exec<Removed>('SELECT body_id, size, segment FROM entries WHERE key = ?', entry.key)
      .toArray()[0]
    this.#sql.exec(
      `INSERT OR REPLACE INTO entries (key, primary_key, meta, headers, body_id, size, chunks,
        stored_at, last_access, expires_at, segment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      entry.key,
      primaryKey,
      JSON.stringify(entry.meta),
      JSON.stringify(entry.headers),
      entry.bodyId,
      entry.size,
      entry.chunks,
      now,
      now,
      expiresAt,
      segment
    )
    this.#sql.exec(
      'INSERT OR REPLACE INTO vary (primary_key, fields) VALUES (?, ?)',
      primaryKey,
      JSON.stringify(entry.meta.vary)
    )
    if (previous) this.#removed([previous])
    this.#counted(entry.size, 1, segment)
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
      .exec<Removed>(
        'DELETE FROM entries WHERE primary_key = ? RETURNING body_id, size, segment',
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
      .exec<Removed>('DELETE FROM entries WHERE key = ? RETURNING body_id, size, segment', key)
      .toArray()
    return this.#removed(deleted)[0]
  }

  deleteBody(bodyId: string): void {
    this.#sql.exec('DELETE FROM chunks WHERE body_id = ?', bodyId)
  }

  /**
   * Bytes held in committed bodies and how many entries hold them: counted as entries change,
   * since a scan of every entry on every commit grows with the shard.
   */
  usage(): { bytes: number; entries: number } {
    const { bytes, entries } = this.#counts()
    return { bytes, entries }
  }

  /** Committed bytes per W-TinyLFU segment (tier/window.ts), counted as entries change. */
  segmentUsage(): { window: number; main: number } {
    const { bytes, window } = this.#counts()
    return { window, main: bytes - window }
  }

  #counts(): { bytes: number; entries: number; window: number } {
    if (!this.#usage) {
      const row = this.#sql
        .exec<{ bytes: number | null; entries: number; window: number | null }>(
          `SELECT SUM(size) AS bytes, COUNT(*) AS entries,
            SUM(CASE WHEN segment = 'window' THEN size ELSE 0 END) AS window FROM entries`
        )
        .toArray()[0]
      this.#usage = { bytes: row?.bytes ?? 0, entries: row?.entries ?? 0, window: row?.window ?? 0 }
    }
    return this.#usage
  }

  #counted(bytes: number, entries: number, segment: Segment): void {
    if (!this.#usage) return
    this.#usage.bytes += bytes
    this.#usage.entries += entries
    if (segment === 'window') this.#usage.window += bytes
  }

  /** Takes deleted rows off the usage; their body ids, for the caller to release. */
  #removed(rows: Removed[]): string[] {
    for (const row of rows) this.#counted(-row.size, -1, row.segment)
    return rows.map((row) => row.body_id)
  }

  /** One variant's stored size and segment, undefined when it is not stored. */
  placed(key: string): { size: number; segment: Segment } | undefined {
    return this.#sql
      .exec<{ size: number; segment: Segment }>(
        'SELECT size, segment FROM entries WHERE key = ?',
        key
      )
      .toArray()[0]
  }

  /** Moves a window entry to main once it won admission (tier/window.ts). */
  promote(key: string): void {
    const moved = this.#sql
      .exec<{ size: number }>(
        "UPDATE entries SET segment = 'main' WHERE key = ? AND segment = 'window' RETURNING size",
        key
      )
      .toArray()[0]
    if (moved && this.#usage) this.#usage.window -= moved.size
  }

  /**
   * Entries in eviction order, least recently accessed first, of one segment or all; read lazily.
   */
  *byLastAccess(segment?: Segment): Generator<{ key: string; size: number; lastAccess: number }> {
    const order = 'ORDER BY last_access ASC, stored_at ASC'
    const cursor = segment
      ? this.#sql.exec<Accessed>(
          `SELECT key, size, last_access FROM entries WHERE segment = ? ${order}`,
          segment
        )
      : this.#sql.exec<Accessed>(`SELECT key, size, last_access FROM entries ${order}`)
    for (const row of cursor) yield { key: row.key, size: row.size, lastAccess: row.last_access }
  }

  /**
   * Removes up to `limit` entries that expired at or before `now`.
   * @returns their body ids, for the caller to release
   */
  deleteExpired(now: number, limit: number): string[] {
    const deleted = this.#sql
      .exec<Removed>(
        `DELETE FROM entries WHERE key IN
          (SELECT key FROM entries WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)
          RETURNING body_id, size, segment`,
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
    const { width, additions, since, counters, windowShare } = sketch
    this.#sql.exec(
      `INSERT OR REPLACE INTO sketch (id, width, additions, since, counters, window_share)
        VALUES (1, ?, ?, ?, ?, ?)`,
      width,
      additions,
      since,
      counters,
      windowShare
    )
  }

  /**
   * The saved sketch; `since` and `windowShare` are undefined for one saved before they were
   * recorded.
   */
  loadSketch(): LoadedSketch | undefined {
    const row = this.#sql
      .exec<{
        width: number
        additions: number
        since: number | null
        counters: ArrayBuffer
        window_share: number | null
      }>('SELECT width, additions, since, counters, window_share FROM sketch WHERE id = 1')
      .toArray()[0]
    if (!row) return undefined
    return {
      width: row.width,
      additions: row.additions,
      since: row.since ?? undefined,
      counters: new Uint8Array(row.counters),
      windowShare: row.window_share ?? undefined,
    }
  }
}
