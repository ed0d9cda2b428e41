import fc from 'fast-check'
import { describe, it } from 'vitest'
import { invalidationTargets, SAFE_METHODS } from '../../../edge-cache/policy/invalidation'

const URL_A = 'https://a.example/items/1?x=1#frag'

describe('invalidationTargets', () => {
  // "A cache MUST invalidate the target URI ... when it receives a non-error status code in
  // response to an unsafe request method (including methods whose safety is unknown)."
  it.for([
    ['POST', 201, {}, ['https://a.example/items/1?x=1']],
    ['PUT', 204, {}, ['https://a.example/items/1?x=1']],
    ['DELETE', 301, {}, ['https://a.example/items/1?x=1']],
    ['PATCH', 200, {}, ['https://a.example/items/1?x=1']],
    ['PURGE', 200, {}, ['https://a.example/items/1?x=1']],
    // method tokens are case-sensitive: "get" is a method of unknown safety
    ['get', 200, {}, ['https://a.example/items/1?x=1']],
    // "the URI(s) in the Location and Content-Location response header fields (if present) are
    // candidates for invalidation"
    [
      'POST',
      201,
      { location: '/items/2', 'content-location': 'https://a.example/items/2?v=1#x' },
      [
        'https://a.example/items/1?x=1',
        'https://a.example/items/2',
        'https://a.example/items/2?v=1',
      ],
    ],
    [
      'POST',
      303,
      { location: '../list' },
      ['https://a.example/items/1?x=1', 'https://a.example/list'],
    ],
    ['POST', 201, { location: '/items/1?x=1' }, ['https://a.example/items/1?x=1']],
    // "a cache MUST NOT trigger an invalidation under these conditions if the origin ... of the
    // URI to be invalidated differs from that of the target URI"
    ['POST', 201, { location: 'https://b.example/items/2' }, ['https://a.example/items/1?x=1']],
    ['POST', 201, { location: 'http://a.example/items/2' }, ['https://a.example/items/1?x=1']],
    ['POST', 201, { location: 'https://a.example:8443/x' }, ['https://a.example/items/1?x=1']],
    ['POST', 201, { location: 'http://[bad' }, ['https://a.example/items/1?x=1']],
  ] as [string, number, Record<string, string>, string[]][])(
    'invalidates for %s with status %i and %j',
    ([method, status, headers, expected], { expect }) => {
      expect(invalidationTargets(method, URL_A, status, new Headers(headers))).toEqual(expected)
    }
  )

  // "A 'non-error response' is one with a 2xx (Successful) or 3xx (Redirection) status code."
  it.for([
    ['POST', 400],
    ['POST', 404],
    ['DELETE', 500],
    ['POST', 100],
    ['GET', 200],
    ['HEAD', 200],
    ['OPTIONS', 200],
    ['TRACE', 200],
  ] as [string, number][])(
    'invalidates nothing for %s with status %i',
    ([method, status], { expect }) => {
      expect(invalidationTargets(method, URL_A, status, new Headers({ location: '/x' }))).toEqual(
        []
      )
    }
  )

  it('returns nothing for an unparsable request URL', ({ expect }) => {
    expect(invalidationTargets('POST', 'not a url', 200, new Headers())).toEqual([])
  })

  it('treats exactly the RFC 9110 safe methods as safe', ({ expect }) => {
    expect([...SAFE_METHODS].sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'TRACE'])
  })

  it('never throws and only returns same-origin URIs', ({ expect }) => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: 0, max: 999 }),
        (location, url, status) => {
          let headers: Headers
          try {
            headers = new Headers({ location })
          } catch {
            return
          }
          for (const base of [url, URL_A]) {
            const targets = invalidationTargets('POST', base, status, headers)
            for (const t of targets)
              expect(new URL(t).origin).toBe(new URL(targets[0] ?? '').origin)
          }
        }
      )
    )
  })
})
