/**
 * @module tracing/platform-spans
 * Spans through Workers tracing (`tracing.enterSpan`): recorded when `[observability.traces]`
 * samples the request (wrangler.toml), exported with the automatic spans to the user's OTLP
 * destination; locally a no-op that still runs the work.
 * @see https://developers.cloudflare.com/workers/observability/traces/custom-spans/
 */
import { tracing } from 'cloudflare:workers'
import type { Spans } from './spans'

export const platformSpans: Spans = {
  run: (name, attributes, fn) =>
    tracing.enterSpan(name, async (span) => {
      span.setAttributes(attributes)
      const result = await fn()
      if (result instanceof Response) span.setAttribute('http.response.status_code', result.status)
      return result
    }),
}
