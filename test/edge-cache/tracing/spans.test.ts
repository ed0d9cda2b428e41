import { describe, it } from 'vitest'
import { withTrace } from '../../../edge-cache/tracing/log'
import {
  noSpans,
  type SpanAttributes,
  type Spans,
  tracedOrigin,
  tracedTier,
} from '../../../edge-cache/tracing/spans'
import type { OriginRequest } from '../../../origin/types'

const TRACE = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  flags: '01',
}

function recorder() {
  const recorded: { name: string; attributes: SpanAttributes; settled: boolean }[] = []
  const spans: Spans = {
    run: async (name, attributes, fn) => {
      const span = { name, attributes: attributes(), settled: false }
      recorded.push(span)
      try {
        return await fn()
      } finally {
        span.settled = true
      }
    },
  }
  return { recorded, spans }
}

const request: OriginRequest = {
  method: 'GET',
  path: '/a.css',
  search: '',
  headers: new Headers(),
  body: null,
  clientHost: 'shop.test',
}

describe('custom spans', () => {
  it('wraps an origin fetch in a cdn.origin span that ends when the fetch settles', async ({
    expect,
  }) => {
    const { recorded, spans } = recorder()
    const origin = tracedOrigin({ fetch: async () => new Response('ok') }, spans, 'tier')
    const res = await withTrace(TRACE, () => origin.fetch(request))
    expect(await res.text()).toBe('ok')
    expect(recorded).toEqual([
      {
        name: 'cdn.origin',
        attributes: {
          'trace.id': TRACE.traceId,
          'trace.parent_span_id': TRACE.spanId,
          'cdn.layer': 'tier',
          'http.request.method': 'GET',
          'url.path': '/a.css',
        },
        settled: true,
      },
    ])
  })

  it('passes a failure through, ending the span', async ({ expect }) => {
    const { recorded, spans } = recorder()
    const failing = tracedTier(async () => {
      throw new Error('shard gone')
    }, spans)
    await expect(failing({ key: 'https://shop.test/a' } as never)).rejects.toThrow('shard gone')
    expect(recorded.map((s) => [s.name, s.attributes['cdn.key'], s.settled])).toEqual([
      ['cdn.tier', 'https://shop.test/a', true],
    ])
  })

  it('names no trace outside a request', async ({ expect }) => {
    const { recorded, spans } = recorder()
    await tracedOrigin({ fetch: async () => new Response('') }, spans, 'edge').fetch(request)
    expect(recorded[0]?.attributes['trace.id']).toBeUndefined()
  })

  it('keeps the origin’s restore out of spans', async ({ expect }) => {
    const restore = async () => 'started' as const
    const origin = tracedOrigin({ fetch: async () => new Response(''), restore }, noSpans, 'tier')
    expect(origin.restore).toBe(restore)
  })
})
