/**
 * @module key
 * The primary cache key: the normalised request URL. Scheme and host are lower-cased, the
 * default port and the fragment dropped; path and query are kept byte for byte, because
 * re-encoding or re-ordering them could merge URLs the origin treats as different.
 */

/**
 * @param url the request URL
 * @returns the primary key, e.g. `https://example.com/a.css?v=1`
 */
export function cacheKey(url: URL): string {
  // URL already lower-cases scheme and host and drops the scheme's default port.
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`
}
