/**
 * @module fields
 * Internal helpers for HTTP field values (RFC 9110 §5): total header access, list splitting
 * that respects quoted strings, and token checks. Nothing here throws.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * True when `value` is an RFC 9110 token (field names, directive names).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2
 */
export function isToken(value: string): boolean {
  return TOKEN.test(value)
}

/**
 * `headers.get(name)` that never throws: an invalid field name reads as absent.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.3
 */
export function getField(headers: Headers, name: string): string | null {
  try {
    return headers.get(name)
  } catch {
    return null
  }
}

/**
 * `headers.has(name)` that never throws.
 * @see https://fetch.spec.whatwg.org/#dom-headers-has
 */
export function hasField(headers: Headers, name: string): boolean {
  return getField(headers, name) !== null
}

/**
 * Splits a comma-separated list (`#element`) into trimmed members, keeping commas inside
 * quoted strings. "A recipient MUST accept empty list elements" - they are dropped here.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1.2
 */
export function splitList(value: string): string[] {
  const out: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i)
    if (quoted) {
      current += c
      if (c === '\\' && i + 1 < value.length) current += value.charAt(++i)
      else if (c === '"') quoted = false
    } else if (c === ',') {
      const member = trimOWS(current)
      if (member) out.push(member)
      current = ''
    } else {
      if (c === '"') quoted = true
      current += c
    }
  }
  const last = trimOWS(current)
  if (last) out.push(last)
  return out
}

/**
 * Trims optional whitespace (SP / HTAB) from both ends.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.3
 */
export function trimOWS(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '')
}

/**
 * Field names from a comma-separated list, lower-cased, invalid names dropped, deduplicated.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.1
 */
export function fieldNameList(value: string): string[] {
  const names = splitList(value)
    .map((name) => name.toLowerCase())
    .filter(isToken)
  return [...new Set(names)]
}

/**
 * Copies headers into a fresh `Headers`, keeping every Set-Cookie line separate.
 * @see https://fetch.spec.whatwg.org/#dom-headers-getsetcookie
 */
export function copyHeaders(headers: Headers, keep: (name: string) => boolean): Headers {
  const out = new Headers()
  for (const [name, value] of headers) {
    if (keep(name)) out.append(name, value)
  }
  return out
}
