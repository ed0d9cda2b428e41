/**
 * @module tracing/spans
 * Custom spans around the request path's I/O: the L1 lookup and write, the tier call and the
 * origin fetch, at the edge and in the tier shard. Wrapped at the dependency boundary, so the
 * request path itself knows nothing of tracing; the spans nest under Workers' automatic ones
 * (platform-spans.ts) and carry our W3C trace id, which Workers tracing does not propagate.
 */
import type { Origin } from '../../origin/types'
import type { L1Store } from '../store/l1'
import type { TierRequest } from '../tier/protocol'
import { currentTrace } from './log'

export type SpanAttributes = Record<string, string | number | boolean | undefined>

/**
 * Runs `fn` inside a span named `name`; the span ends when its promise settles. The attributes
 * are built only for a span that is recorded (most requests are not sampled).
 */
export interface Spans {
  run<T>(name: string, attributes: () => SpanAttributes, fn: () => Promise<T>): Promise<T>
}

/** No tracing (benchmarks, and tests that do not look at spans). */
export const noSpans: Spans = { run: (_name, _attributes, fn) => fn() }

/** The attributes every span carries: the request's trace, so a span finds its log lines. */
export function traceAttributes(): SpanAttributes {
  const trace = currentTrace()
  return trace ? { 'trace.id': trace.traceId, 'trace.parent_span_id': trace.spanId } : {}
}

/** L1 reads and writes as `cdn.l1.get` / `cdn.l1.put` / `cdn.l1.delete` spans. */
export function tracedL1(l1: L1Store, spans: Spans): L1Store {
  const attributes = (key: string) => () => ({
    ...traceAttributes(),
    'cdn.l1': l1.name,
    'cdn.key': key,
  })
  return {
    name: l1.name,
    get: (key, varyKeyOf) => spans.run('cdn.l1.get', attributes(key), () => l1.get(key, varyKeyOf)),
    put: (key, ...rest) => spans.run('cdn.l1.put', attributes(key), () => l1.put(key, ...rest)),
    delete: (key) => spans.run('cdn.l1.delete', attributes(key), () => l1.delete(key)),
    // Fill claims are small Cache API entries on hot keys' refills only: no spans of their own.
    fillClaim: (key) => l1.fillClaim(key),
    claimFill: (key, until) => l1.claimFill(key, until),
    releaseFill: (key) => l1.releaseFill(key),
  }
}

/** The edge's call to its tier shard as a `cdn.tier` span. */
export function tracedTier(
  serve: (request: TierRequest) => Promise<Response>,
  spans: Spans
): (request: TierRequest) => Promise<Response> {
  return (request) =>
    spans.run(
      'cdn.tier',
      () => ({ ...traceAttributes(), 'cdn.key': request.key }),
      () => serve(request)
    )
}

/** An origin's fetches as `cdn.origin` spans (its restores are not on the request path). */
export function tracedOrigin(origin: Origin, spans: Spans, layer: 'edge' | 'tier'): Origin {
  return {
    ...origin,
    fetch: (request) =>
      spans.run(
        'cdn.origin',
        () => ({
          ...traceAttributes(),
          'cdn.layer': layer,
          'http.request.method': request.method,
          'url.path': request.path,
        }),
        () => origin.fetch(request)
      ),
  }
}
