import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  type CacheControl,
  DELTA_SECONDS_MAX,
  parseCacheControl,
  parseDeltaSeconds,
  parseTargetedCacheControl,
  requestCacheControl,
  selectCacheControl,
} from '../../../edge-cache/policy/cache-control'

describe('parseCacheControl', () => {
  it.for([
    ['max-age=60', { maxAge: 60 }],
    ['s-maxage=30, max-age=60', { sMaxAge: 30, maxAge: 60 }],
    ['no-store', { noStore: true }],
    ['no-cache', { noCache: true }],
    ['private', { private: true }],
    ['public', { public: true }],
    ['must-revalidate, proxy-revalidate', { mustRevalidate: true, proxyRevalidate: true }],
    ['must-understand, no-store', { mustUnderstand: true, noStore: true }],
    ['no-transform, immutable', { noTransform: true, immutable: true }],
    [
      'stale-while-revalidate=30, stale-if-error=600',
      { staleWhileRevalidate: 30, staleIfError: 600 },
    ],
    ['max-stale', { maxStale: true }],
    ['max-stale=10', { maxStale: 10 }],
    ['min-fresh=5', { minFresh: 5 }],
    ['only-if-cached', { onlyIfCached: true }],
    // "Cache directives are identified by a token, to be compared case-insensitively"
    ['MAX-AGE=60, No-Store', { maxAge: 60, noStore: true }],
    // "... an optional argument that can use both token and quoted-string syntax"
    ['max-age="60"', { maxAge: 60 }],
    ['max-age = 60', { maxAge: 60 }],
    // "A cache MUST ignore unrecognized cache directives."
    ['community="UCI", foo=bar, max-age=5', { maxAge: 5 }],
    ['', {}],
    [',,, ,', {}],
  ] as [string, CacheControl][])('parses %j', ([value, expected], { expect }) => {
    expect(parseCacheControl(value)).toEqual(expected)
  })

  it.for([null, undefined])('returns no directives for %s', (value, { expect }) => {
    expect(parseCacheControl(value)).toEqual({})
  })

  // "If a cache receives a delta-seconds value greater than the greatest integer it can
  // represent ... the cache MUST consider the value to be 2147483648 (2^31)"
  it.for(['max-age=2147483649', 'max-age=99999999999999999999999'])(
    'clamps the overflowing delta-seconds in %j to 2^31',
    (value, { expect }) => {
      expect(parseCacheControl(value).maxAge).toBe(2_147_483_648)
    }
  )

  // "Caches are encouraged to consider responses that have invalid freshness information
  // (e.g., a max-age directive with non-integer content) to be stale."
  it.for(['max-age=-1', 'max-age=1.5', 'max-age=abc', 'max-age', 'max-age=', 's-maxage=-5'])(
    'reads the invalid freshness in %j as stale (0)',
    (value, { expect }) => {
      const cc = parseCacheControl(value)
      expect(cc.maxAge ?? cc.sMaxAge).toBe(0)
    }
  )

  // "When there is more than one value present for a given directive (e.g., ... multiple
  // Cache-Control: max-age directives), either the first occurrence should be used or the
  // response should be considered stale."
  it.for([
    ['max-age=60, max-age=60', 60],
    ['max-age=60, max-age=120', 0],
  ] as [string, number][])('reads %j as max-age %i', ([value, expected], { expect }) => {
    expect(parseCacheControl(value).maxAge).toBe(expected)
  })

  it.for([
    ['stale-while-revalidate=abc', {}],
    ['stale-if-error=-1', {}],
    ['max-stale=abc', {}],
    ['min-fresh=x', {}],
    ['stale-while-revalidate=30, stale-while-revalidate=10', { staleWhileRevalidate: 10 }],
    ['min-fresh=10, min-fresh=30', { minFresh: 30 }],
    ['max-stale, max-stale=20', { maxStale: 20 }],
  ] as [string, CacheControl][])(
    'ignores invalid and keeps the most restrictive repeated permissions in %j',
    ([value, expected], { expect }) => {
      expect(parseCacheControl(value)).toEqual(expected)
    }
  )

  it.for([
    ['no-cache="Set-Cookie, X-Foo"', { noCache: ['set-cookie', 'x-foo'] }],
    ['private=x-user', { private: ['x-user'] }],
    ['private="a", private="b"', { private: ['a', 'b'] }],
    ['no-cache="a", no-cache', { noCache: true }],
    ['no-cache, no-cache="a"', { noCache: true }],
    ['no-cache=""', { noCache: [] }],
  ] as [string, CacheControl][])(
    'parses the qualified form %j',
    ([value, expected], { expect }) => {
      expect(parseCacheControl(value)).toEqual(expected)
    }
  )

  it('keeps commas inside a quoted argument', ({ expect }) => {
    expect(parseCacheControl('private="a, b", max-age=5')).toEqual({
      private: ['a', 'b'],
      maxAge: 5,
    })
  })

  it('tolerates an unterminated quoted argument', ({ expect }) => {
    expect(parseCacheControl('no-cache="a, b')).toEqual({ noCache: ['a', 'b'] })
  })
})

describe('parseDeltaSeconds', () => {
  it.for([
    ['0', 0],
    ['007', 7],
    ['2147483648', 2_147_483_648],
    ['2147483649', 2_147_483_648],
    ['-1', undefined],
    ['+1', undefined],
    ['1e3', undefined],
    [' 1', undefined],
  ] as [string, number | undefined][])('reads %j as %s', ([value, expected], { expect }) => {
    expect(parseDeltaSeconds(value)).toBe(expected)
  })
})

describe('parseTargetedCacheControl', () => {
  it.for([
    ['max-age=60', { maxAge: 60 }],
    [
      'max-age=60, s-maxage=10, stale-while-revalidate=5',
      { maxAge: 60, sMaxAge: 10, staleWhileRevalidate: 5 },
    ],
    ['no-store', { noStore: true }],
    ['private, public', { private: true, public: true }],
    ['no-cache="set-cookie, x-a"', { noCache: ['set-cookie', 'x-a'] }],
    ['no-cache=set-cookie', { noCache: ['set-cookie'] }],
    ['no-cache=1', { noCache: true }],
    // sf-dictionary semantics: "If dictionary already contains a key this_key ..., overwrite its value"
    ['max-age=60, max-age=30', { maxAge: 30 }],
    // sf parameters carry no meaning for cache directives and are ignored
    ['max-age=60;foo=bar', { maxAge: 60 }],
    ['no-store=?0, max-age=5', { maxAge: 5 }],
    ['max-age=2147483649', { maxAge: DELTA_SECONDS_MAX }],
    ['foo=bar, max-age=5', { maxAge: 5 }],
  ] as [string, CacheControl][])('parses %j', ([value, expected], { expect }) => {
    expect(parseTargetedCacheControl(value)).toEqual(expected)
  })

  // max-age "has an integer value": anything else is invalid freshness, i.e. stale
  it.for(['max-age="60"', 'max-age=1.5', 'max-age=-1', 'max-age=(1 2)', 'max-age'])(
    'reads the mistyped max-age in %j as 0',
    (value, { expect }) => {
      expect(parseTargetedCacheControl(value)?.maxAge).toBe(0)
    }
  )

  // "If a targeted field in a given response is empty, or a parsing error is encountered,
  // that field MUST be ignored by the cache"
  it.for([
    '',
    '   ',
    'Max-Age=60',
    'max-age=60,',
    'max-age=60 public',
    'max-age=ü',
    null,
    undefined,
  ])('ignores the empty or unparsable field %j', (value, { expect }) => {
    expect(parseTargetedCacheControl(value)).toBeUndefined()
  })
})

describe('selectCacheControl', () => {
  // "the cache MUST select the first (in target list order) field with a valid, non-empty
  // value ... and ignore the Cache-Control and Expires header fields"
  it.for([
    [{ 'cache-control': 'max-age=1' }, 'cache-control', { maxAge: 1 }],
    [
      { 'cache-control': 'max-age=1', 'cdn-cache-control': 'max-age=2' },
      'cdn-cache-control',
      { maxAge: 2 },
    ],
    [
      {
        'cache-control': 'no-store',
        'cdn-cache-control': 'max-age=2',
        'edge-cache-control': 'max-age=3',
      },
      'edge-cache-control',
      { maxAge: 3 },
    ],
    [
      {
        'cache-control': 'max-age=1',
        'cdn-cache-control': 'max-age=2',
        'edge-cache-control': 'Max-Age=3',
      },
      'cdn-cache-control',
      { maxAge: 2 },
    ],
    [{ 'cache-control': 'max-age=1', 'cdn-cache-control': '' }, 'cache-control', { maxAge: 1 }],
    [{}, 'cache-control', {}],
  ] as [Record<string, string>, string, CacheControl][])(
    'selects %j from %s',
    ([headers, source, directives], { expect }) => {
      expect(selectCacheControl(new Headers(headers))).toEqual({ directives, source })
    }
  )

  // "Targeted fields that are not on a cache's target list MUST NOT change that cache's behavior"
  it('obeys only the fields on the given target list', ({ expect }) => {
    const headers = new Headers({ 'cache-control': 'max-age=1', 'cdn-cache-control': 'max-age=2' })
    expect(selectCacheControl(headers, [])).toEqual({
      directives: { maxAge: 1 },
      source: 'cache-control',
    })
    expect(selectCacheControl(headers, ['Bad Name', 'CDN-Cache-Control']).source).toBe(
      'cdn-cache-control'
    )
  })
})

describe('requestCacheControl', () => {
  // "When the Cache-Control header field is not present in a request, caches MUST consider the
  // no-cache request pragma directive as having the same effect as if 'Cache-Control:
  // no-cache' were present."
  it.for([
    [{ pragma: 'no-cache' }, { noCache: true }],
    [{ pragma: 'foo, No-Cache' }, { noCache: true }],
    [{ pragma: 'no-cache', 'cache-control': 'max-age=5' }, { maxAge: 5 }],
    [{ pragma: 'foo' }, {}],
    [{}, {}],
  ] as [Record<string, string>, CacheControl][])(
    'reads %j as %j',
    ([headers, expected], { expect }) => {
      expect(requestCacheControl(new Headers(headers))).toEqual(expected)
    }
  )
})

describe('properties', () => {
  const ccChars = fc.constantFrom(...'max-age=0123456789,"\\ ;s-private()no-cache\tü'.split(''))

  it('never throws and always yields integers within 0..2^31', ({ expect }) => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: ccChars, maxLength: 60 }), fc.string()), (s) => {
        const cc = parseCacheControl(s)
        for (const v of [
          cc.maxAge,
          cc.sMaxAge,
          cc.staleIfError,
          cc.staleWhileRevalidate,
          cc.minFresh,
        ]) {
          if (v !== undefined) {
            expect(Number.isInteger(v) && v >= 0 && v <= DELTA_SECONDS_MAX).toBe(true)
          }
        }
        expect(() => parseTargetedCacheControl(s)).not.toThrow()
      }),
      { numRuns: 2000 }
    )
  })

  it('round-trips generated directive lists', ({ expect }) => {
    const directive = fc.oneof(
      fc.nat({ max: DELTA_SECONDS_MAX }).map((n) => ({ text: `max-age=${n}`, cc: { maxAge: n } })),
      fc.nat({ max: 1e6 }).map((n) => ({ text: `stale-if-error=${n}`, cc: { staleIfError: n } })),
      fc.constant({ text: 'no-store', cc: { noStore: true as const } }),
      fc.constant({ text: 'public', cc: { public: true as const } })
    )
    fc.assert(
      fc.property(fc.uniqueArray(directive, { selector: (d) => d.text.split('=')[0] }), (list) => {
        const text = list.map((d) => d.text).join(', ')
        const expected = Object.assign({}, ...list.map((d) => d.cc))
        expect(parseCacheControl(text)).toEqual(expected)
        expect(parseTargetedCacheControl(text) ?? {}).toEqual(expected)
      })
    )
  })
})
