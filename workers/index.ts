/**
 * @module index
 * The Worker entry: the Hono app and the Durable Object classes it binds.
 */
import { Hono } from 'hono'
import { type Clock, systemClock } from '../edge-cache/clock'
import { platformSpans } from '../edge-cache/tracing/platform-spans'
import type { Spans } from '../edge-cache/tracing/spans'
import type { AppEnv } from './app-env'
import { handleError } from './errors'
import { adminRoutes } from './routes/admin'
import { edgeRoutes } from './routes/edge'
import { tracing } from './tracing/middleware'

export interface WorkerOptions {
  /** The time every route reads (`c.var.clock`); tests pass a ManualClock. */
  clock?: Clock
  /** Where the request path's custom spans go (`c.var.spans`); Workers tracing by default. */
  spans?: Spans
}

/**
 * Builds the Worker's app. Tests build one with their own clock and call
 * `app.fetch(request, env, ctx)`.
 */
export function createWorker({
  clock = systemClock,
  spans = platformSpans,
}: WorkerOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.onError(handleError)
  app.use('*', async (c, next) => {
    c.set('clock', clock)
    c.set('spans', spans)
    await next()
  })
  app.use('*', tracing())
  app.route('/_admin', adminRoutes)
  app.route('/', edgeRoutes)
  return app
}

export default createWorker()
export { PurgeLog } from '../edge-cache/purge/purge-log'
export { PurgeRelay } from '../edge-cache/purge/purge-relay'
export { CacheTier } from '../edge-cache/tier/cache-tier'
export { HealthMonitor } from '../origin/health-monitor'
export { AnalyticsStore } from './analytics/analytics-store'
