/**
 * @module analytics/event
 * One compact analytics event per request, read off the response the edge is about to send:
 * which layer answered (from the `Cache-Status` entries the edge built), the L1 outcome, the status class, the bytes and
 * the timings. Pure: the route hands in what it knows, nothing here does I/O.
 */
import { type CacheStatusEntry, contentLength } from '../../edge-cache/policy'

/** The layer that produced the response: L1, the regional tier, the origin, or the edge itself. */
export type Layer = 'l1' | 'tier' | 'origin' | 'edge'
export const LAYERS: readonly Layer[] = ['l1', 'tier', 'origin', 'edge']

export interface AnalyticsEvent {
  zone: string
  route: string
  region: string
  colo: string
  /** `kind:name`, e.g. `s3:assets`: the kind prices its egress (analytics/cost.ts). */
  origin: string
  layer: Layer
  /** L1's outcome: hit, stale (served stale), miss, expired, bypass, purged, none. */
  outcome: string
  /** `2xx` … `5xx`. */
  statusClass: string
  /** Host and path, no query: the key of the top-N tables. */
  url: string
  bytesToClient: number
  bytesFromOrigin: number
  originMs: number
  totalMs: number
}

export interface EventContext {
  zone: string
  route: string
  region: string
  colo: string
  origin: string
  method: string
  url: URL
  totalMs: number
}

const URL_MAX = 256

/**
 * @param response the response the client gets
 * @param entries its `Cache-Status` entries, nearest the origin first (edge-request.ts EdgeResult)
 * @param context where the request came from and what it resolved to
 * @returns the request's event
 */
export function eventOf(
  response: Response,
  entries: readonly CacheStatusEntry[],
  context: EventContext
): AnalyticsEvent {
  const layer = layerOf(entries)
  // What the client is sent. A streamed body of unknown length counts 0 (documented in README).
  const bytes = context.method === 'HEAD' ? 0 : (contentLength(response.headers) ?? 0)
  return {
    zone: context.zone,
    route: context.route,
    region: context.region,
    colo: context.colo,
    origin: context.origin,
    layer,
    outcome: outcomeOf(entries),
    statusClass: `${Math.floor(response.status / 100)}xx`,
    url: `${context.url.host}${context.url.pathname}`.slice(0, URL_MAX),
    bytesToClient: bytes,
    bytesFromOrigin: layer === 'origin' ? bytes : 0,
    originMs: layer === 'origin' ? originMs(response.headers, context.totalMs) : 0,
    totalMs: Math.max(0, context.totalMs),
  }
}

/** The cache that hit, else the origin when something was forwarded, else the edge itself. */
function layerOf(entries: readonly CacheStatusEntry[]): Layer {
  const hit = entries.find((e) => e.hit || e.detail === 'stale-if-error')
  if (hit) return hit.cache === 'edge-l1' ? 'l1' : 'tier'
  return entries.some((e) => e.fwd !== undefined || e.fwdStatus !== undefined) ? 'origin' : 'edge'
}

/** What L1 (the cache nearest the user, last in `Cache-Status`) did. */
function outcomeOf(entries: readonly CacheStatusEntry[]): string {
  const l1 = entries.at(-1)
  if (!l1) return 'none'
  if (l1.hit) return l1.detail?.startsWith('stale') ? 'stale' : 'hit'
  if (l1.detail === 'stale-if-error') return 'stale'
  if (l1.detail === 'purged') return 'purged'
  switch (l1.fwd) {
    case 'stale':
      return 'expired'
    case 'bypass':
    case 'method':
      return 'bypass'
    default:
      return 'miss'
  }
}

/** The tier's `origin;dur=` when it went to the origin, else the edge's own time. */
function originMs(headers: Headers, totalMs: number): number {
  const match = /(?:^|,)\s*origin;dur=(\d+(?:\.\d+)?)/.exec(headers.get('server-timing') ?? '')
  return match?.[1] ? Number(match[1]) : Math.max(0, totalMs)
}
