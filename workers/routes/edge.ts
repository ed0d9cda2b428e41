/**
 * @module routes/edge
 * The catch-all route: every request that is not for the admin API is content, served through
 * the cache hierarchy of the zone and route it resolves to. Time comes from the app's clock
 * (`c.var.clock`), settings from `settingsOf(env)`.
 */

import { type Context, Hono } from 'hono'
import type { Clock } from '../../edge-cache/clock'
import { serveFromEdge } from '../../edge-cache/edge'
import { residencyField } from '../../edge-cache/edge-answers'
import type { EdgeDependencies, EdgeRequest } from '../../edge-cache/edge-request'
import { errorResponse } from '../../edge-cache/errors'
import { cacheKey } from '../../edge-cache/key'
import { hasLooped, loopDetectedResponse } from '../../edge-cache/loop'
import { WINDOW_REFRESH_SHARE } from '../../edge-cache/purge/colo-window'
import { purgeLogFor } from '../../edge-cache/purge/purge-log'
import { purgeView } from '../../edge-cache/purge/purge-view'
import { redirectToClient } from '../../edge-cache/redirects'
import {
  decideResidency,
  type ResidencyDecision,
  type ResidencyRule,
} from '../../edge-cache/residency'
import { L1Cache } from '../../edge-cache/store/l1'
import { archivalFor } from '../../edge-cache/tier/archival'
import { logError, logJson } from '../../edge-cache/tracing/log'
import { tracedL1, tracedOrigin, tracedTier } from '../../edge-cache/tracing/spans'
import { BreakerRegistry } from '../../origin/breakers'
import { chaosOrigin, chaosTier, drilledDown } from '../../origin/chaos'
import { originDependencies } from '../../origin/dependencies'
import { varyingOn } from '../../origin/key-headers'
import { targetOrigin } from '../../origin/pool-origin'
import { selectOrigin } from '../../origin/select'
import type { OriginSpec } from '../../schemas/api/config'
import {
  type PopLocation,
  type RegionDefinition,
  regionNamed,
  regionOf,
} from '../../schemas/regions'
import { type Settings, settingsOf } from '../../schemas/settings'
import { recordRequest } from '../analytics/network'
import type { AppEnv } from '../app-env'
import { type EdgeConfig, type ResolvedRoute, resolveRoute } from '../config/edge-config'
import { configSnapshot } from '../config/snapshot'
import { edgePurgeBound, relayReader } from '../purge-relay-client'
import { tierFor } from '../tier-client'
import { deploymentLoopToken, trustedRequest } from '../trusted-request'

export const edgeRoutes = new Hono<AppEnv>()

/**
 * Breakers for the edge's own origin requests (uncached methods, routes without the tier, a
 * tier that is down), one per origin per isolate: plain state, safe to share between requests.
 */
const edgeBreakers = new BreakerRegistry()

/** Where a request entered and where its content may be cached. */
interface Placement {
  pop: PopLocation
  region: RegionDefinition
  rules: ResidencyRule[]
  residency: ResidencyDecision
}

edgeRoutes.all('*', serveContent)

/** Resolves the request's zone and route, serves it through the edge, records it. */
async function serveContent(c: Context<AppEnv>): Promise<Response> {
  const { clock } = c.var
  const started = clock.now()
  const settings = settingsOf(c.env)
  const loopToken = deploymentLoopToken(c.env.PURGE_LOG)
  // RFC 8586: a request carrying this CDN's own token has been here before.
  if (hasLooped(c.req.raw.headers, loopToken)) return loopDetectedResponse(loopToken)
  const url = new URL(c.req.raw.url)
  const config = await currentConfig(c.env, settings, clock)
  if (!config) return errorResponse(503, 'config_unavailable', 'configuration is not available')
  const route = resolveRoute(config, url.hostname, url.pathname)
  if (!route) {
    return errorResponse(404, 'no_zone', `no zone or route serves ${url.hostname}${url.pathname}`)
  }
  const place = placementOf(c.req.raw, config, route, url)
  const cacheable = !route.spec.bypass && ['GET', 'HEAD'].includes(c.req.raw.method)
  const request = trustedRequest(c.req.raw, loopToken, cacheable)
  const { response, cacheStatus } = await serveFromEdge(
    edgeRequestOf(request, url, route, place),
    await edgeDependencies(c, { route, place, url, settings })
  )
  recordRequest(
    c.env,
    (p) => c.executionCtx.waitUntil(p),
    { response, cacheStatus, now: clock.now() },
    {
      zone: route.zone,
      route: route.route,
      region: place.region.name,
      colo: place.pop.colo,
      origin: `${route.origin.kind}:${route.originName}`,
      method: request.method,
      url,
      totalMs: clock.now() - started,
    }
  )
  // An origin's absolute redirect to itself names the client's host instead.
  redirectToClient(response.headers, route.origin, url, route.spec.pathPrefix)
  response.headers.set('edge-region', place.region.name)
  if (place.residency.kind !== 'open')
    response.headers.set('edge-residency', residencyField(place.residency.residency))
  return response
}

/** This isolate's config snapshot, or undefined when none ever loaded (D1 unreachable). */
async function currentConfig(
  env: Env,
  settings: Settings,
  clock: Clock
): Promise<EdgeConfig | undefined> {
  const source = {
    db: env.CONFIG_DB,
    proxyOriginUrl: settings.proxyOrigin ?? '',
    ttlMs: settings.configTtlMs,
  }
  return configSnapshot(source, clock.now()).catch((error: unknown) => {
    logError('config unavailable', undefined, error)
    return undefined
  })
}

/** The PoP and region the request entered, and the residency of what it asks for. */
function placementOf(
  request: Request,
  config: EdgeConfig,
  route: ResolvedRoute,
  url: URL
): Placement {
  const pop = popOf(request)
  const region = regionOf(pop)
  const rules = zoneResidencyRules(config, route.zone)
  const residency = decideResidency(rules, url.pathname, region.name)
  if (residency.kind !== 'open') {
    logJson('log', {
      residency: residency.kind,
      ...residency.residency,
      pop: pop.colo,
      region: region.name,
      url: url.href,
    })
  }
  return { pop, region, rules, residency }
}

/** The request as the edge's cache path takes it. */
function edgeRequestOf(
  request: Request,
  url: URL,
  route: ResolvedRoute,
  place: Placement
): EdgeRequest {
  return {
    request,
    key: cacheKey(url),
    originPath: route.originPath,
    search: url.search,
    tier: {
      origin: route.origin,
      grants: route.grants,
      allowSetCookie: route.spec.allowSetCookie,
      archival: archivalFor(route.spec.archival, url.pathname),
      cacheKeyHeaders: route.spec.cacheKeyHeaders,
      ...(route.chaos.length > 0 && { chaos: route.chaos }),
    },
    bypass: route.spec.bypass,
    tiered: route.spec.tieredCache,
    clientRegion: place.region.name,
    residency: place.residency,
    rules: place.rules,
    zone: route.zone,
    compression: route.spec.compression ?? true,
  }
}

/** What the cache path may use: this PoP's L1, the region's tier and relay, the origin. */
async function edgeDependencies(
  c: Context<AppEnv>,
  target: { route: ResolvedRoute; place: Placement; url: URL; settings: Settings }
): Promise<EdgeDependencies> {
  const { route, place, url, settings } = target
  const { clock, spans } = c.var
  const { residency, region } = place
  // Resident content is served through its own region's tier, wherever the client is.
  const tierRegion = residency.kind === 'open' ? region : regionNamed(residency.residency.region)
  const purgeBound = edgePurgeBound(c.env)
  const tier = tierFor(c.env.CACHE_TIER, tierRegion, settings.tierJurisdictions)
  // Resident content is read only from its region's bucket (origin/select.ts).
  const originRegion = residency.kind === 'open' ? undefined : residency.residency.region
  return {
    l1: tracedL1(await L1Cache.open(place.pop.colo), spans),
    // The edge reads its region's relay of the zone's log, never the zone's single log.
    purge: await purgeView(
      route.zone,
      () =>
        relayReader({
          namespace: c.env.PURGE_RELAY,
          region,
          colo: place.pop.colo,
          zone: route.zone,
          boundMs: purgeBound,
          clock,
          waitUntil: (promise) => c.executionCtx.waitUntil(promise),
        }),
      clock.now(),
      purgeBound,
      0,
      {
        afterMs: purgeBound * WINDOW_REFRESH_SHARE,
        keepAlive: (promise) => c.executionCtx.waitUntil(promise),
      }
    ),
    tier: tracedTier(chaosTier(tier.serve, route.chaos), spans),
    invalidateTier: tier.invalidate,
    purgeTags: async (tags) => {
      const log = purgeLogFor(c.env.PURGE_LOG, route.zone)
      await log.append(tags.map((value) => ({ kind: 'tag', value, soft: false })))
    },
    // Built only when needed: most requests never reach the origin from the edge.
    origin: () => {
      const deps = originDependencies(c.env, route.grants, settings.originTimeoutMs)
      const build = (spec: OriginSpec, name?: string) =>
        chaosOrigin(selectOrigin(spec, deps, originRegion), name, route.chaos)
      const down = async () => new Set(drilledDown(route.chaos, clock.now()))
      const breakers = edgeBreakers.forZone(route.zone)
      const origin = targetOrigin(route.origin, cacheKey(url), originRegion, breakers, build, {
        down,
      })
      return tracedOrigin(varyingOn(origin, route.spec.cacheKeyHeaders), spans, 'edge')
    },
    originTimeoutMs: settings.originTimeoutMs,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    clock,
    pause: (ms) => scheduler.wait(ms),
  }
}

/** Where the request entered, from `request.cf` only: client headers never decide this. */
function popOf(request: Request): PopLocation {
  const cf = request.cf
  return {
    colo: typeof cf?.colo === 'string' ? cf.colo : 'LOCAL',
    country: typeof cf?.country === 'string' ? cf.country : undefined,
    continent: typeof cf?.continent === 'string' ? cf.continent : undefined,
  }
}

/** The zone's residency rules in the form the edge decides with. */
function zoneResidencyRules(config: EdgeConfig, zone: string): ResidencyRule[] {
  const rules = config.zones.find((z) => z.name === zone)?.residencyRules ?? []
  return rules.map(({ name, spec }) => ({ name, ...spec }))
}
