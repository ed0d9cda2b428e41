/**
 * @module entry
 * What every tier stores beside a response so that it can decide fresh / stale / purged itself:
 * the original status, when it was requested and received (RFC 9111 §4.2.3 age), its Vary
 * fields with the request's values, and its cache tags; and the helpers both layers build and
 * read entries with.
 */
import { type CacheControl, cacheTags, entryFreshness } from './policy'
import { secondaryKey } from './secondary-key'

export interface EntryMeta {
  status: number
  /** ms since epoch when the request that produced this response was sent upstream. */
  requestTime: number
  /** ms since epoch when its response headers arrived. */
  responseTime: number
  /** Lower-cased field names from `Vary`. */
  vary: string[]
  /** The secondary key: the request's values of the `vary` fields. */
  varyKey: string
  tags: string[]
  /** The zone's purge-log sequence when the entry was stored; newer matching purges remove it. */
  purgeSeq: number
  /** The zone whose purge log applies (set by the tier, which holds entries of many zones). */
  zone?: string
  /** Body length in bytes, when known. */
  size?: number
  /** The response's own Cache-Control, kept aside because L1 overwrites the field for expiry. */
  cacheControl?: string
  /** The response's own Age, kept aside because the Cache API would count it against expiry. */
  age?: string
  /**
   * The response's Content-Encoding, kept aside so the Cache API stores the encoded bytes as
   * opaque: given the field, it re-encodes gzip and hands br back decoded (store/l1.ts).
   */
  contentEncoding?: string
  /**
   * The response's own Date, kept aside because the local Cache API (Miniflare) rewrites Date to
   * the time of `put`, which would shorten the age (RFC 9111 §4.2.3) and change what clients see.
   */
  date?: string
}

/** Carries `EntryMeta` on a Cache API entry; never sent to a client. */
export const ENTRY_META_HEADER = 'x-edge-entry'

export function encodeMeta(meta: EntryMeta): string {
  return JSON.stringify(meta)
}

/**
 * @param value the stored header value
 * @returns the metadata, or undefined when it is missing or not ours (treated as a miss)
 */
export function decodeMeta(value: string | null): EntryMeta | undefined {
  if (value === null) return undefined
  try {
    const meta: unknown = JSON.parse(value)
    return isEntryMeta(meta) ? meta : undefined
  } catch {
    return undefined
  }
}

function isEntryMeta(value: unknown): value is EntryMeta {
  if (typeof value !== 'object' || value === null) return false
  const m = value as Record<string, unknown>
  return (
    typeof m.status === 'number' &&
    typeof m.requestTime === 'number' &&
    typeof m.responseTime === 'number' &&
    Array.isArray(m.vary) &&
    typeof m.varyKey === 'string' &&
    Array.isArray(m.tags) &&
    typeof m.purgeSeq === 'number'
  )
}

/** What the freshness policy reads of a stored entry (policy/serve.ts). */
export interface StoredView {
  status: number
  headers: Headers
  requestTime: number
  responseTime: number
}

/**
 * @param meta the entry's metadata
 * @param headers its stored fields
 * @returns the view the freshness policy decides on
 */
export function storedView(meta: EntryMeta, headers: Headers): StoredView {
  return {
    status: meta.status,
    headers,
    requestTime: meta.requestTime,
    responseTime: meta.responseTime,
  }
}

/** What a layer knows of a response it is about to store. */
export interface EntryFacts {
  response: { status: number; headers: Headers }
  /** The response's Vary fields (never `*`: such a response is not stored). */
  vary: string[]
  requestHeaders: Headers
  requestTime: number
  responseTime: number
  purgeSeq: number
  zone: string
  size?: number
}

/**
 * One builder for the edge and the tier, so both key variants and tags the same way.
 * @param facts the response and when and for which zone it is stored
 * @returns its metadata
 */
export function entryMetaOf(facts: EntryFacts): EntryMeta {
  const { response } = facts
  return {
    ...(facts.size !== undefined && { size: facts.size }),
    status: response.status,
    requestTime: facts.requestTime,
    responseTime: facts.responseTime,
    vary: facts.vary,
    varyKey: secondaryKey(facts.vary, facts.requestHeaders),
    tags: cacheTags(response.headers),
    purgeSeq: facts.purgeSeq,
    zone: facts.zone,
  }
}

/**
 * How long an entry stays of use to a cache: what is left of its freshness plus the longer of
 * its stale windows (RFC 5861 stale-while-revalidate, stale-if-error).
 * @param view the entry
 * @param now the current time in ms
 * @returns the seconds left (zero or less: of no use), and the directives that decided it
 */
export function retention(
  view: StoredView,
  now: number
): { seconds: number; directives: CacheControl } {
  const { directives, ttl } = entryFreshness(view, now)
  const staleWindow = Math.max(directives.staleWhileRevalidate ?? 0, directives.staleIfError ?? 0)
  return { seconds: ttl + staleWindow, directives }
}
