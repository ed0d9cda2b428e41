import { describe, it } from 'vitest'
import { formatHttpDate, selectCacheControl } from '../../../edge-cache/policy'
import {
  declaredLength,
  leaderHeaders,
  memberDetail,
  mergeRevalidation,
  newEntry,
  primaryOf,
  tierView,
  withStoredLength,
} from '../../../edge-cache/tier/stored-entry'
import { ORIGIN_MEMBER_FIELD } from '../../../origin/pool-origin'
import { tierEntry } from '../../support/tier-entry'

const NOW = Date.UTC(2026, 0, 1)

describe('stored entries', () => {
  it('gives the policy a view of status, fields and times', ({ expect }) => {
    const view = tierView(tierEntry({ etag: '"v1"' }, NOW))
    expect(view.status).toBe(200)
    expect(view.headers.get('etag')).toBe('"v1"')
    expect(view.requestTime).toBe(NOW)
    expect(view.responseTime).toBe(NOW)
  })

  it('declares the stored length, replacing what the origin said', ({ expect }) => {
    const entry = tierEntry({ 'content-length': '5' }, NOW, { size: 12 })
    const lengths = withStoredLength(entry).headers.filter(([name]) => name === 'content-length')
    expect(lengths).toEqual([['content-length', '12']])
    expect(entry.headers).toContainEqual(['content-length', '5'])
  })

  it.for([
    { value: '42', length: 42 },
    { value: '0', length: 0 },
    { value: '-1', length: undefined },
    { value: '1.5', length: undefined },
    { value: undefined, length: undefined },
  ])('reads Content-Length $value as $length', ({ value, length }, { expect }) => {
    const headers: [string, string][] = value === undefined ? [] : [['content-length', value]]
    expect(declaredLength(headers)).toBe(length)
  })

  it('finds the primary key of a variant key', ({ expect }) => {
    expect(primaryOf('https://a.test/x\naccept-encoding=gzip')).toBe('https://a.test/x')
    expect(primaryOf('https://a.test/x')).toBe('https://a.test/x')
  })

  it('gives the leader the origin’s fields without hop-by-hop or our own, and a Date', ({
    expect,
  }) => {
    const receivedAt = Date.UTC(2026, 0, 1)
    const headers = leaderHeaders(
      new Headers({
        'set-cookie': 'a=1',
        connection: 'close',
        'cache-status': 'upstream; hit',
        'server-timing': 'x;dur=1',
      }),
      receivedAt
    )
    expect(headers.get('date')).toBe(formatHttpDate(receivedAt))
    expect(headers.get('set-cookie')).toBe('a=1')
    expect(headers.has('connection')).toBe(false)
    expect(headers.has('cache-status')).toBe(false)
    expect(headers.has('server-timing')).toBe(false)
  })

  it('names the pool member that answered', ({ expect }) => {
    expect(memberDetail([[ORIGIN_MEMBER_FIELD, 'eu-1']])).toBe('origin=eu-1')
    expect(memberDetail([])).toBeUndefined()
  })
})

describe('newEntry', () => {
  it('stores what a shared cache may keep, keyed by its variant', ({ expect }) => {
    const responseHeaders = new Headers({
      'cache-control': 'public, max-age=60',
      'cache-tag': 'red,blue',
      vary: 'accept-language',
      'set-cookie': 'a=1',
      'cache-status': 'upstream; hit',
    })
    const { directives } = selectCacheControl(responseHeaders)
    const entry = newEntry(
      {
        key: 'https://a.test/x',
        requestHeaders: new Headers({ 'accept-language': 'de' }),
        status: 200,
        responseHeaders,
        directives,
        vary: ['accept-language'],
        requestTime: NOW - 5,
        responseTime: NOW,
        purgeSeq: 7,
        zone: 'a',
      },
      'body-9'
    )
    expect(entry.key.startsWith('https://a.test/x\n')).toBe(true)
    expect(entry.meta).toMatchObject({
      status: 200,
      requestTime: NOW - 5,
      responseTime: NOW,
      vary: ['accept-language'],
      tags: ['red', 'blue'],
      purgeSeq: 7,
      zone: 'a',
    })
    const names = entry.headers.map(([name]) => name)
    expect(names).not.toContain('set-cookie')
    expect(names).not.toContain('cache-status')
    expect(entry).toMatchObject({ bodyId: 'body-9', size: 0, chunks: 0 })
  })
})

describe('mergeRevalidation', () => {
  const stale = tierEntry({ 'cache-control': 'max-age=10', etag: '"v1"', 'x-kept': 'yes' }, NOW)

  it('refreshes the stored fields and times from a matching 304', ({ expect }) => {
    const later = NOW + 60_000
    const merged = mergeRevalidation(
      stale,
      new Headers({ etag: '"v1"', 'cache-control': 'max-age=600' }),
      later - 10,
      later
    )
    expect(merged?.meta.requestTime).toBe(later - 10)
    expect(merged?.meta.responseTime).toBe(later)
    const headers = new Headers(merged?.headers)
    expect(headers.get('cache-control')).toBe('max-age=600')
    expect(headers.get('x-kept')).toBe('yes')
    expect(merged?.bodyId).toBe(stale.bodyId)
  })

  it('refuses a 304 for another validator (RFC 9111 §4.3.4)', ({ expect }) => {
    expect(mergeRevalidation(stale, new Headers({ etag: '"v2"' }), NOW, NOW)).toBeUndefined()
  })
})
