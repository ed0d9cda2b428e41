/**
 * @module routes/edge
 * The catch-all route: every request that is not for the admin API is content, served through
 * the cache hierarchy of the zone and route it resolves to.
 */

import { Hono } from 'hono'
import { systemClock } from '../../edge-cache/clock'
import { residencyField, serveFromEdge } from '../../edge-cache/edge'
import { errorResponse } from '../../edge-cache/errors'
import { cacheKey } from '../../edge-cache/key'
import { hasLooped, loopDetectedResponse } from '../../edge-cache/loop'
import { purgeLogName } from '../../edge-cache/purge/purge-log'
import { purgeView } from '../../edge-cache/purge/purge-view'
import { decideResidency, type ResidencyRule } from '../../edge-cache/residency'
import { L1Cache } from '../../edge-cache/store/l1'
import { archivalFor } from '../../edge-cache/tier/archival'
import { BreakerRegistry } from '../../origin/breakers'
import { chaosOrigin, chaosTier, drilledDown } from '../../origin/chaos'
import { originDependencies } from '../../origin/dependencies'
import { varyingOn } from '../../origin/key-headers'
import { targetOrigin } from '../../origin/pool-origin'
import { selectOrigin } from '../../origin/select'
import type { OriginSpec } from '../../schemas/api/config'
import { type PopLocation, regionNamed, regionOf } from '../../schemas/regions'
import { recordRequest } from '../analytics/network'
import type { AppEnv } from '../app-env'
import { type EdgeConfig, resolveRoute } from '../config/edge-config'
import { configSnapshot } from '../config/snapshot'
import { edgePurgeBound, relayReader } from '../purge-relay-client'
import { tierFor } from '../tier-client'
import { logJson } from '../tracing/log'
import { deploymentLoopToken, trustedRequest } from '../trusted-request'

export const edgeRoutes = new Hono<AppEnv>()

/**
 * Breakers for the edge's own origin requests (uncached methods, routes without the tier, a
 * tier that is down), one per origin per isolate: plain state, safe to share between requests.
 */
const edgeBreakers = new BreakerRegistry()

edgeRoutes.all('*', async (c) => {
  const started = Date.now()
  const loopToken = deploymentLoopToken(c.env.PURGE_LOG)
  // RFC 8586: a request carrying this CDN's own token has been here before.
  if (hasLooped(c.req.raw.headers, loopToken)) return loopDetectedResponse(loopToken)
  const url = new URL(c.req.raw.url)
  const config = await configSnapshot(
    {
      db: c.env.CONFIG_DB,
      proxyOriginUrl: c.env.ORIGIN_URL,
      ttlMs: numberVar(c.env.CONFIG_TTL_MS, 5000),
    },
    Date.now()
  ).catch((error: unknown) => {
    console.error('config unavailable', error)
    return undefined
  })
  if (!config) return errorResponse(503, 'config_unavailable', 'configuration is not available')
  const route = resolveRoute(config, url.hostname, url.pathname)
  if (!route) {
    return errorResponse(404, 'no_zone', `no zone or route serves ${url.hostname}${url.pathname}`)
  }

  const pop = popOf(c.req.raw)
  const cacheable = !route.spec.bypass && ['GET', 'HEAD'].includes(c.req.raw.method)
  const request = trustedRequest(c.req.raw, loopToken, cacheable)
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
  // Resident content is served through its own region's tier, wherever the client is.
  const tierRegion = residency.kind === 'open' ? region : regionNamed(residency.residency.region)
  const timeoutMs = numberVar(c.env.ORIGIN_TIMEOUT_MS, 10_000)
  const purgeBound = edgePurgeBound(c.env)
  const tier = tierFor(c.env.CACHE_TIER, tierRegion, c.env.TIER_JURISDICTIONS === 'on')
  const response = await serveFromEdge(
    {
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
      clientRegion: region.name,
      residency,
      rules,
      zone: route.zone,
      compression: route.spec.compression ?? true,
    },
    {
      l1: await L1Cache.open(pop.colo),
      // The edge reads its region's relay of the zone's log, never the zone's single log.
      purge: await purgeView(
        route.zone,
        () =>
          relayReader({
            namespace: c.env.PURGE_RELAY,
            region,
            colo: pop.colo,
            zone: route.zone,
            boundMs: purgeBound,
            clock: systemClock,
            waitUntil: (promise) => c.executionCtx.waitUntil(promise),
          }),
        Date.now(),
        purgeBound
      ),
      tier: chaosTier(tier.serve, route.chaos),
      invalidateTier: tier.invalidate,
      purgeTags: async (tags) => {
        const log = c.env.PURGE_LOG.get(c.env.PURGE_LOG.idFromName(purgeLogName(route.zone)))
        await log.append(tags.map((value) => ({ kind: 'tag', value, soft: false })))
      },
      // Built only when needed: most requests never reach the origin from the edge.
      // Resident content is read only from its region's bucket (origin/select.ts).
      origin: () => {
        const region = residency.kind === 'open' ? undefined : residency.residency.region
        const deps = originDependencies(c.env, route.grants, timeoutMs)
        const build = (spec: OriginSpec, name?: string) =>
          chaosOrigin(selectOrigin(spec, deps, region), name, route.chaos)
        const down = async () => new Set(drilledDown(route.chaos, Date.now()))
        return varyingOn(
          targetOrigin(route.origin, cacheKey(url), region, edgeBreakers, build, { down }),
          route.spec.cacheKeyHeaders
        )
      },
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
      now: Date.now,
    }
  )
  recordRequest(c.env, (p) => c.executionCtx.waitUntil(p), response, {
    zone: route.zone,
    route: route.route,
    region: region.name,
    colo: pop.colo,
    origin: `${route.origin.kind}:${route.originName}`,
    method: request.method,
    url,
    totalMs: Date.now() - started,
  })
  response.headers.set('edge-region', region.name)
  if (residency.kind !== 'open')
    response.headers.set('edge-residency', residencyField(residency.residency))
  return response
})

/** Where the request entered, from `request.cf` only: client headers never decide this. */
function popOf(request: Request): PopLocation {
  const cf = request.cf
  return {
    colo: typeof cf?.colo === 'string' ? cf.colo : 'LOCAL',
    country: typeof cf?.country === 'string' ? cf.country : undefined,
    continent: typeof cf?.continent === 'string' ? cf.continent : undefined,
  }
}

function numberVar(value: string | undefined, fallback: number): number {
  const parsed = Number(value)
  return value !== undefined && value !== '' && Number.isFinite(parsed) && parsed >= 0
    ? parsed
    : fallback
}

/** The zone's residency rules in the form the edge decides with. */
function zoneResidencyRules(config: EdgeConfig, zone: string): ResidencyRule[] {
  const rules = config.zones.find((z) => z.name === zone)?.residencyRules ?? []
  return rules.map(({ name, spec }) => ({ name, ...spec }))
}
