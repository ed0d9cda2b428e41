/**
 * @module storable
 * Whether a shared edge cache may store a response (RFC 9111 §3) and which header fields it
 * keeps (§3.1). The edge is a shared cache that stores complete responses only.
 */

import { type CacheControl, requestCacheControl, selectCacheControl } from './cache-control'
import { copyHeaders, fieldNameList, getField, hasField } from './fields'
import { HEURISTICALLY_CACHEABLE, hasExplicitFreshness } from './freshness'
import { formatHttpDate } from './http-date'
import { varyFields } from './vary'

/** Everything {@link canStore} looks at. */
export interface StoreInput {
  method: string
  requestHeaders: Headers
  status: number
  responseHeaders: Headers
  /** Store responses carrying Set-Cookie (the cookie itself is still never stored). */
  allowSetCookie?: boolean
  /** Targeted fields to obey, most specific first; defaults to `TARGETED_FIELDS`. */
  targeted?: readonly string[]
}

export type StoreDecision = { ok: true; directives: CacheControl } | { ok: false; reason: string }

/**
 * Status codes whose semantics this cache implements, i.e. "understands" in the sense of
 * RFC 9111 §3 and §5.2.2.3. Responses with other codes are never stored (caches are not
 * required to store anything). 206 is understood but not stored: the edge keeps full
 * responses only. 304 is handled by revalidation, never stored.
 */
export const UNDERSTOOD_STATUSES: ReadonlySet<number> = new Set([
  200, 203, 204, 206, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 451, 501,
])

/**
 * Connection-specific fields (RFC 9110 §7.6.1) and the proxy fields that "MUST NOT be
 * stored" (RFC 9111 §3.1). Any other `proxy-*` field is dropped as well.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authentication-info',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

/**
 * A copy of `headers` without hop-by-hop fields: the fixed set, any `proxy-*` field, and
 * every field named in Connection ("the Connection header field and fields whose names are
 * listed in it are required ... to be removed before forwarding the message").
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-3.1
 */
export function stripHopByHop(headers: Headers): Headers {
  const listed = new Set(fieldNameList(getField(headers, 'connection') ?? ''))
  return copyHeaders(
    headers,
    (name) => !HOP_BY_HOP.has(name) && !listed.has(name) && !name.startsWith('proxy-')
  )
}

/** Field names a qualified private="..." or no-cache="..." forbids storing. */
function qualifiedNames(cc: CacheControl): Set<string> {
  return new Set([
    ...(Array.isArray(cc.private) ? cc.private : []),
    ...(Array.isArray(cc.noCache) ? cc.noCache : []),
  ])
}

/**
 * The header fields to store: hop-by-hop fields removed, fields named by a qualified
 * `private` ("a shared cache MUST NOT store the specified field names") or `no-cache`
 * ("the cache MUST NOT reuse the specified fields without successful revalidation" - they
 * are simply not stored) removed, and Set-Cookie always removed. A response without Date
 * gets the time it was received ({@link addReceivedDate}): "A recipient with a clock that
 * receives a response message without a Date header field MUST record the time it was
 * received and append a corresponding Date header field to the message's header section if
 * it is cached or forwarded downstream" (RFC 9110 §6.6.1); `If-Range` with a date needs it.
 * @param receivedAt when the response arrived (ms)
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.4
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.7
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1
 */
export function headersToStore(headers: Headers, cc: CacheControl, receivedAt: number): Headers {
  const dropped = qualifiedNames(cc)
  const stripped = stripHopByHop(headers)
  const stored = copyHeaders(stripped, (name) => !dropped.has(name) && name !== 'set-cookie')
  addReceivedDate(stored, receivedAt)
  return stored
}

/**
 * Gives a response without Date (R2 and S3 objects, origins without a clock) the time it was
 * received, as a cache must before it stores or forwards it (RFC 9110 §6.6.1).
 * @param receivedAt when the response arrived (ms)
 */
export function addReceivedDate(headers: Headers, receivedAt: number): void {
  if (!hasField(headers, 'date')) headers.set('date', formatHttpDate(receivedAt))
}

const no = (reason: string): StoreDecision => ({ ok: false, reason })

/**
 * Decides whether a response may be stored, returning the governing directives (targeted
 * field or Cache-Control) when it may. Rejection reasons: 'method', 'status-not-final',
 * 'status', 'must-understand', 'request-no-store', 'no-store', 'partial', 'private',
 * 'authorization', 'set-cookie', 'vary-star', 'not-cacheable', 'no-freshness'.
 * Beyond §3, a response needs explicit freshness or a validator: no default TTL.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-3
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-3.5
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.3
 */
export function canStore(input: StoreInput): StoreDecision {
  const { method, requestHeaders, status, responseHeaders } = input
  // "the request method is understood by the cache" - method tokens are case-sensitive
  if (method !== 'GET' && method !== 'HEAD') return no('method')
  if (!Number.isInteger(status) || status < 100 || status > 599) return no('status')
  // "the response status code is final"
  if (status < 200) return no('status-not-final')
  const { directives: cc, source } = selectCacheControl(responseHeaders, input.targeted)
  const req = requestCacheControl(requestHeaders)
  // "a cache MUST NOT store any part of either this request or any response to it"
  if (req.noStore) return no('request-no-store')
  const understood = UNDERSTOOD_STATUSES.has(status)
  if (cc.mustUnderstand) {
    // "if ... the must-understand cache directive is present: the cache understands the
    // response status code"; when it does, it "SHOULD ignore the no-store directive"
    if (!understood) return no('must-understand')
  } else {
    // "the no-store cache directive is not present in the response"
    if (cc.noStore) return no('no-store')
    if (!understood) return no('status')
  }
  if (status === 206) return no('partial')
  // "the private response directive is either not present or allows a shared cache to store
  // a modified response"
  if (cc.private === true) return no('private')
  // "the Authorization header field is not present in the request ... or a response
  // directive is present that explicitly allows shared caching" (must-revalidate, public,
  // s-maxage; §3.5)
  if (
    hasField(requestHeaders, 'authorization') &&
    !cc.public &&
    !cc.mustRevalidate &&
    cc.sMaxAge === undefined
  ) {
    return no('authorization')
  }
  if (hasField(responseHeaders, 'set-cookie') && !input.allowSetCookie) {
    if (!qualifiedNames(cc).has('set-cookie')) return no('set-cookie')
  }
  // "A stored response with a Vary header field value containing a member '*' always fails
  // to match" (§4.1), so storing it is pointless
  if (varyFields(responseHeaders) === '*') return no('vary-star')
  const explicit = hasExplicitFreshness(responseHeaders, cc, source)
  // "the response contains at least one of: public, Expires, max-age, s-maxage, ... a status
  // code that is defined as heuristically cacheable"
  if (!explicit && !cc.public && !HEURISTICALLY_CACHEABLE.has(status)) return no('not-cacheable')
  const validator = hasField(responseHeaders, 'etag') || hasField(responseHeaders, 'last-modified')
  if (!explicit && !validator) return no('no-freshness')
  return { ok: true, directives: cc }
}
