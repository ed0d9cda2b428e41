/**
 * @module purge/synthetic-tags
 * L1 at production scale is purged by Cloudflare itself: the purge log forwards each purge to
 * the zone purge API, whose Instant Purge reaches Cache API entries everywhere, but only by tag
 * (or everything). So every L1 entry carries synthetic `Cache-Tag`s — one per URL, host, path
 * directory and zone, plus its own tags — and every kind of purge record becomes tag purges.
 * Tags are namespaced by our zone (`ecdn:<zone>…`): one Cloudflare zone may host many of ours.
 *
 * A prefix that does not end at a `/` (or is deeper than the tagged directories) is forwarded
 * as its nearest tagged parent directory: a superset, so Cloudflare may drop more, never less.
 * Soft records are forwarded as hard ones: the L1 copy goes, the tier still answers stale.
 * Pure: no I/O.
 * @see https://developers.cloudflare.com/cache/how-to/purge-cache/purge-by-tags/
 */
import { hash32 } from '../hash'
import type { PurgeRecord } from './purge-index'

/** Cloudflare's limits: a tag is at most 1,024 characters, the header at most 16 KB. */
export const MAX_TAG_LENGTH = 1024
export const MAX_TAG_HEADER_BYTES = 16 * 1024
/** Tags per purge call (Cloudflare accepts up to 100 tags, hosts, prefixes or files). */
export const TAGS_PER_CALL = 100
/** Path directories tagged per entry: `/a/`, `/a/b/`, … this deep. */
export const PREFIX_DEPTH = 8

/**
 * @param zone our zone
 * @param key the entry's primary cache key, e.g. `https://example.com/a/b.css?v=1`
 * @param tags the entry's own cache tags
 * @returns the `Cache-Tag` value to store the entry with in L1, within Cloudflare's limits
 */
export function l1CacheTags(zone: string, key: string, tags: readonly string[]): string {
  const address = key.replace(/^https?:\/\//i, '')
  const slash = address.indexOf('/')
  const host = (slash < 0 ? address : address.slice(0, slash)).toLowerCase()
  const path = slash < 0 ? '/' : (address.slice(slash).split('?')[0] ?? '/')
  const out = [
    zoneTag(zone),
    hostTag(zone, host),
    urlTag(zone, `${host}${address.slice(host.length)}`),
    ...directories(path).map((dir) => prefixTag(zone, `${host}${dir}`)),
    ...tags.map((tag) => ownTag(zone, tag)),
  ]
  // Own tags come last: when the header would be too long, they are what is left out (their
  // purges then reach this entry through the edge's own purge view instead).
  let bytes = 0
  const kept: string[] = []
  for (const tag of out) {
    if (bytes + tag.length + 1 > MAX_TAG_HEADER_BYTES) break
    kept.push(tag)
    bytes += tag.length + 1
  }
  return kept.join(',')
}

/**
 * @param zone our zone
 * @param records purge records of that zone (URL and prefix values in `host/path` form)
 * @returns Cloudflare purge bodies, `{ tags }` of at most 100 tags each, duplicates removed
 */
export function forwardBodies(zone: string, records: readonly PurgeRecord[]): { tags: string[] }[] {
  const tags = new Set<string>()
  for (const record of records) tags.add(recordTag(zone, record))
  const all = [...tags]
  const bodies: { tags: string[] }[] = []
  for (let i = 0; i < all.length; i += TAGS_PER_CALL) {
    bodies.push({ tags: all.slice(i, i + TAGS_PER_CALL) })
  }
  return bodies
}

function recordTag(zone: string, record: PurgeRecord): string {
  switch (record.kind) {
    case 'everything':
      return zoneTag(zone)
    case 'host':
      return hostTag(zone, record.value.toLowerCase())
    case 'url':
      return urlTag(zone, lowerHost(record.value))
    case 'tag':
      return ownTag(zone, record.value)
    case 'prefix': {
      const value = lowerHost(record.value)
      const slash = value.indexOf('/')
      if (slash < 0) return hostTag(zone, value)
      const dirs = directories(`${value.slice(slash)}\u0000`)
      const dir = dirs.at(-1)
      return dir
        ? prefixTag(zone, `${value.slice(0, slash)}${dir}`)
        : hostTag(zone, value.slice(0, slash))
    }
  }
}

/**
 * The directories of a path, `/a/b/c.css` → `/a/`, `/a/b/`, at most PREFIX_DEPTH deep. A
 * trailing NUL (used for prefixes) keeps a path that ends in `/` from losing its last level.
 */
function directories(path: string): string[] {
  const dirs: string[] = []
  let at = path.indexOf('/', 1)
  while (at > 0 && dirs.length < PREFIX_DEPTH) {
    dirs.push(path.slice(0, at + 1))
    at = path.indexOf('/', at + 1)
  }
  return dirs
}

function lowerHost(value: string): string {
  const slash = value.indexOf('/')
  return slash < 0 ? value.toLowerCase() : value.slice(0, slash).toLowerCase() + value.slice(slash)
}

const zoneTag = (zone: string) => bounded(`ecdn:${zone}`)
const hostTag = (zone: string, host: string) => bounded(`ecdn:${zone}:h:${host}`)
const urlTag = (zone: string, address: string) => `ecdn:${digest(zone)}:u:${digest(address)}`
const prefixTag = (zone: string, prefix: string) => `ecdn:${digest(zone)}:p:${digest(prefix)}`
const ownTag = (zone: string, tag: string) => bounded(`ecdn:${zone}:t:${tag}`)

/** Long values are hashed so that every tag stays within Cloudflare's 1,024 characters. */
function bounded(tag: string): string {
  return tag.length <= 64 ? tag : `ecdn:#${digest(tag)}`
}

/** 64 bits of two differently seeded 32-bit hashes: collisions only ever over-purge. */
function digest(text: string): string {
  return (
    hash32(text).toString(16).padStart(8, '0') +
    hash32(`\u0001${text}`).toString(16).padStart(8, '0')
  )
}
