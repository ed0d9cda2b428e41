/**
 * @module purge-relay-client
 * How an edge reads purges: from its PoP group's relay of the zone's group in its region
 * (purge/purge-relay.ts), within a bound that is short when the edge's view is what keeps
 * purged content out of L1, and long when Cloudflare's own purge (forwarded by the log) already
 * does that and the view is only the safety net.
 *
 * The isolates of a PoP share one answer per relay through the PoP's Cache API
 * (purge/colo-window.ts): one isolate asks the relay about once per half bound, the others read
 * the cached window. No request awaits a promise another request made (edge-cache/join-shared.ts):
 * a background refresh is marked in a plain set and kept alive by its own request's waitUntil.
 */
import type { Clock } from '../edge-cache/clock'
import {
  type ColoWindow,
  nextWindow,
  parseWindow,
  WINDOW_JITTER_SHARE,
  WINDOW_REFRESH_SHARE,
  WINDOW_ZONE_KEEP_MS,
  type WindowAsk,
  windowAsks,
  windowDecision,
  windowDelta,
} from '../edge-cache/purge/colo-window'
import type { PurgeSnapshot } from '../edge-cache/purge/purge-index'
import { popGroupOf, relayName, relayShardOf } from '../edge-cache/purge/purge-push'
import { applyPush, heldViews, type PurgeLogReader } from '../edge-cache/purge/purge-view'
import { logError } from '../edge-cache/tracing/log'
import type { RegionDefinition } from '../schemas/regions'
import { settingsOf } from '../schemas/settings'

export interface RelayReaderOptions {
  /** The PURGE_RELAY binding. */
  namespace: Env['PURGE_RELAY']
  /** The edge's region and PoP. */
  region: RegionDefinition
  colo: string
  /** The zone whose records are read. */
  zone: string
  /** The edge's purge bound. */
  boundMs: number
  clock: Clock
  /** Keeps a background refresh of the PoP's window alive past the response. */
  waitUntil(promise: Promise<unknown>): void
}

const WINDOW_ORIGIN = 'https://purge-window.edge-cache.internal/v1/'
/** Cache API expiry of windows and locks: the window decides its own age; this only clears. */
const WINDOW_CACHE_SECONDS = Math.ceil(WINDOW_ZONE_KEEP_MS / 1000)
/** This isolate's draw of the head start on refreshes: one isolate of the PoP goes first. */
const jitterDraw = Math.random()
/** Windows this isolate is refreshing in the background. */
const refreshing = new Set<string>()
const shardOfZone = new Map<string, number>()

/**
 * Reads one zone's records through the PoP's window of its relay; in the same step every other
 * view this isolate holds on that relay takes the window too, so an isolate reads each relay's
 * window about once per bound, however many zones it serves.
 */
export function relayReader(options: RelayReaderOptions): PurgeLogReader {
  const { namespace, region, colo, zone, boundMs, clock } = options
  const shard = shardOf(zone)
  const name = relayName(region.name, shard, popGroupOf(colo))
  const ask = async (asks: WindowAsk[]) => {
    const relay = namespace.get(namespace.idFromName(name), { locationHint: region.locationHint })
    return relay.deltas(asks)
  }
  const windows = { name, shard, ask, clock, boundMs, cache: () => caches.open(`purge:${colo}`) }
  return {
    async snapshot(after, ahead = false) {
      const now = clock.now()
      const cache = await windows.cache()
      const window = await readWindow(cache, name)
      const jitterMs = boundMs * WINDOW_JITTER_SHARE * jitterDraw
      const use = windowDecision(window, zone, after, now, boundMs, jitterMs)
      if (window && use !== 'ask') {
        if (use === 'use-and-refresh' && !refreshing.has(name)) {
          refreshing.add(name)
          // Ahead, this isolate's view of the zone is refreshing: it is asked for by name.
          const needed = ahead ? { zone, after } : undefined
          const refreshed = refreshUnlessLocked(windows, cache, window, now, needed)
            .catch((error: unknown) => {
              logError(`purge window ${name} refresh failed`, undefined, error)
              return undefined
            })
            .finally(() => refreshing.delete(name))
          // Ahead of the bound nobody waits: the caller takes the new window when it lands.
          if (!ahead) options.waitUntil(refreshed)
          const fresh = ahead ? await refreshed : undefined
          if (fresh) return { ...windowDelta(fresh, zone, after), askedAt: fresh.askedAt }
        }
        adopt(window, shard, zone)
        return { ...windowDelta(window, zone, after), askedAt: window.askedAt }
      }
      const fresh = await refresh(windows, cache, window, { zone, after })
      return { ...windowDelta(fresh, zone, after), askedAt: fresh.askedAt }
    },
  }
}

interface Windows {
  name: string
  shard: number
  clock: Clock
  boundMs: number
  ask(asks: WindowAsk[]): Promise<PurgeSnapshot[]>
}

/**
 * Asks the relay for the window's zones and this isolate's, stores the new window for the PoP
 * and lets this isolate's other views of the relay take it.
 */
async function refresh(
  windows: Windows,
  cache: Cache,
  prev: ColoWindow | undefined,
  needed?: WindowAsk
): Promise<ColoWindow> {
  const now = windows.clock.now()
  const wanted: WindowAsk[] = needed ? [needed] : []
  for (const view of heldViews(Number.POSITIVE_INFINITY)) {
    if (view.zone === needed?.zone || shardOf(view.zone) !== windows.shard) continue
    if (now - view.usedAt <= WINDOW_ZONE_KEEP_MS)
      wanted.push({ zone: view.zone, after: view.after })
  }
  const asks = windowAsks(prev, wanted, now)
  const askedAt = windows.clock.now()
  const answers = await windows.ask(asks)
  const next = nextWindow(prev, asks, answers, askedAt, new Set(wanted.map((w) => w.zone)))
  await cache.put(
    windowUrl(windows.name),
    new Response(JSON.stringify(next), {
      headers: { 'cache-control': `max-age=${WINDOW_CACHE_SECONDS}` },
    })
  )
  adopt(next, windows.shard, needed?.zone)
  return next
}

/**
 * The early refresh: skipped when another isolate of the PoP has taken the window's lock (a
 * Cache API entry naming until when), so a window due for refresh is asked for about once.
 */
async function refreshUnlessLocked(
  windows: Windows,
  cache: Cache,
  window: ColoWindow,
  now: number,
  needed?: WindowAsk
): Promise<ColoWindow | undefined> {
  const lockUrl = `${windowUrl(windows.name)}/lock`
  const lock = await cache.match(lockUrl)
  if (lock && Number(await lock.text()) > now) return undefined
  const until = now + windows.boundMs * WINDOW_REFRESH_SHARE
  await cache.put(
    lockUrl,
    new Response(String(until), {
      headers: { 'cache-control': `max-age=${WINDOW_CACHE_SECONDS}` },
    })
  )
  return refresh(windows, cache, window, needed)
}

/** This isolate's other views on the relay take what the window holds for them. */
function adopt(window: ColoWindow, shard: number, except: string | undefined): void {
  for (const view of heldViews(window.askedAt)) {
    const held = window.zones[view.zone]
    if (view.zone === except || !held || view.after < held.from || shardOf(view.zone) !== shard)
      continue
    applyPush(view.zone, view.after, windowDelta(window, view.zone, view.after), window.askedAt)
  }
}

async function readWindow(cache: Cache, name: string): Promise<ColoWindow | undefined> {
  const cached = await cache.match(windowUrl(name))
  return cached ? parseWindow(await cached.text()) : undefined
}

function windowUrl(name: string): string {
  return `${WINDOW_ORIGIN}${encodeURIComponent(name)}`
}

function shardOf(zone: string): number {
  let shard = shardOfZone.get(zone)
  if (shard === undefined) {
    shard = relayShardOf(zone)
    shardOfZone.set(zone, shard)
  }
  return shard
}

/**
 * @param env the Worker's env: its settings, and whether the forwarding token is set
 * @returns how stale the edge's purge view may be, in ms
 * @throws SettingsError when a purge setting is malformed
 */
export function edgePurgeBound(env: Env): number {
  const settings = settingsOf(env)
  const forwarding = Boolean(settings.cloudflareZoneId && env.CLOUDFLARE_API_TOKEN)
  return forwarding ? settings.purgeForwardedStalenessMs : settings.purgeStalenessMs
}
