import { describe, it } from 'vitest'
import {
  entryResponse,
  notCached,
  objectSize,
  servedHeaders,
  withStatus,
} from '../../../edge-cache/tier/tier-response'
import { tierEntry } from '../../support/tier-entry'

const NOW = Date.UTC(2026, 0, 1)

function bodyOf(text: string): ReadableStream<Uint8Array> {
  return new Response(text).body ?? new ReadableStream()
}

describe('tier responses', () => {
  it('adds the shard’s Cache-Status and Server-Timing', ({ expect }) => {
    const response = withStatus(
      new Response('x', { status: 201, headers: { 'cache-status': 'upstream; hit' } }),
      { cache: 'edge-tier', fwd: 'uri-miss', stored: true },
      { tierMs: 12, originMs: 7 }
    )
    expect(response.status).toBe(201)
    expect(response.headers.get('cache-status')).toBe(
      'upstream; hit, edge-tier; fwd=uri-miss; stored'
    )
    expect(response.headers.get('server-timing')).toBe('tier;dur=12, origin;dur=7')
  })

  it('serves an entry with its current Age', ({ expect }) => {
    const entry = tierEntry({ 'cache-control': 'max-age=600' }, NOW)
    expect(servedHeaders(entry, NOW + 30_000).get('age')).toBe('30')
  })

  it('answers an entry with its body and status', async ({ expect }) => {
    const entry = tierEntry({ 'content-type': 'text/plain' }, NOW)
    const response = entryResponse(
      entry,
      bodyOf('stored'),
      { cache: 'edge-tier', hit: true },
      { tierMs: 1 },
      NOW + 2000
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('age')).toBe('2')
    expect(await response.text()).toBe('stored')
  })

  it.for([204, 304])('answers a %i without a body', async (status, { expect }) => {
    const entry = tierEntry({}, NOW)
    entry.meta.status = status
    const response = entryResponse(
      entry,
      bodyOf('ignored'),
      { cache: 'edge-tier' },
      { tierMs: 0 },
      NOW
    )
    expect(response.status).toBe(status)
    expect(response.body).toBeNull()
  })

  it('answers only-if-cached without a stored response with 504 (RFC 9111 §5.2.1.7)', ({
    expect,
  }) => {
    const response = notCached({ cache: 'edge-tier', fwd: 'uri-miss' })
    expect(response.status).toBe(504)
    expect(response.headers.get('cache-status')).toBe('edge-tier; fwd=uri-miss')
  })

  it('tells the whole object’s size from a 200 or a 206, nothing from other answers', ({
    expect,
  }) => {
    const sized = (status: number, headers: Record<string, string>) =>
      objectSize(new Response(null, { status, headers }))
    expect(sized(200, { 'content-length': '1234' })).toBe(1234)
    expect(sized(206, { 'content-length': '10', 'content-range': 'bytes 0-9/5000' })).toBe(5000)
    expect(sized(206, { 'content-range': 'bytes 0-9/*' })).toBeUndefined()
    expect(sized(200, {})).toBeUndefined()
    expect(sized(304, { 'content-length': '1234' })).toBeUndefined()
    expect(sized(502, { 'content-length': '12' })).toBeUndefined()
  })
})
