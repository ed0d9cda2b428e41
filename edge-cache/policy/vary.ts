/**
 * @module vary
 * Vary handling (RFC 9111 §4.1): the list of selecting fields of a stored response and a
 * deterministic secondary cache key built from a request's values for them.
 */

import { normalizeAcceptEncoding } from './encoding'
import { getField, isToken, splitList, trimOWS } from './fields'

/**
 * Field names from every Vary field line: lower-cased, deduplicated and sorted, or '*' when
 * any member is '*' ("A stored response with a Vary header field value containing a member
 * '*' always fails to match"). Members that are not valid field names are dropped.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.1
 */
export function varyFields(headers: Headers): string[] | '*' {
  const value = getField(headers, 'vary')
  if (value === null) return []
  const names = new Set<string>()
  for (const member of splitList(value)) {
    if (member === '*') return '*'
    const name = member.toLowerCase()
    if (isToken(name)) names.add(name)
  }
  return [...names].sort()
}

/**
 * Adds `name` to the response's Vary unless it is listed already (or Vary is `*`), so a field
 * the origin named is not repeated.
 */
export function addVary(headers: Headers, name: string): void {
  const listed = varyFields(headers)
  if (listed === '*' || listed.includes(name.toLowerCase())) return
  headers.append('vary', name)
}

function collapse(value: string): string {
  return trimOWS(value).replace(/[ \t]+/g, ' ')
}

/**
 * Normalises one request field value. Per §4.1 two requests match when one can be turned
 * into the other by "adding or removing whitespace, where allowed", "combining multiple
 * header field lines" and "normalizing both header field values in a way that is known to
 * have identical semantics": list members are trimmed and re-joined with ',' and runs of
 * whitespace collapse to one space; Accept-Encoding is reduced to the codings the platform
 * serves (`br, gzip`, `br`, `gzip` or `identity`, see {@link normalizeAcceptEncoding}), so a
 * response varying on it is stored once per normalised value.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.1
 */
export function normalizeVaryValue(name: string, value: string): string {
  if (name.toLowerCase() === 'accept-encoding') return normalizeAcceptEncoding(value)
  return splitList(value).map(collapse).join(',')
}

function percentEncode(value: string): string {
  return value.replace(/[^A-Za-z0-9\-._~!$'()*+,;:@/]/g, (c) => {
    const code = c.charCodeAt(0)
    return code <= 0xff
      ? `%${code.toString(16).toUpperCase().padStart(2, '0')}`
      : `%u${code.toString(16).toUpperCase().padStart(4, '0')}`
  })
}

/**
 * A deterministic secondary key for the request values of the `fields` a response varies
 * on: `name=value` pairs joined by '&', names lower-cased and sorted, values normalised
 * (see {@link normalizeVaryValue}) and percent-encoded. An absent field is written as the
 * bare name, so it never matches an empty one: "If (after any normalization that might take
 * place) a header field is absent from a request, it can only match another request if it
 * is also absent there." Empty `fields` give ''.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.1
 */
export function varyKey(fields: string[], requestHeaders: Headers): string {
  const names = [...new Set(fields.map((f) => f.toLowerCase()).filter(isToken))].sort()
  return names
    .map((name) => {
      const value = getField(requestHeaders, name)
      return value === null ? name : `${name}=${percentEncode(normalizeVaryValue(name, value))}`
    })
    .join('&')
}
