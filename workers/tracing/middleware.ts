/**
 * @module tracing/middleware
 * Every request joins the client's trace or starts one: the request the routes see carries this
 * edge's `traceparent` (so the tier and the origin receive the client's trace id), logs written
 * while it runs carry the trace id, and the response names the trace in `Server-Timing`
 * (`traceparent;desc="00-…"`), which browsers expose to the page.
 */
import type { MiddlewareHandler } from 'hono'
import { withTrace } from '../../edge-cache/tracing/log'
import { continueTrace, formatTraceparent } from '../../edge-cache/tracing/trace-context'

export function tracing(): MiddlewareHandler {
  return async (c, next) => {
    const trace = continueTrace(c.req.header('traceparent'))
    const traceparent = formatTraceparent(trace)
    const headers = new Headers(c.req.raw.headers)
    headers.set('traceparent', traceparent)
    // `new Request(request, init)` keeps the method, body and `cf` of the original.
    c.req.raw = new Request(c.req.raw, { headers })
    await withTrace(trace, next)
    // A Response may carry immutable headers (e.g. straight from a fetch): copy once then.
    try {
      c.res.headers.append('server-timing', `traceparent;desc="${traceparent}"`)
    } catch {
      c.res = new Response(c.res.body, c.res)
      c.res.headers.append('server-timing', `traceparent;desc="${traceparent}"`)
    }
  }
}
