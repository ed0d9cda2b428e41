/**
 * @module origin/key-headers
 * A route's custom cache key (`cacheKeyHeaders`, like a Cloudflare Cache Rule's header key):
 * the origin varies on these request fields whether or not it says so. Every tier keys stored
 * responses by their Vary fields, so naming the fields in the response's Vary as it leaves the
 * origin adapter puts them into the key at every layer (and keeps purge by URL whole: the
 * variants share the URL).
 */
import type { Origin } from './types'

/**
 * @param origin the route's origin adapter
 * @param fields the route's `cacheKeyHeaders` (lower-case)
 * @returns an origin whose responses vary on `fields` too
 */
export function varyingOn(origin: Origin, fields: readonly string[] | undefined): Origin {
  if (!fields || fields.length === 0) return origin
  const keyed: Origin = {
    async fetch(request) {
      const response = await origin.fetch(request)
      const vary = withFields(response.headers.get('vary'), fields)
      if (vary === response.headers.get('vary')) return response
      const headers = new Headers(response.headers)
      headers.set('vary', vary)
      return new Response(response.body, { status: response.status, headers })
    },
  }
  if (origin.restore) keyed.restore = origin.restore.bind(origin)
  return keyed
}

/**
 * @param vary the response's Vary, or null
 * @returns Vary with each of `fields` it lacks appended; `*` stays `*`
 */
export function withFields(vary: string | null, fields: readonly string[]): string {
  const present = (vary ?? '')
    .split(',')
    .map((field) => field.trim().toLowerCase())
    .filter((field) => field !== '')
  if (present.includes('*')) return vary ?? '*'
  const missing = fields.filter((field) => !present.includes(field))
  if (missing.length === 0) return vary ?? ''
  return [...present, ...missing].join(', ')
}
