/**
 * @module analytics/network
 * Where analytics meet the Worker's bindings: the edge's one call per request, and the fan-out
 * of a zone's query to its store object in every region.
 */

import type { CacheStatusEntry } from '../../edge-cache/policy'
import { type AnalyticsWindow, MAX_POINTS } from '../../schemas/api/analytics'
import { REGIONS } from '../../schemas/regions'
import { settingsOf } from '../../schemas/settings'
import { analyticsStoreName } from './analytics-store'
import { writeEvent } from './engine'
import { engineAnswers, engineQueries, runEngineQuery } from './engine-query'
import { type EventContext, eventOf } from './event'
import { record } from './recorder'
import { buildReport, type RegionAnswer } from './report'
import type { SeriesDimension } from './store-sql'

function store(env: Env, zone: string, region: string) {
  return env.ANALYTICS_STORE.get(env.ANALYTICS_STORE.idFromName(analyticsStoreName(zone, region)))
}

/**
 * Records the request's event: synchronous, nothing awaited; the flush runs under `waitUntil`.
 * @param env the Worker's bindings
 * @param waitUntil the request's `ctx.waitUntil`
 * @param response what the client gets
 * @param context where the request came from and what served it
 * @param served the response, its `Cache-Status` entries as the edge built them, and the time
 */
export function recordRequest(
  env: Env,
  waitUntil: (promise: Promise<unknown>) => void,
  served: { response: Response; cacheStatus: readonly CacheStatusEntry[]; now: number },
  context: EventContext
): void {
  const event = eventOf(served.response, served.cacheStatus, context)
  writeEvent(env.ANALYTICS, event)
  record(event, {
    sink: (zone, region, batch) => store(env, zone, region).ingest(batch),
    flushMs: settingsOf(env).analyticsFlushMs,
    waitUntil,
    now: served.now,
  })
}

/**
 * @param env the Worker's bindings
 * @param zone the zone
 * @param query the resolved window, the series dimension and the top-N size
 * @returns the zone's report over every region
 */
export async function zoneReport(
  env: Env,
  zone: string,
  query: { window: AnalyticsWindow; by: SeriesDimension; top: number }
) {
  const { window } = query
  if ((window.until - window.since) / window.stepMs > MAX_POINTS + 1) {
    throw new TypeError(`expected at most ${MAX_POINTS} points, got a step of ${window.stepMs}`)
  }
  const answers = await regionAnswers(env, zone, query)
  return buildReport(
    {
      zone,
      window,
      by: query.by,
      top: query.top,
      rates: settingsOf(env).originEgressUsdPerGb,
    },
    answers
  )
}

/** From Analytics Engine's SQL API when configured so, else from the zone's region stores. */
async function regionAnswers(
  env: Env,
  zone: string,
  query: { window: AnalyticsWindow; by: SeriesDimension; top: number }
): Promise<RegionAnswer[]> {
  const { window, by, top } = query
  const accountId = env.ANALYTICS_ACCOUNT_ID
  const apiToken = env.ANALYTICS_API_TOKEN
  if (settingsOf(env).analyticsSource === 'engine' && accountId && apiToken) {
    const sql = engineQueries(zone, window, by, top)
    const run = (text: string) => runEngineQuery({ accountId, apiToken }, text)
    const [breakdown, series, urls] = await Promise.all([
      run(sql.breakdown),
      run(sql.series),
      run(sql.urls),
    ])
    return engineAnswers({ breakdown, series, urls }, window, top)
  }
  return Promise.all(
    REGIONS.map(async (r) => ({
      region: r.name,
      answer: await store(env, zone, r.name).query({ ...window, by, top }),
    }))
  )
}

/**
 * @param env the Worker's bindings
 * @param zones the zones to report
 * @returns cumulative totals per zone and region, for Prometheus
 */
export async function networkTotals(env: Env, zones: readonly string[]) {
  return Promise.all(
    zones.flatMap((zone) =>
      REGIONS.map(async (r) => ({
        zone,
        region: r.name,
        ...(await store(env, zone, r.name).totals()),
      }))
    )
  )
}
