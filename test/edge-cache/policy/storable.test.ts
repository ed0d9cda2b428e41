import fc from 'fast-check'
import { describe, it } from 'vitest'
import { formatHttpDate } from '../../../edge-cache/policy/http-date'
import {
  canStore,
  HOP_BY_HOP,
  headersToStore,
  type StoreInput,
  stripHopByHop,
  UNDERSTOOD_STATUSES,
} from '../../../edge-cache/policy/storable'

const NOW = Date.UTC(2024, 0, 1)
const DATE = formatHttpDate(NOW)
const LAST_MODIFIED = formatHttpDate(NOW - 86_400_000)

function input(
  response: Record<string, string>,
  overrides: Partial<Omit<StoreInput, 'responseHeaders' | 'requestHeaders'>> & {
    request?: Record<string, string>
  } = {}
): StoreInput {
  const { request, ...rest } = overrides
  return {
    method: 'GET',
    status: 200,
    requestHeaders: new Headers(request ?? {}),
    responseHeaders: new Headers({ date: DATE, ...response }),
    ...rest,
  }
}

describe('canStore', () => {
  it.for([
    ['max-age', input({ 'cache-control': 'max-age=60' })],
    ['s-maxage', input({ 'cache-control': 's-maxage=60' })],
    ['Expires', input({ expires: formatHttpDate(NOW + 60_000) })],
    ['an ETag only (stored, revalidated on every use)', input({ etag: '"v1"' })],
    ['Last-Modified (heuristic freshness)', input({ 'last-modified': LAST_MODIFIED })],
    [
      'public with Last-Modified on a 302',
      input({ 'cache-control': 'public', 'last-modified': LAST_MODIFIED }, { status: 302 }),
    ],
    ['a HEAD request', input({ 'cache-control': 'max-age=60' }, { method: 'HEAD' })],
    ['no-cache (stored, always revalidated)', input({ 'cache-control': 'no-cache, max-age=60' })],
    ['a qualified private', input({ 'cache-control': 'private="x-user", max-age=60' })],
    ['a 404 with max-age', input({ 'cache-control': 'max-age=60' }, { status: 404 })],
    ['a 451 with max-age', input({ 'cache-control': 'max-age=60' }, { status: 451 })],
    ['a 301 with Last-Modified', input({ 'last-modified': LAST_MODIFIED }, { status: 301 })],
    [
      'Set-Cookie when allowed',
      input({ 'cache-control': 'max-age=60', 'set-cookie': 'a=1' }, { allowSetCookie: true }),
    ],
    [
      'Set-Cookie excluded by private="set-cookie"',
      input({ 'cache-control': 'max-age=60, private="set-cookie"', 'set-cookie': 'a=1' }),
    ],
    ['Vary on a real field', input({ 'cache-control': 'max-age=60', vary: 'accept-encoding' })],
    // "the Authorization header field is not present in the request ... or a response directive
    // is present that explicitly allows shared caching" - public, s-maxage, must-revalidate
    [
      'Authorization with public',
      input({ 'cache-control': 'public, max-age=60' }, { request: { authorization: 'Bearer x' } }),
    ],
    [
      'Authorization with s-maxage',
      input({ 'cache-control': 's-maxage=60' }, { request: { authorization: 'Bearer x' } }),
    ],
    [
      'Authorization with must-revalidate',
      input(
        { 'cache-control': 'must-revalidate, max-age=60' },
        { request: { authorization: 'Bearer x' } }
      ),
    ],
    // must-understand: "the cache SHOULD ignore the no-store directive if it understands the
    // status code semantics"
    [
      'must-understand, no-store on an understood status',
      input({ 'cache-control': 'must-understand, no-store, max-age=60' }),
    ],
    // RFC 9213: a valid targeted field replaces Cache-Control entirely
    [
      'a targeted max-age despite Cache-Control no-store',
      input({ 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=60' }),
    ],
  ] as [string, StoreInput][])('stores a response with %s', ([, store], { expect }) => {
    expect(canStore(store).ok).toBe(true)
  })

  it.for([
    // "the request method is understood by the cache"
    ['method', input({ 'cache-control': 'max-age=60' }, { method: 'POST' })],
    ['method', input({ 'cache-control': 'max-age=60' }, { method: 'get' })],
    // "the response status code is final"
    ['status-not-final', input({ 'cache-control': 'max-age=60' }, { status: 103 })],
    ['status', input({ 'cache-control': 'max-age=60' }, { status: 999 })],
    ['status', input({ 'cache-control': 'max-age=60' }, { status: 500 })],
    ['status', input({ 'cache-control': 'max-age=60' }, { status: 304 })],
    // "the no-store cache directive is not present in the response"
    ['no-store', input({ 'cache-control': 'no-store, max-age=60' })],
    ['no-store', input({ 'cdn-cache-control': 'no-store', 'cache-control': 'max-age=60' })],
    // "The no-store request directive indicates that a cache MUST NOT store any part of either
    // this request or any response to it."
    [
      'request-no-store',
      input({ 'cache-control': 'max-age=60' }, { request: { 'cache-control': 'no-store' } }),
    ],
    // must-understand on a status the cache does not understand
    [
      'must-understand',
      input({ 'cache-control': 'must-understand, no-store, max-age=60' }, { status: 299 }),
    ],
    [
      'partial',
      input({ 'cache-control': 'max-age=60', 'content-range': 'bytes 0-1/10' }, { status: 206 }),
    ],
    // "the private response directive is either not present or allows a shared cache to store a
    // modified response"
    ['private', input({ 'cache-control': 'private, max-age=60' })],
    [
      'authorization',
      input({ 'cache-control': 'max-age=60' }, { request: { authorization: 'Basic x' } }),
    ],
    [
      'authorization',
      input(
        { 'cache-control': 'proxy-revalidate, max-age=60' },
        { request: { authorization: 'Basic x' } }
      ),
    ],
    ['set-cookie', input({ 'cache-control': 'max-age=60', 'set-cookie': 'a=1' })],
    ['vary-star', input({ 'cache-control': 'max-age=60', vary: 'accept, *' })],
    // "the response contains at least one of: public, Expires, max-age, s-maxage, ... a status
    // code that is defined as heuristically cacheable"
    ['not-cacheable', input({ etag: '"v1"' }, { status: 302 })],
    // no default TTL: no explicit freshness and no validator
    ['no-freshness', input({})],
    ['no-freshness', input({ 'cache-control': 'public' })],
  ] as [string, StoreInput][])('refuses with reason %s', ([reason, store], { expect }) => {
    expect(canStore(store)).toEqual({ ok: false, reason })
  })

  it('returns the governing directives', ({ expect }) => {
    const decision = canStore(
      input({ 'cache-control': 'max-age=1', 'edge-cache-control': 'max-age=2, stale-if-error=9' })
    )
    expect(decision).toEqual({ ok: true, directives: { maxAge: 2, staleIfError: 9 } })
  })

  it('honours a custom target list', ({ expect }) => {
    const store = input(
      { 'cache-control': 'no-store', 'x-my-cache-control': 'max-age=60' },
      { targeted: ['x-my-cache-control'] }
    )
    expect(canStore(store).ok).toBe(true)
    expect(canStore({ ...store, targeted: [] })).toEqual({ ok: false, reason: 'no-store' })
  })

  it('ignores Expires when a targeted field governs', ({ expect }) => {
    const store = input({ 'cdn-cache-control': 'public', expires: formatHttpDate(NOW + 60_000) })
    expect(canStore(store)).toEqual({ ok: false, reason: 'no-freshness' })
  })

  it('documents the understood status codes', ({ expect }) => {
    expect([...UNDERSTOOD_STATUSES].sort((a, b) => a - b)).toEqual([
      200, 203, 204, 206, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 451, 501,
    ])
  })
})

describe('stripHopByHop', () => {
  // "the Connection header field and fields whose names are listed in it are required ... to be
  // removed before forwarding the message" (RFC 9111 §3.1, RFC 9110 §7.6.1)
  it('removes the fixed hop-by-hop fields, proxy fields and those listed in Connection', ({
    expect,
  }) => {
    const headers = new Headers({
      connection: 'close, X-Trace',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      trailer: 'x',
      'transfer-encoding': 'chunked',
      upgrade: 'h2c',
      'proxy-authenticate': 'Basic',
      'proxy-authentication-info': 'x',
      'proxy-connection': 'keep-alive',
      'proxy-foo': 'bar',
      'x-trace': '1',
      'content-type': 'text/plain',
      etag: '"1"',
    })
    expect([...stripHopByHop(headers).keys()]).toEqual(['content-type', 'etag'])
  })

  it('contains the RFC 9110 §7.6.1 connection-specific fields', ({ expect }) => {
    for (const name of [
      'connection',
      'keep-alive',
      'te',
      'trailer',
      'transfer-encoding',
      'upgrade',
    ]) {
      expect(HOP_BY_HOP.has(name)).toBe(true)
    }
  })
})

describe('headersToStore', () => {
  it.for([
    // "a shared cache MUST NOT store the specified field names" (private, §5.2.2.7)
    ['private="X-User", max-age=60', ['content-type', 'x-other']],
    // "the cache MUST NOT reuse the specified fields without successful revalidation" (no-cache,
    // §5.2.2.4): they are not stored
    ['no-cache="x-user, x-other", max-age=60', ['content-type']],
    ['max-age=60', ['content-type', 'x-other', 'x-user']],
  ] as [string, string[]][])('with %s keeps %j', ([cc, kept], { expect }) => {
    const headers = new Headers({
      'cache-control': cc,
      'content-type': 'text/plain',
      'x-user': 'alice',
      'x-other': '1',
      'set-cookie': 'a=1',
      connection: 'keep-alive',
    })
    const decision = canStore({
      method: 'GET',
      status: 200,
      requestHeaders: new Headers(),
      responseHeaders: headers,
      allowSetCookie: true,
    })
    if (!decision.ok) throw new Error(decision.reason)
    const stored = headersToStore(headers, decision.directives, NOW)
    expect([...stored.keys()].filter((k) => k !== 'cache-control' && k !== 'date')).toEqual(kept)
  })

  // RFC 9110 §6.6.1: a response cached without Date gets the time it was received.
  it('adds Date when the response has none (R2, S3), and keeps the origin’s own', ({ expect }) => {
    const directives = { maxAge: 60 }
    const without = headersToStore(new Headers({ 'cache-control': 'max-age=60' }), directives, NOW)
    expect(without.get('date')).toBe(DATE)
    const own = formatHttpDate(NOW - 5_000)
    const withDate = headersToStore(new Headers({ date: own }), directives, NOW)
    expect(withDate.get('date')).toBe(own)
  })
})

describe('properties', () => {
  it('never throws and never stores a no-store response', ({ expect }) => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT'),
        fc.integer({ min: 0, max: 1000 }),
        fc.string(),
        fc.string(),
        (method, status, cc, vary) => {
          const responseHeaders = new Headers()
          try {
            responseHeaders.set('cache-control', `${cc}, no-store`)
            responseHeaders.set('vary', vary)
          } catch {
            return
          }
          const decision = canStore({
            method,
            status,
            requestHeaders: new Headers(),
            responseHeaders,
          })
          if (decision.ok) expect(decision.directives.mustUnderstand).toBe(true)
        }
      )
    )
  })
})
