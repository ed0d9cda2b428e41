/**
 * @module routes/admin
 * The admin API, mounted at `/_admin`: zones and, under each, origins, routes, residency rules
 * and API tokens; the audit log. Every request is authenticated first (middleware/admin-auth.ts);
 * every answer is a Cloudflare-style envelope, errors included.
 */

import { DrizzleQueryError } from 'drizzle-orm'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { logError } from '../../../edge-cache/tracing/log'
import { adminOpenApi } from '../../../schemas/api/openapi'
import { settingsOf } from '../../../schemas/settings'
import { getZone, listZones } from '../../admin/config-store'
import { failure } from '../../admin/envelope'
import { networkTotals } from '../../analytics/network'
import { ensureProxyZone } from '../../config/proxy-zone'
import { isConfigStoreFailure, isConstraintFailure } from '../../errors'
import { metricsText } from '../../metrics'
import { type AdminEnv, adminAuth, requireBootstrap } from '../../middleware/admin-auth'
import { analyticsRoutes } from './analytics'
import { auditRoutes } from './audit'
import { chaosRoutes } from './chaos'
import { dashboardAsset } from './dashboard'
import { grantRoutes } from './grants'
import { originHealthRoutes } from './origin-health'
import { originRoutes } from './origins'
import { purgeRoutes } from './purge'
import { configDb, zoneNotFound } from './request'
import { residencyRuleRoutes } from './residency-rules'
import { routeRoutes } from './routes'
import { tokenRoutes } from './tokens'
import { zoneRoutes } from './zones'

export const adminRoutes = new Hono<AdminEnv>()

adminRoutes.onError(async (error, c) => {
  // An answer made already (bearerAuth's 401 envelope from middleware/admin-auth.ts).
  if (error instanceof HTTPException && error.res) return error.getResponse()
  if (error instanceof HTTPException && error.status < 500) {
    return failure(error.status, { code: 'bad_request', message: error.message })
  }
  // A write that lost a race: every foreign key is to a zone, deleted while the write was in
  // flight. Not the store failing (503 would invite a retry that cannot succeed).
  if (isConstraintFailure(error)) {
    const zone = c.req.param('zone')
    if (zone !== undefined && !(await getZone(configDb(c), zone))) return zoneNotFound(zone)
    return failure(409, {
      code: 'conflict',
      message: `${c.req.method} ${c.req.path} conflicts with a concurrent change: read it again`,
    })
  }
  // D1 unreachable or failing: say so, and that a retry may succeed, rather than a bare 500.
  if (isConfigStoreFailure(error)) {
    // The D1 error, not drizzle's wrapper: that one quotes the query's parameters (token hashes).
    const cause = error instanceof DrizzleQueryError ? error.cause : error
    logError(`${c.req.method} ${c.req.path}: configuration store unavailable`, undefined, cause)
    return failure(
      503,
      { code: 'config_store_unavailable', message: 'configuration store unavailable' },
      { 'retry-after': '1' }
    )
  }
  logError(`${c.req.method} ${c.req.path}: admin error`, undefined, error)
  return failure(500, { code: 'internal', message: 'internal error' })
})

// The API's description and the dashboard's static files are public (the page asks for a token
// and sends it only to the API); everything else needs a token.
adminRoutes.get('/openapi.json', (c) => c.json(adminOpenApi()))
adminRoutes.get('/ui', (c) => c.redirect('/_admin/ui/', 301))
adminRoutes.get('/ui/*', dashboardAsset)
adminRoutes.use('*', adminAuth())
// Proxy mode's zone is a D1 zone like any other: present before the first admin call needs it.
adminRoutes.use('*', async (c, next) => {
  await ensureProxyZone(c.env.CONFIG_DB, settingsOf(c.env).proxyOrigin ?? '')
  await next()
})
// The figures cover every zone: not for a zone's token.
adminRoutes.get('/metrics', requireBootstrap(), async (c) => {
  // Proxy mode's zone is in D1 too (ensureProxyZone above): every zone is listed once.
  const zones = (await listZones(configDb(c), 'all')).map((z) => z.name)
  return c.text(metricsText(await networkTotals(c.env, zones)), 200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    'cache-control': 'no-store',
  })
})
adminRoutes.route('/zones', zoneRoutes)
adminRoutes.route('/zones', purgeRoutes)
adminRoutes.route('/zones/:zone/origins', originHealthRoutes)
adminRoutes.route('/zones/:zone/origins', originRoutes)
adminRoutes.route('/zones/:zone/routes', routeRoutes)
adminRoutes.route('/zones/:zone/residency-rules', residencyRuleRoutes)
adminRoutes.route('/zones/:zone/tokens', tokenRoutes)
adminRoutes.route('/zones/:zone/grants', grantRoutes)
adminRoutes.route('/zones/:zone/chaos', chaosRoutes)
adminRoutes.route('/zones/:zone/analytics', analyticsRoutes)
adminRoutes.route('/audit', auditRoutes)
// Unknown admin paths must not fall through to the edge's catch-all content route.
adminRoutes.all('*', (c) =>
  failure(404, { code: 'not_found', message: `no admin resource at ${c.req.method} ${c.req.path}` })
)
