/**
 * @module key
 * The primary cache key: the normalised request URL. Scheme and host are lower-cased, the
 * default port, the host's trailing dot and the fragment dropped; path and query are kept byte
 * for byte, because re-encoding or re-ordering them could merge URLs the origin treats as
 * different.
 */
import { requestHost } from '../schemas/hosts'

/**
 * @param url the request URL
 * @returns the primary key, e.g. `https://example.com/a.css?v=1`
 */
export function cacheKey(url: URL): string {
  // URL already lower-cases scheme and host and drops the scheme's default port.
  return `${url.protocol}//${keyHost(url)}${url.pathname}${url.search}`
}

/**
 * @param url a request or purge URL
 * @returns its host and port as keys name them: `a.example.com.` (the fully qualified spelling,
 *   which resolves and is served alike) is `a.example.com`, so one purge reaches both spellings
 */
export function keyHost(url: URL): string {
  const host = requestHost(url.hostname)
  return url.port === '' ? host : `${host}:${url.port}`
}
