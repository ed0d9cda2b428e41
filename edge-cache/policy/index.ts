/**
 * @module policy
 * The pure HTTP caching policy of the edge: RFC 9111 caching, RFC 9110 conditionals and
 * ranges, RFC 9213 targeted fields, RFC 9211 Cache-Status, RFC 5861 stale extensions and
 * cache tags. No I/O; every time is passed in as ms since the epoch.
 */

export * from './cache-control'
export * from './cache-status'
export * from './conditional'
export * from './content-length'
export * from './encoding'
export * from './freshness'
export * from './http-date'
export * from './invalidation'
export * from './range'
export * from './serve'
export * from './storable'
export * from './tags'
export * from './validation'
export * from './vary'
