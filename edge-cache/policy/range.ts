/**
 * @module range
 * Byte range requests answered from a complete stored response (RFC 9110 §14): Range and
 * If-Range evaluation and Content-Range formatting. Anything doubtful degrades to a full 200.
 */

import { parseEntityTag, strongMatch } from './conditional'
import { getField, trimOWS } from './fields'
import { parseHttpDate } from './http-date'

export type RangeDecision =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'multi'; ranges: { start: number; end: number }[] }
  | { kind: 'unsatisfiable' }

/** One range-spec: an int-range (`first`, optional `last`) or a suffix-range (`suffix`). */
export type RangeSpec = { first: number; last?: number } | { suffix: number }

/** Range sets with more members than this are ignored (served in full). */
export const MAX_RANGES = 16

const FULL: RangeDecision = { kind: 'full' }

/**
 * Parses a bytes Range field value; `undefined` when the unit is not bytes ("An origin
 * server MUST ignore a Range header field that contains a range unit it does not
 * understand") or the syntax is invalid, including "An int-range is invalid if the last-pos
 * value is present and less than the first-pos".
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-14.1.2
 */
export function parseRange(value: string): RangeSpec[] | undefined {
  const eq = value.indexOf('=')
  if (eq < 0) return undefined
  // "range-unit ... names are case-insensitive"
  if (trimOWS(value.slice(0, eq)).toLowerCase() !== 'bytes') return undefined
  const specs: RangeSpec[] = []
  for (const raw of value.slice(eq + 1).split(',')) {
    const member = trimOWS(raw)
    if (member === '') continue
    const int = /^([0-9]+)-([0-9]*)$/.exec(member)
    if (int) {
      const first = Number(int[1])
      if (!int[2]) {
        specs.push({ first })
        continue
      }
      const last = Number(int[2])
      if (last < first) return undefined
      specs.push({ first, last })
      continue
    }
    const suffix = /^-([0-9]+)$/.exec(member)
    if (!suffix) return undefined
    specs.push({ suffix: Number(suffix[1]) })
  }
  return specs.length > 0 ? specs : undefined
}

/**
 * Evaluates If-Range against the stored response: an entity-tag must match the current ETag
 * with the strong comparison; an HTTP-date must be "an exact match" of a Last-Modified that
 * is a strong validator - here, one at least a second before the response's Date (§8.8.2.2).
 * Anything else is false.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.1.5
 */
export function ifRangeMatches(value: string, responseHeaders: Headers): boolean {
  const text = trimOWS(value)
  if (parseEntityTag(text)) return strongMatch(text, getField(responseHeaders, 'etag') ?? '')
  const date = parseHttpDate(text)
  const lastModified = parseHttpDate(getField(responseHeaders, 'last-modified'))
  const responseDate = parseHttpDate(getField(responseHeaders, 'date'))
  if (date === undefined || lastModified === undefined || responseDate === undefined) return false
  return responseDate - lastModified >= 1000 && date === lastModified
}

type Span = { start: number; end: number }

function overlaps(a: Span, b: Span): boolean {
  return a.start <= b.end && b.start <= a.end
}

/** Merges overlapping or adjacent spans, keeping the request order of the survivors. */
function coalesce(spans: Span[]): Span[] {
  const out: Span[] = []
  for (const span of spans) {
    let merged = { ...span }
    for (let i = out.length - 1; i >= 0; i--) {
      const other = out[i]
      if (other && merged.start <= other.end + 1 && other.start <= merged.end + 1) {
        merged = {
          start: Math.min(merged.start, other.start),
          end: Math.max(merged.end, other.end),
        }
        out.splice(i, 1)
      }
    }
    out.push(merged)
  }
  if (out.length === spans.length) return out
  return coalesce(out)
}

/**
 * Decides how to answer a request for a representation of `size` bytes.
 * - "A server MUST ignore a Range header field received with a request method that is
 *   unrecognized or for which range handling is not defined" (only GET): full;
 * - If-Range present and false: "the server MUST ignore the Range header field" - full;
 * - invalid syntax, unknown unit, more than {@link MAX_RANGES} ranges, or "more than two
 *   overlapping ranges" (a denial-of-service sign, §14.2): full;
 * - none satisfiable ("first-pos ... less than the current length", or a non-zero suffix):
 *   unsatisfiable (416); a suffix against an empty representation is served full;
 * - otherwise overlapping/adjacent ranges are coalesced ("A server MAY coalesce any of the
 *   ranges that overlap") and one range gives 'partial', several give 'multi'.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-14.2
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-14.1.1
 */
export function decideRange(
  method: string,
  requestHeaders: Headers,
  size: number,
  responseHeaders: Headers
): RangeDecision {
  if (method !== 'GET') return FULL
  const range = getField(requestHeaders, 'range')
  if (range === null || !Number.isSafeInteger(size) || size < 0) return FULL
  const ifRange = getField(requestHeaders, 'if-range')
  if (ifRange !== null && !ifRangeMatches(ifRange, responseHeaders)) return FULL
  const specs = parseRange(range)
  if (!specs || specs.length > MAX_RANGES) return FULL
  const spans: Span[] = []
  let emptySuffix = false
  for (const spec of specs) {
    if ('suffix' in spec) {
      if (spec.suffix === 0) continue
      if (size === 0) {
        emptySuffix = true
        continue
      }
      // "If the selected representation is shorter than the specified suffix-length, the
      // entire representation is used."
      spans.push({ start: Math.max(0, size - spec.suffix), end: size - 1 })
    } else if (spec.first < size) {
      // "If the last-pos value is absent, or if the value is greater than or equal to the
      // current length of the representation data, the byte range is interpreted as the
      // remainder of the representation"
      const end = spec.last === undefined || spec.last >= size ? size - 1 : spec.last
      spans.push({ start: spec.first, end })
    }
  }
  if (spans.length === 0) return emptySuffix ? FULL : { kind: 'unsatisfiable' }
  const overlapping = spans.filter((a, i) => spans.some((b, j) => i !== j && overlaps(a, b)))
  if (overlapping.length > 2) return FULL
  const merged = coalesce(spans)
  const [only] = merged
  if (merged.length === 1 && only) return { kind: 'partial', start: only.start, end: only.end }
  return { kind: 'multi', ranges: merged }
}

/**
 * Content-Range for a satisfied range: `bytes first-last/complete-length`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-14.4
 */
export function contentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end}/${size}`
}

/**
 * Content-Range for a 416: "a server generating a 416 (Range Not Satisfiable) response to a
 * byte-range request SHOULD send a Content-Range header field with an unsatisfied-range
 * value" - `bytes *\/complete-length`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-14.4
 */
export function unsatisfiedContentRange(size: number): string {
  return `bytes */${size}`
}
