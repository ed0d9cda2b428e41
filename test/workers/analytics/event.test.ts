import { describe, it } from 'vitest'
import { parseCacheStatus } from '../../../edge-cache/policy'
import { eventOf as eventFromEntries } from '../../../workers/analytics/event'

const context = {
  zone: 'shop',
  route: 'assets',
  region: 'eu',
  colo: 'FRA',
  origin: 's3:assets',
  method: 'GET',
  url: new URL('https://shop.test/a/b.css?v=1'),
  totalMs: 42,
}

/** The event of a response whose `Cache-Status` entries are those its header names. */
function eventOf(res: Response, ctx: typeof context) {
  return eventFromEntries(res, parseCacheStatus(res.headers.get('cache-status')), ctx)
}

function response(status: number, headers: Record<string, string>) {
  return new Response(null, { status, headers })
}

describe('eventOf', () => {
  it.for<[string, string, string]>([
    ['edge-l1; hit; ttl=50', 'l1', 'hit'],
    ['edge-tier; hit; ttl=50, edge-l1; fwd=uri-miss; stored', 'tier', 'miss'],
    ['edge-tier; fwd=uri-miss; fwd-status=200, edge-l1; fwd=uri-miss', 'origin', 'miss'],
    ['edge-l1; fwd=stale; fwd-status=503; detail=stale-if-error', 'l1', 'stale'],
    ['edge-l1; hit; ttl=0; detail=stale-while-revalidate', 'l1', 'stale'],
    ['edge-l1; fwd=bypass; fwd-status=200', 'origin', 'bypass'],
    ['edge-l1; fwd=uri-miss; detail=purged', 'origin', 'purged'],
  ])('reads %s as layer %s, outcome %s', ([cacheStatus, layer, outcome], { expect }) => {
    const event = eventOf(response(200, { 'cache-status': cacheStatus }), context)
    expect(event.layer).toBe(layer)
    expect(event.outcome).toBe(outcome)
  })

  it('counts the edge as the layer when no cache took part', ({ expect }) => {
    const event = eventOf(response(451, {}), context)
    expect(event).toMatchObject({ layer: 'edge', outcome: 'none', statusClass: '4xx' })
  })

  it('counts bytes from the origin only when the origin answered, with its timing', ({
    expect,
  }) => {
    const fromOrigin = eventOf(
      response(200, {
        'cache-status': 'edge-tier; fwd=uri-miss; fwd-status=200, edge-l1; fwd=uri-miss',
        'content-length': '1000',
        'server-timing': 'tier;dur=30, origin;dur=25, edge;dur=40',
      }),
      context
    )
    expect(fromOrigin).toMatchObject({ bytesToClient: 1000, bytesFromOrigin: 1000, originMs: 25 })
    expect(fromOrigin.url).toBe('shop.test/a/b.css')
    const hit = eventOf(
      response(200, { 'cache-status': 'edge-l1; hit', 'content-length': '1000' }),
      context
    )
    expect(hit).toMatchObject({ bytesToClient: 1000, bytesFromOrigin: 0, originMs: 0 })
  })

  it('counts no body bytes for HEAD or an unknown length', ({ expect }) => {
    const headers = { 'cache-status': 'edge-l1; hit', 'content-length': '1000' }
    expect(eventOf(response(200, headers), { ...context, method: 'HEAD' }).bytesToClient).toBe(0)
    expect(eventOf(response(200, { 'cache-status': 'edge-l1; hit' }), context).bytesToClient).toBe(
      0
    )
  })
})
