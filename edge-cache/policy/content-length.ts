/**
 * @module content-length
 * The one reading of `Content-Length` every layer shares: a length is a whole number of bytes,
 * anything else (absent, a list, a negative or fractional value) is "unknown".
 */

/**
 * @param headers the message's fields
 * @returns the declared body length in bytes, or undefined when none is usable
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.6
 */
export function contentLength(headers: Headers): number | undefined {
  return lengthOf(headers.get('content-length'))
}

/**
 * @param value a Content-Length field value, or null when absent
 * @returns the length in bytes, or undefined when the value is not a non-negative whole number
 */
export function lengthOf(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined
  const length = Number(value)
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined
}
