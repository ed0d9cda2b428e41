/**
 * @module routes/admin
 * The admin API, mounted at `/_admin`: zones and, under each, origins, routes, residency rules
 * and API tokens; the audit log. Every request is authenticated first (middleware/admin-auth.ts);
 * every answer is a Cloudflare-style envelope, errors included.
 */
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { failure } from '../../admin/envelope'
import { type AdminEnv, adminAuth } from '../../middleware/admin-auth'
import { auditRoutes } from './audit'
import { originRoutes } from './origins'
import { purgeRoutes } from './purge'
import { residencyRuleRoutes } from './residency-rules'
import { routeRoutes } from './routes'
import { tokenRoutes } from './tokens'
import { zoneRoutes } from './zones'

export const adminRoutes = new Hono<AdminEnv>()

adminRoutes.onError((error, c) => {
  if (error instanceof HTTPException && error.status < 500) {
    return failure(error.status, { code: 'bad_request', message: error.message })
  }
  console.error(`${c.req.method} ${c.req.path}: admin error`, error)
  return failure(500, { code: 'internal', message: 'internal error' })
})

adminRoutes.use('*', adminAuth())
adminRoutes.route('/zones', zoneRoutes)
adminRoutes.route('/zones', purgeRoutes)
adminRoutes.route('/zones/:zone/origins', originRoutes)
adminRoutes.route('/zones/:zone/routes', routeRoutes)
adminRoutes.route('/zones/:zone/residency-rules', residencyRuleRoutes)
adminRoutes.route('/zones/:zone/tokens', tokenRoutes)
adminRoutes.route('/audit', auditRoutes)
// Unknown admin paths must not fall through to the edge's catch-all content route.
adminRoutes.all('*', (c) =>
  failure(404, { code: 'not_found', message: `no admin resource at ${c.req.method} ${c.req.path}` })
)
