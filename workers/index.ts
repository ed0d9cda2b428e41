/**
 * @module index
 * The Worker entry: the Hono app and the Durable Object classes it binds.
 */
import { Hono } from 'hono'
import type { AppEnv } from './app-env'
import { handleError } from './errors'
import { adminRoutes } from './routes/admin'
import { edgeRoutes } from './routes/edge'
import { tracing } from './tracing/middleware'

const app = new Hono<AppEnv>()
app.onError(handleError)
app.use('*', tracing())
app.route('/_admin', adminRoutes)
app.route('/', edgeRoutes)

export default app
export { PurgeLog } from '../edge-cache/purge/purge-log'
export { PurgeRelay } from '../edge-cache/purge/purge-relay'
export { CacheTier } from '../edge-cache/tier/cache-tier'
export { HealthMonitor } from '../origin/health-monitor'
export { AnalyticsStore } from './analytics/analytics-store'
