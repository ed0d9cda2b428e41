/**
 * @module tier/stored-entry
 * A shard's stored entries as plain data: the entry a fill stores from an origin response, the
 * entry a matching 304 refreshes, and the views the RFC 9111 policy reads. Pure: times are
 * passed in.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-3
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.3.4
 */
import { ORIGIN_MEMBER_FIELD } from '../../origin/pool-origin'
import { entryMetaOf, type StoredView, storedView } from '../entry'
import {
  addReceivedDate,
  type CacheControl,
  headersToStore,
  mergeNotModified,
  notModifiedMatches,
  selectCacheControl,
  stripHopByHop,
} from '../policy'
import { lengthOf } from '../policy/content-length'
import { dropDiagnostics } from '../status-headers'
import { type TierEntry, variantKey } from './tier-store'

/** A stored entry as the policy functions read it (status, fields, request and response times). */
export function tierView(entry: TierEntry): StoredView {
  return storedView(entry.meta, new Headers(entry.headers))
}

/** A stored body's length is known even when the origin streamed it without one. */
export function withStoredLength(entry: TierEntry): TierEntry {
  const headers = entry.headers.filter(([name]) => name !== 'content-length')
  headers.push(['content-length', String(entry.size)])
  return { ...entry, headers }
}

/** The Content-Length a response declared, if any. */
export function declaredLength(headers: [string, string][]): number | undefined {
  return lengthOf(headers.find(([name]) => name === 'content-length')?.[1])
}

/** The primary key of a variant key (`primary\nvary`). */
export function primaryOf(key: string): string {
  const end = key.indexOf('\n')
  return end < 0 ? key : key.slice(0, end)
}

/**
 * The origin's fields as the request that caused a fill gets them (our own fields are redone).
 * @param receivedAt when the origin's response arrived (ms), its Date if it sent none
 */
export function leaderHeaders(origin: Headers, receivedAt: number): Headers {
  const headers = stripHopByHop(origin)
  dropDiagnostics(headers)
  addReceivedDate(headers, receivedAt)
  return headers
}

/** `Cache-Status` detail naming the pool member that answered a fill, if a pool did. */
export function memberDetail(headers: [string, string][]): string | undefined {
  const member = headers.find(([name]) => name === ORIGIN_MEMBER_FIELD)?.[1]
  return member === undefined ? undefined : `origin=${member}`
}

/** What a fill knows when the origin's response is to be stored. */
export interface StoredResponse {
  /** The primary cache key. */
  key: string
  requestHeaders: Headers
  status: number
  responseHeaders: Headers
  /** The storable directives `canStore` returned. */
  directives: CacheControl
  /** The response's Vary field names (not `*`). */
  vary: string[]
  requestTime: number
  responseTime: number
  /** The zone's purge sequence when the fill started. */
  purgeSeq: number
  zone: string
}

/**
 * The entry a fill stores, with a fresh body id and no bytes yet (the body writer counts them).
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-3.1
 */
export function newEntry(response: StoredResponse, bodyId: string): TierEntry {
  const meta = entryMetaOf({
    response: { status: response.status, headers: response.responseHeaders },
    vary: response.vary,
    requestHeaders: response.requestHeaders,
    requestTime: response.requestTime,
    responseTime: response.responseTime,
    purgeSeq: response.purgeSeq,
    zone: response.zone,
  })
  const headers = headersToStore(
    response.responseHeaders,
    response.directives,
    response.responseTime
  )
  dropDiagnostics(headers)
  return {
    key: variantKey(response.key, meta.varyKey),
    meta,
    headers: [...headers],
    bodyId,
    size: 0,
    chunks: 0,
  }
}

/**
 * The stale entry refreshed by a 304, or undefined when the 304 does not match it (RFC 9111
 * §4.3.4: "If none of the stored responses contain the same strong validator, then the cache
 * MUST NOT use the new response to update any stored responses").
 * @param stale the entry that was revalidated
 * @param notModified the 304's fields
 * @param requestTime when the conditional request went out (ms)
 * @param responseTime when the 304 arrived (ms)
 */
export function mergeRevalidation(
  stale: TierEntry,
  notModified: Headers,
  requestTime: number,
  responseTime: number
): TierEntry | undefined {
  const storedHeaders = new Headers(stale.headers)
  if (!notModifiedMatches(storedHeaders, notModified)) return undefined
  const merged = mergeNotModified(storedHeaders, notModified, responseTime)
  const { directives } = selectCacheControl(merged)
  return {
    ...stale,
    meta: { ...stale.meta, requestTime, responseTime },
    headers: [...headersToStore(merged, directives, responseTime)],
  }
}
