/**
 * @module conditional
 * Client conditional requests answered from a stored response (RFC 9110 §13, RFC 9111
 * §4.3.2): entity-tag comparison, precondition evaluation in the §13.2.2 order and the
 * header fields a 304 carries.
 */

import { getField, trimOWS } from './fields'
import { parseHttpDate } from './http-date'

/** A parsed entity-tag; `opaque` is the text between the double quotes. */
export interface EntityTag {
  weak: boolean
  opaque: string
}

// etagc = %x21 / %x23-7E / obs-text
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/

/**
 * Parses `entity-tag = [ weak ] opaque-tag` (the weak prefix "W/" is case-sensitive).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3
 */
export function parseEntityTag(value: string | null | undefined): EntityTag | undefined {
  if (typeof value !== 'string') return undefined
  const m = ENTITY_TAG.exec(trimOWS(value))
  if (!m) return undefined
  return { weak: m[1] !== undefined, opaque: m[2] ?? '' }
}

/**
 * Parses `If-Match` / `If-None-Match`: '*' or the valid entity-tags of `#entity-tag`
 * (opaque-tags may contain commas). Invalid members are skipped, so an unusable field is an
 * empty list, which matches nothing.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.1.1
 */
export function parseEntityTagList(value: string): '*' | EntityTag[] {
  if (trimOWS(value) === '*') return '*'
  const tags: EntityTag[] = []
  const n = value.length
  let i = 0
  while (i < n) {
    while (i < n && /[ \t,]/.test(value.charAt(i))) i++
    if (i >= n) break
    const start = i
    if (value.startsWith('W/', i)) i += 2
    let end = value.indexOf(',', i)
    if (value.charAt(i) === '"') {
      const close = value.indexOf('"', i + 1)
      if (close < 0) break
      end = value.indexOf(',', close)
    }
    if (end < 0) end = n
    const tag = parseEntityTag(value.slice(start, end))
    if (tag) tags.push(tag)
    i = end
  }
  return tags
}

/**
 * Strong comparison: "two entity tags are equivalent if both are not weak and their
 * opaque-tags match character-by-character". Invalid entity-tags never match.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3.2
 */
export function strongMatch(a: string, b: string): boolean {
  const x = parseEntityTag(a)
  const y = parseEntityTag(b)
  return !!x && !!y && !x.weak && !y.weak && x.opaque === y.opaque
}

/**
 * Weak comparison: "two entity tags are equivalent if their opaque-tags match
 * character-by-character, regardless of either or both being tagged as 'weak'".
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3.2
 */
export function weakMatch(a: string, b: string): boolean {
  const x = parseEntityTag(a)
  const y = parseEntityTag(b)
  return !!x && !!y && x.opaque === y.opaque
}

export type ConditionalOutcome = 'proceed' | 'not-modified' | 'precondition-failed'

/**
 * Evaluates preconditions against a stored response in the order of RFC 9110 §13.2.2:
 * 1. If-Match: false ("*" with a representation is true; otherwise strong comparison) → 412;
 * 2. without If-Match, If-Unmodified-Since: Last-Modified later than the date → 412
 *    (ignored when the date is invalid or no Last-Modified is known);
 * 3. If-None-Match: a weak match (or "*") → 304 for GET/HEAD, else 412;
 * 4. without If-None-Match, for GET/HEAD only, If-Modified-Since: Last-Modified (or, lacking
 *    it, Date - RFC 9111 §4.3.2) earlier than or equal to the date → 304.
 * Pass `status` to apply "A server MUST ignore all received preconditions if its response to
 * the same request without those conditions ... would have been a status code other than a
 * 2xx (Successful) or 412".
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.2.2
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.3.2
 */
export function evaluateConditional(
  method: string,
  requestHeaders: Headers,
  responseHeaders: Headers,
  status?: number
): ConditionalOutcome {
  if (status !== undefined && (status < 200 || status > 299)) return 'proceed'
  const etag = getField(responseHeaders, 'etag') ?? ''
  const lastModified = parseHttpDate(getField(responseHeaders, 'last-modified'))
  const safe = method === 'GET' || method === 'HEAD'

  const ifMatch = getField(requestHeaders, 'if-match')
  if (ifMatch !== null) {
    // "If the field value is '*', the condition is false if the origin server has no current
    // representation" (a stored response is one); otherwise "the condition is true if any of
    // the listed tags match the entity tag of the selected representation" (strong comparison)
    const list = parseEntityTagList(ifMatch)
    const ok = list === '*' || list.some((t) => strongMatch(show(t), etag))
    if (!ok) return 'precondition-failed'
  } else {
    // "A recipient MUST ignore the If-Unmodified-Since header field if the received field
    // value is not a valid HTTP-date" and "if the request contains an If-Match header field"
    const ius = parseHttpDate(getField(requestHeaders, 'if-unmodified-since'))
    if (ius !== undefined && lastModified !== undefined && lastModified > ius) {
      return 'precondition-failed'
    }
  }

  const ifNoneMatch = getField(requestHeaders, 'if-none-match')
  if (ifNoneMatch !== null) {
    // "A recipient MUST use the weak comparison function when comparing entity tags for
    // If-None-Match"
    const list = parseEntityTagList(ifNoneMatch)
    const matched = list === '*' || list.some((t) => weakMatch(show(t), etag))
    if (matched) return safe ? 'not-modified' : 'precondition-failed'
    return 'proceed'
  }

  // "A recipient MUST ignore If-Modified-Since if the request contains an If-None-Match
  // header field" and "if the request method is neither GET nor HEAD"
  if (!safe) return 'proceed'
  const ims = parseHttpDate(getField(requestHeaders, 'if-modified-since'))
  if (ims === undefined) return 'proceed'
  const reference = lastModified ?? parseHttpDate(getField(responseHeaders, 'date'))
  if (reference !== undefined && reference <= ims) return 'not-modified'
  return 'proceed'
}

function show(tag: EntityTag): string {
  return `${tag.weak ? 'W/' : ''}"${tag.opaque}"`
}

/**
 * Fields copied from the full response into a 304: "The server generating a 304 response
 * MUST generate any of the following header fields that would have been sent in a 200 (OK)
 * response to the same request: Content-Location, Date, ETag, and Vary; Cache-Control and
 * Expires". Last-Modified and Age are kept too, to guide downstream cache updates.
 */
export const NOT_MODIFIED_FIELDS: readonly string[] = [
  'age',
  'cache-control',
  'content-location',
  'date',
  'etag',
  'expires',
  'last-modified',
  'vary',
]

/**
 * The header fields of a 304 (Not Modified) built from the headers of the full response.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.4.5
 */
export function notModifiedHeaders(full: Headers): Headers {
  const out = new Headers()
  for (const name of NOT_MODIFIED_FIELDS) {
    const value = getField(full, name)
    if (value !== null) out.set(name, value)
  }
  return out
}
