import { describe, it } from 'vitest'
import {
  addCacheStatus,
  appendServerTiming,
  dropDiagnostics,
} from '../../edge-cache/status-headers'

describe('addCacheStatus', () => {
  it('appends this cache after the upstream ones and returns every entry as data', ({ expect }) => {
    const headers = new Headers({ 'cache-status': 'edge-tier; hit; ttl=240' })
    const entries = addCacheStatus(headers, { cache: 'edge-l1', fwd: 'uri-miss', stored: true })
    expect(headers.get('cache-status')).toBe(
      'edge-tier; hit; ttl=240, edge-l1; fwd=uri-miss; stored'
    )
    expect(entries).toEqual([
      { cache: 'edge-tier', hit: true, ttl: 240 },
      { cache: 'edge-l1', fwd: 'uri-miss', stored: true },
    ])
  })

  it('starts the field when upstream sent none', ({ expect }) => {
    const headers = new Headers()
    expect(addCacheStatus(headers, { cache: 'edge-l1', hit: true })).toEqual([
      { cache: 'edge-l1', hit: true },
    ])
    expect(headers.get('cache-status')).toBe('edge-l1; hit')
  })
})

describe('dropDiagnostics', () => {
  it('removes Cache-Status and Server-Timing and keeps everything else', ({ expect }) => {
    const headers = new Headers({ 'cache-status': 'edge-l1; hit', etag: '"a"' })
    appendServerTiming(headers, 'edge', 3.6)
    expect(headers.get('server-timing')).toBe('edge;dur=4')
    dropDiagnostics(headers)
    expect([...headers]).toEqual([['etag', '"a"']])
  })
})
