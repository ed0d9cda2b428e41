/**
 * @module validation
 * Revalidating a stored response with the origin (RFC 9111 §4.3): the conditional request
 * fields to send and how a 304 (Not Modified) freshens the stored header fields.
 */

import { parseEntityTag, strongMatch, weakMatch } from './conditional'
import { copyHeaders, fieldNameList, getField, hasField } from './fields'
import { formatHttpDate, parseHttpDate } from './http-date'
import { HOP_BY_HOP } from './storable'

/**
 * Conditional request fields for validating `stored`. "When generating a conditional request
 * for validation, a cache ... MUST send the relevant entity tags (using If-Match,
 * If-None-Match, or If-Range) if the entity tags were provided in the stored response(s)
 * being validated" and "SHOULD send the Last-Modified value (using If-Modified-Since) if only
 * a Last-Modified value has been provided" (it is sent whenever valid, which the RFC allows).
 * Invalid ETag or Last-Modified values are not sent; the date is re-serialised as IMF-fixdate.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.3.1
 */
export function conditionalRequestHeaders(stored: Headers): Headers {
  const out = new Headers()
  const etag = parseEntityTag(getField(stored, 'etag'))
  if (etag) out.set('if-none-match', `${etag.weak ? 'W/' : ''}"${etag.opaque}"`)
  const lastModified = parseHttpDate(getField(stored, 'last-modified'))
  if (lastModified !== undefined) out.set('if-modified-since', formatHttpDate(lastModified))
  return out
}

/**
 * Whether a 304 applies to the stored response it validated (§4.3.4): "If the new response
 * contains a strong validator ... If none of the stored responses contain the same strong
 * validator, then the cache MUST NOT use the new response to update any stored responses";
 * a weak ETag or a Last-Modified must correspond to the stored one. A 304 without any
 * validator is accepted: the request was built from this single stored response.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.3.4
 */
export function notModifiedMatches(stored: Headers, notModified: Headers): boolean {
  const newTag = getField(notModified, 'etag')
  const oldTag = getField(stored, 'etag') ?? ''
  const tag = parseEntityTag(newTag)
  if (newTag !== null) {
    if (!tag) return false
    if (tag.weak) return weakMatch(newTag, oldTag)
    return strongMatch(newTag, oldTag) || encodingWeakened(stored, newTag, oldTag)
  }
  const newModified = getField(notModified, 'last-modified')
  if (newModified !== null) {
    const a = parseHttpDate(newModified)
    return a !== undefined && a === parseHttpDate(getField(stored, 'last-modified'))
  }
  return true
}

/**
 * nginx (and others) weaken the ETag of a body they compress on the fly, `"x"` → `W/"x"`, but
 * send the strong `"x"` on the 304 that answers `If-None-Match: W/"x"` (a 304 has no body to
 * compress). That 304 validates the stored encoded response: treating it as a mismatch would
 * pass a 304 to a client that sent no conditional (issue 19: a browser reload through nginx
 * `gzip on` hung).
 */
function encodingWeakened(stored: Headers, newTag: string, oldTag: string): boolean {
  return (
    hasField(stored, 'content-encoding') &&
    oldTag.trim().startsWith('W/') &&
    weakMatch(newTag, oldTag)
  )
}

/**
 * Fields never taken from a 304: "the cache MUST add each header field in the provided
 * response to the stored response, replacing field values that are already present, with the
 * following exceptions: Header fields excepted from storage in Section 3.1, ... Header
 * fields that are automatically processed and removed by the recipient ..., and The
 * Content-Length header field." Content-Encoding, Content-Range and Content-MD5 describe the
 * stored body and are kept from it ("to assure integrity of the stored response"; cache-tests.fyi
 * requires it for all three); Set-Cookie is never stored.
 */
export const NOT_UPDATED_BY_304: ReadonlySet<string> = new Set([
  'content-length',
  'content-encoding',
  'content-range',
  'content-md5',
  'set-cookie',
])

/**
 * Stored headers freshened by a 304: each field present in the 304 replaces all stored
 * instances of it (§4.3.4 "use other header fields provided in the 304 (Not Modified)
 * response to replace all instances of the corresponding header fields in the stored
 * response"), except hop-by-hop fields and {@link NOT_UPDATED_BY_304}. Because the age of
 * the entry restarts at this exchange, a stored Age the 304 does not repeat is dropped, and
 * a 304 without Date gets `responseTime` as Date (or the stale Date is dropped).
 * The caller should store the result with the new request/response times and pass it
 * through `headersToStore` with the new directives.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-3.2
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.3.4
 */
export function mergeNotModified(
  stored: Headers,
  notModified: Headers,
  responseTime?: number
): Headers {
  const listed = new Set(fieldNameList(getField(notModified, 'connection') ?? ''))
  const update = (name: string) =>
    !HOP_BY_HOP.has(name) &&
    !listed.has(name) &&
    !name.startsWith('proxy-') &&
    !NOT_UPDATED_BY_304.has(name)
  const updates = copyHeaders(notModified, update)
  const replaced = new Set([...updates.keys()])
  const out = copyHeaders(stored, (name) => !replaced.has(name))
  for (const [name, value] of updates) out.append(name, value)
  if (!hasField(notModified, 'age')) out.delete('age')
  if (!hasField(notModified, 'date')) {
    if (responseTime !== undefined && Number.isFinite(responseTime)) {
      out.set('date', formatHttpDate(responseTime))
    } else {
      out.delete('date')
    }
  }
  return out
}
