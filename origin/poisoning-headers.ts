/**
 * @module origin/poisoning-headers
 * The one list of request fields that common origin frameworks and proxies read to answer for
 * another host, path, method, scheme or port, or to switch how they render, yet that are not
 * part of the cache key. Forwarded on a cacheable request, any of them lets one client poison
 * the entry every other client gets (web cache poisoning), so cacheable requests never carry
 * them upstream. A route whose origin legitimately varies on one of them puts it into its cache
 * key instead (`cacheKeyHeaders`), and then it is forwarded.
 *
 * Sources (the override-type fields of each, checked 2026-11):
 * - PortSwigger Param Miner, `resources/headers` (the wordlist behind its "guess headers"
 *   scan): https://github.com/PortSwigger/param-miner/blob/master/resources/headers
 * - James Kettle, "Practical Web Cache Poisoning" (2018) and "Web Cache Entanglement" (2020):
 *   https://portswigger.net/research/practical-web-cache-poisoning
 * - Next.js internal request headers: `INTERNAL_HEADERS` in
 *   `packages/next/src/server/internal-utils.ts` (x-invoke-*, x-middleware-invoke), the
 *   `x-middleware-*` family (CVE-2025-29927, `x-middleware-subrequest`), `x-middleware-prefetch`
 *   and `x-now-route-matches` / `x-matched-path` (CVE-2024-46982, cache poisoning of pages
 *   router routes), `x-nextjs-data`.
 * - Nuxt: `x-nuxt-no-ssr` (renders the SPA shell instead of the page; `respectNoSSRHeader`).
 * - Reverse-proxy conventions: Envoy `x-envoy-original-path`, nginx/Kubernetes ingress
 *   `x-original-uri` / `x-forwarded-prefix`, Traefik `x-forwarded-uri`, Spring/Express
 *   `x-forwarded-prefix`/`x-forwarded-port`, IIS `x-original-url` / `x-rewrite-url`.
 *
 * Never listed: fields apps declare in `Vary` for real (`VARY_FIELDS_KEPT`): the cache already
 * keys them, and an app that stops receiving them breaks.
 */

/** Fields dropped from cacheable requests, lower-case. */
export const UNKEYED_OVERRIDE_HEADERS: readonly string[] = [
  // Host overrides
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-host',
  'x-original-host',
  'x-http-host-override',
  'x-backend-host',
  'x-amzn-remapped-host',
  'proxy-host',
  'x-proxy-url',
  'x-server-name',
  'x-forwarded',
  // Path and URL overrides
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-forwarded-prefix',
  'x-forwarded-path',
  'x-forwarded-uri',
  'x-envoy-original-path',
  'x-http-path-override',
  'x-http-destinationurl',
  'x-ning-request-uri',
  'request-uri',
  'unencoded-url',
  // Method overrides
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-method',
  'x-original-http-command',
  // Scheme and port overrides (the CDN sets X-Forwarded-Proto itself: origin/forwarded-headers)
  'x-forwarded-scheme',
  'x-forwarded-protocol',
  'x-forwarded-ssl',
  'x-forwarded-port',
  'x-url-scheme',
  'x-scheme',
  'front-end-https',
  'x-https',
  'x-arr-ssl',
  'x-server-port',
  // Framework internals
  'x-invoke-path',
  'x-invoke-query',
  'x-invoke-output',
  'x-invoke-status',
  'x-invoke-error',
  'x-matched-path',
  'x-now-route-matches',
  'x-nextjs-data',
  'x-nuxt-no-ssr',
]

/**
 * Prefixes of framework-internal families dropped as a whole: Next.js middleware fields
 * (`x-middleware-prefetch`, `x-middleware-subrequest`, `x-middleware-invoke`, ...).
 */
export const UNKEYED_OVERRIDE_PREFIXES: readonly string[] = ['x-middleware-']

/**
 * Fields apps vary on and declare in `Vary` (Next.js App Router: `RSC`, `Next-Router-State-Tree`,
 * `Next-Router-Prefetch`, `Next-Router-Segment-Prefetch`, `Next-Url`). They reach the origin;
 * the cache keys them through the response's `Vary`. Kept here so a test holds the line.
 */
export const VARY_FIELDS_KEPT: readonly string[] = [
  'rsc',
  'next-router-state-tree',
  'next-router-prefetch',
  'next-router-segment-prefetch',
  'next-url',
  'accept',
  'accept-encoding',
  'accept-language',
]

/**
 * @param name a field name, any case
 * @returns whether a cacheable request must not carry it upstream
 */
export function isUnkeyedOverride(name: string): boolean {
  const lower = name.toLowerCase()
  return (
    UNKEYED_OVERRIDE_HEADERS.includes(lower) ||
    UNKEYED_OVERRIDE_PREFIXES.some((prefix) => lower.startsWith(prefix))
  )
}

/**
 * Drops the unkeyed override fields from a cacheable request's headers, in place.
 * @param headers the headers going upstream
 * @param keyed fields the route puts into its cache key (`cacheKeyHeaders`): these are kept
 */
export function dropUnkeyedOverrides(headers: Headers, keyed: readonly string[] = []): void {
  const keep = new Set(keyed.map((name) => name.toLowerCase()))
  const names = [...headers.keys()].filter((name) => isUnkeyedOverride(name) && !keep.has(name))
  for (const name of names) headers.delete(name)
}
