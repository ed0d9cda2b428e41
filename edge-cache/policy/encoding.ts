/**
 * @module encoding
 * Content codings (RFC 9110 §8.4, §12.5.3) as pure decisions. Every tier keeps a response's
 * representation as the origin sent it, encoded bytes and all; these functions say which coding
 * a client may receive, what the cache key sees of its Accept-Encoding, and when the edge may
 * compress an identity response itself.
 */
import { contentLength } from './content-length'
import { getField, splitList } from './fields'

/** Codings the platform produces or passes, in order of preference. */
export const KNOWN_CODINGS = ['br', 'gzip'] as const
export type KnownCoding = (typeof KNOWN_CODINGS)[number]

/**
 * Accept-Encoding reduced to the codings that matter here, the way Fastly and Cloudflare
 * normalise it: `br, gzip`, `br`, `gzip` or `identity`. q-values are honoured (`gzip;q=0`
 * refuses gzip) and `*` accepts both; zstd, deflate and anything else are dropped, and no field
 * at all counts as identity. So a response varying on Accept-Encoding is stored once per
 * normalised value, not once per browser's spelling of it, and the origin is asked with the
 * normalised value, so what it sends is always something the client accepts.
 * @param value the request's Accept-Encoding, null when absent
 * @returns the normalised field value
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-12.5.3
 */
export function normalizeAcceptEncoding(value: string | null): string {
  if (value === null) return 'identity'
  const q = new Map<string, number>()
  for (const member of splitList(value)) {
    const [coding = '', ...params] = member.split(';').map((p) => p.trim().toLowerCase())
    const weight = params.find((p) => p.startsWith('q='))
    const parsed = weight === undefined ? 1 : Number(weight.slice(2))
    q.set(coding === 'x-gzip' ? 'gzip' : coding, Number.isFinite(parsed) ? parsed : 0)
  }
  const wildcard = q.get('*') ?? 0
  const accepted = KNOWN_CODINGS.filter((coding) => (q.get(coding) ?? wildcard) > 0)
  return accepted.length === 0 ? 'identity' : accepted.join(', ')
}

/**
 * @param normalized a value from {@link normalizeAcceptEncoding}
 * @param coding a response's content coding, undefined for identity
 * @returns whether the client may receive it
 */
export function acceptsCoding(normalized: string, coding: string | undefined): boolean {
  if (coding === undefined) return true
  return normalized.split(', ').includes(coding)
}

/**
 * The response's content coding, lower-cased: undefined for identity (or no field), the whole
 * list when several were applied (RFC 9110 §8.4.1), which nothing here decodes.
 */
export function contentCoding(headers: Headers): string | undefined {
  const value = getField(headers, 'content-encoding')
  if (value === null) return undefined
  const codings = splitList(value)
    .map((c) => c.toLowerCase())
    .filter((c) => c !== 'identity' && c !== '')
  if (codings.length === 0) return undefined
  return codings.map((c) => (c === 'x-gzip' ? 'gzip' : c)).join(', ')
}

/**
 * Media types worth compressing at the edge: text and the structured formats served as text.
 * Images, video, audio, fonts in woff/woff2 and archives are already compressed.
 */
const COMPRESSIBLE = [
  /^text\//,
  /^application\/(javascript|x-javascript|ecmascript|json|ld\+json|manifest\+json|xml|xhtml\+xml|rss\+xml|atom\+xml|wasm|x-www-form-urlencoded)$/,
  /^application\/[a-z0-9.+-]+\+(json|xml)$/,
  /^image\/(svg\+xml|x-icon|vnd\.microsoft\.icon|bmp)$/,
  /^font\/(ttf|otf)$/,
]

/** Below this many bytes a compressed body saves less than its framing costs. */
export const MIN_COMPRESS_BYTES = 256

/**
 * Should the edge compress this response for this client, and with which coding?
 * Only a whole 200 in identity coding of a compressible type, never one the origin marked
 * `no-transform` (RFC 9111 §5.2.2.6), and only with a coding the client accepts (br first).
 * @param enabled the route's setting
 * @param normalized the client's normalised Accept-Encoding
 * @param status the answer's status
 * @param headers the answer's fields
 * @returns the coding to apply, or undefined
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.6
 */
export function edgeCompression(
  enabled: boolean,
  normalized: string,
  status: number,
  headers: Headers
): KnownCoding | undefined {
  if (!compressible(enabled, status, headers)) return undefined
  return KNOWN_CODINGS.find((coding) => acceptsCoding(normalized, coding))
}

/**
 * Whether the coding of this response's answer depends on the client's Accept-Encoding, i.e.
 * whether it needs `Vary: Accept-Encoding` (RFC 9110 §12.5.5): a stored gzip or br
 * representation is decoded for a client that refuses it, and identity text is compressed for
 * one that accepts it.
 * @param enabled the route's compression setting
 * @param status the full response's status
 * @param headers the full response's fields, before any decoding
 */
export function codingNegotiated(enabled: boolean, status: number, headers: Headers): boolean {
  const coding = contentCoding(headers)
  if (coding !== undefined) return KNOWN_CODINGS.some((known) => known === coding)
  return compressible(enabled, status, headers)
}

function compressible(enabled: boolean, status: number, headers: Headers): boolean {
  if (!enabled || status !== 200 || getField(headers, 'content-encoding') !== null) return false
  if (headers.has('content-range')) return false
  if (/(^|,)\s*no-transform\s*(,|$)/i.test(headers.get('cache-control') ?? '')) return false
  const type = (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!COMPRESSIBLE.some((pattern) => pattern.test(type))) return false
  const length = contentLength(headers)
  return length === undefined || length >= MIN_COMPRESS_BYTES
}
