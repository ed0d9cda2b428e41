/**
 * @module purge/purge-index
 * Purges are recorded, not broadcast: a zone's purge log is a sequence of records, and a stored
 * entry knows the sequence number it was stored at. An entry is purged when a record newer than
 * it matches it (Varnish's ban list). This module indexes a log snapshot for O(1) lookups by
 * URL, host and tag (prefixes are scanned) and answers `purgeState` for an entry. Pure: no I/O.
 */
import { keyHost } from '../key'

export type PurgeKind = 'url' | 'prefix' | 'host' | 'tag' | 'everything'

export interface PurgeRecord {
  seq: number
  kind: PurgeKind
  /** url: `host/path?query` (no scheme); prefix: `host/path-prefix`; host; tag; '' for everything */
  value: string
  /** Soft purge: matching entries become stale instead of gone. */
  soft: boolean
}

export interface PurgeSnapshot {
  /** The newest sequence number in the log; entries stored now are stored at this sequence. */
  seq: number
  /** Entries stored before this sequence are purged: the records behind it were compacted. */
  floor: number
  records: PurgeRecord[]
}

export interface PurgeTarget {
  /** The primary cache key, e.g. `https://example.com/a.css?v=1`. */
  key: string
  tags: readonly string[]
  /** The sequence the entry was stored at. */
  seq: number
}

export type PurgeState = 'live' | 'stale' | 'purged'

interface Newest {
  hard: number
  soft: number
}

export class PurgeIndex {
  seq: number
  floor: number
  readonly #urls = new Map<string, Newest>()
  readonly #hosts = new Map<string, Newest>()
  readonly #tags = new Map<string, Newest>()
  readonly #prefixes: PurgeRecord[] = []
  readonly #everything: Newest = { hard: 0, soft: 0 }

  constructor(snapshot: PurgeSnapshot) {
    this.seq = snapshot.seq
    this.floor = snapshot.floor
    for (const record of snapshot.records) this.#add(record)
  }

  /**
   * Brings the index up to date with the records after `this.seq`.
   * @returns false when the log was compacted past what the index holds: rebuild it instead
   */
  extend(snapshot: PurgeSnapshot): boolean {
    if (snapshot.floor !== this.floor) return false
    for (const record of snapshot.records) this.#add(record)
    this.seq = Math.max(this.seq, snapshot.seq)
    return true
  }

  #add(record: PurgeRecord): void {
    switch (record.kind) {
      case 'url':
        bump(this.#urls, record.value, record)
        break
      case 'host':
        bump(this.#hosts, record.value.toLowerCase(), record)
        break
      case 'tag':
        bump(this.#tags, record.value, record)
        break
      case 'prefix':
        this.#prefixes.push(record)
        break
      case 'everything':
        raise(this.#everything, record)
        break
    }
  }

  /**
   * @param target the stored entry
   * @returns 'purged' when a hard record newer than the entry matches it (or it predates the
   *   floor), 'stale' when only soft records do, else 'live'
   */
  purgeState(target: PurgeTarget): PurgeState {
    if (target.seq < this.floor) return 'purged'
    const address = withoutScheme(target.key)
    const host = (address.split('/')[0] ?? '').toLowerCase()
    const newest: Newest = { ...this.#everything }
    merge(newest, this.#urls.get(address))
    merge(newest, this.#hosts.get(host))
    for (const tag of target.tags) merge(newest, this.#tags.get(tag))
    for (const record of this.#prefixes) {
      if (address.startsWith(record.value)) raise(newest, record)
    }
    if (newest.hard > target.seq) return 'purged'
    if (newest.soft > target.seq) return 'stale'
    return 'live'
  }
}

/**
 * The form URLs take in purge records: scheme dropped (a purge of `example.com/a` covers http
 * and https), host as cache keys name it (key.ts: lower-cased, no trailing dot), default port
 * dropped.
 * @throws TypeError for something that is not an absolute http(s) URL or `host/path`
 */
export function purgeAddress(url: string): string {
  const parsed = new URL(/^https?:\/\//i.test(url) ? url : `https://${url}`)
  return `${keyHost(parsed)}${parsed.pathname}${parsed.search}`
}

function withoutScheme(key: string): string {
  return key.replace(/^https?:\/\//i, '')
}

function bump(map: Map<string, Newest>, value: string, record: PurgeRecord): void {
  const newest = map.get(value) ?? { hard: 0, soft: 0 }
  raise(newest, record)
  map.set(value, newest)
}

function raise(newest: Newest, record: PurgeRecord): void {
  if (record.soft) newest.soft = Math.max(newest.soft, record.seq)
  else newest.hard = Math.max(newest.hard, record.seq)
}

function merge(into: Newest, from: Newest | undefined): void {
  if (!from) return
  into.hard = Math.max(into.hard, from.hard)
  into.soft = Math.max(into.soft, from.soft)
}
