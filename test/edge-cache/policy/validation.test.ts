import { describe, it } from 'vitest'
import { formatHttpDate } from '../../../edge-cache/policy/http-date'
import {
  conditionalRequestHeaders,
  mergeNotModified,
  notModifiedMatches,
} from '../../../edge-cache/policy/validation'

const T0 = Date.UTC(2024, 0, 1)
const at = (s: number) => formatHttpDate(T0 + s * 1000)

describe('conditionalRequestHeaders', () => {
  // "MUST send the relevant entity tags (using If-Match, If-None-Match, or If-Range) if the entity
  // tags were provided in the stored response(s) being validated" and "SHOULD send the
  // Last-Modified value (using If-Modified-Since) if only a Last-Modified value has been
  // provided" (RFC 9111 §4.3.1)
  it.for([
    [{ etag: '"v1"' }, { 'if-none-match': '"v1"' }],
    [{ etag: 'W/"v1"' }, { 'if-none-match': 'W/"v1"' }],
    [{ 'last-modified': at(0) }, { 'if-modified-since': at(0) }],
    [
      { etag: '"v1"', 'last-modified': at(0) },
      { 'if-none-match': '"v1"', 'if-modified-since': at(0) },
    ],
    // a sender MUST generate IMF-fixdate: obsolete formats are re-serialized
    [
      { 'last-modified': 'Sunday, 06-Nov-94 08:49:37 GMT' },
      { 'if-modified-since': 'Sun, 06 Nov 1994 08:49:37 GMT' },
    ],
    [{ etag: 'unquoted', 'last-modified': 'garbage' }, {}],
    [{}, {}],
  ] as [Record<string, string>, Record<string, string>][])(
    'validates %j with %j',
    ([stored, expected], { expect }) => {
      expect(Object.fromEntries(conditionalRequestHeaders(new Headers(stored)))).toEqual(expected)
    }
  )
})

describe('notModifiedMatches', () => {
  // "If none of the stored responses contain the same strong validator, then the cache MUST NOT
  // use the new response to update any stored responses." (§4.3.4)
  it.for([
    [{ etag: '"v1"' }, { etag: '"v1"' }, true],
    [{ etag: '"v1"' }, { etag: '"v2"' }, false],
    [{ etag: 'W/"v1"' }, { etag: '"v1"' }, false],
    [{ etag: '"v1"' }, { etag: 'W/"v1"' }, true],
    [{ etag: '"v1"' }, { etag: 'bogus' }, false],
    [{ 'last-modified': at(0) }, { 'last-modified': at(0) }, true],
    [{ 'last-modified': at(0) }, { 'last-modified': at(1) }, false],
    [{ etag: '"v1"' }, {}, true],
    // nginx gzip on: the compressed body's tag is weakened, its 304 carries the strong one
    [{ etag: 'W/"v1"', 'content-encoding': 'gzip' }, { etag: '"v1"' }, true],
    [{ etag: 'W/"v1"', 'content-encoding': 'gzip' }, { etag: '"v2"' }, false],
  ] as [Record<string, string>, Record<string, string>, boolean][])(
    'matches stored %j with 304 %j: %s',
    ([stored, notModified, expected], { expect }) => {
      expect(notModifiedMatches(new Headers(stored), new Headers(notModified))).toBe(expected)
    }
  )
})

describe('mergeNotModified', () => {
  const stored = () =>
    new Headers({
      'cache-control': 'max-age=60',
      'content-type': 'text/html',
      'content-length': '1234',
      'content-encoding': 'gzip',
      'content-md5': 'rL0Y20zC+Fzt72VPzMSk2A==',
      date: at(0),
      age: '30',
      etag: '"v1"',
      'x-old': 'kept',
    })

  // "the cache MUST add each header field in the provided response to the stored response,
  // replacing field values that are already present, with the following exceptions: ... The
  // Content-Length header field." (§3.2)
  it('replaces stored fields with those of the 304 except those describing the body and hop-by-hop fields', ({
    expect,
  }) => {
    const notModified = new Headers({
      'cache-control': 'max-age=600',
      date: at(100),
      age: '2',
      etag: '"v1"',
      'content-length': '0',
      'content-encoding': 'br',
      'content-md5': 'N7UdGUp1E+RbVvZSTy1R8g==',
      connection: 'x-conn',
      'x-conn': 'drop me',
      'keep-alive': 'timeout=5',
      'x-new': 'added',
    })
    const merged = mergeNotModified(stored(), notModified)
    expect(Object.fromEntries(merged)).toEqual({
      age: '2',
      'cache-control': 'max-age=600',
      'content-encoding': 'gzip',
      'content-length': '1234',
      'content-md5': 'rL0Y20zC+Fzt72VPzMSk2A==',
      'content-type': 'text/html',
      date: at(100),
      etag: '"v1"',
      'x-new': 'added',
      'x-old': 'kept',
    })
  })

  it('replaces all instances of a repeated field', ({ expect }) => {
    const old = new Headers()
    old.append('link', '</a>; rel=preload')
    old.append('link', '</b>; rel=preload')
    const merged = mergeNotModified(old, new Headers({ link: '</c>; rel=preload' }))
    expect(merged.get('link')).toBe('</c>; rel=preload')
  })

  it('never stores a Set-Cookie from the 304', ({ expect }) => {
    expect(mergeNotModified(stored(), new Headers({ 'set-cookie': 'a=1' })).has('set-cookie')).toBe(
      false
    )
  })

  it('drops the old Age and dates the entry at the revalidation when the 304 lacks them', ({
    expect,
  }) => {
    const merged = mergeNotModified(stored(), new Headers({ etag: '"v1"' }), T0 + 500_000)
    expect(merged.has('age')).toBe(false)
    expect(merged.get('date')).toBe(at(500))
    expect(mergeNotModified(stored(), new Headers()).has('date')).toBe(false)
  })
})
