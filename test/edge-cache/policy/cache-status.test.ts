import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  appendCacheStatus,
  type CacheStatusEntry,
  FORWARD_REASONS,
  formatCacheStatus,
  parseCacheStatus,
} from '../../../edge-cache/policy/cache-status'

describe('formatCacheStatus', () => {
  // RFC 9211 §2 examples
  it.for([
    [[{ cache: 'ExampleCache', hit: true, ttl: 376 }], 'ExampleCache; hit; ttl=376'],
    [
      [{ cache: 'ExampleCache', fwd: 'uri-miss', stored: true }],
      'ExampleCache; fwd=uri-miss; stored',
    ],
    [
      [
        { cache: 'edge-tier', hit: true, ttl: 240 },
        { cache: 'edge-l1', fwd: 'uri-miss', stored: true },
      ],
      'edge-tier; hit; ttl=240, edge-l1; fwd=uri-miss; stored',
    ],
    [
      [{ cache: 'OriginCache', fwd: 'stale', fwdStatus: 304, collapsed: true }],
      'OriginCache; fwd=stale; fwd-status=304; collapsed',
    ],
    [[{ cache: 'c', hit: true, ttl: -412 }], 'c; hit; ttl=-412'],
    [[{ cache: 'c', hit: false, stored: false, collapsed: false }], 'c'],
    [
      [{ cache: 'c', fwd: 'miss', key: 'GET https://a/b "x"' }],
      'c; fwd=miss; key="GET https://a/b \\"x\\""',
    ],
    [[{ cache: 'c', detail: 'memory' }], 'c; detail=memory'],
    [[{ cache: 'c', detail: 'no space left' }], 'c; detail="no space left"'],
    [[{ cache: 'my cache', ttl: 1.9 }], '"my cache"; ttl=1'],
    [[{ cache: 'café', detail: 'naïve' }], '"caf?"; detail="na?ve"'],
    [[{ cache: 'c', ttl: Number.NaN, fwdStatus: Number.POSITIVE_INFINITY }], 'c'],
    [[], ''],
  ] as [CacheStatusEntry[], string][])('formats %j as %j', ([entries, expected], { expect }) => {
    expect(formatCacheStatus(entries)).toBe(expected)
  })

  it('drops a fwd value the RFC does not define', ({ expect }) => {
    const entry = { cache: 'c', fwd: 'bogus' } as unknown as CacheStatusEntry
    expect(formatCacheStatus([entry])).toBe('c')
  })
})

describe('parseCacheStatus', () => {
  it.for([
    ['ExampleCache; hit; ttl=376', [{ cache: 'ExampleCache', hit: true, ttl: 376 }]],
    [
      'OriginCache; hit; ttl=1100, "CDN Company Here"; hit; ttl=545',
      [
        { cache: 'OriginCache', hit: true, ttl: 1100 },
        { cache: 'CDN Company Here', hit: true, ttl: 545 },
      ],
    ],
    [
      'c;fwd=vary-miss;fwd-status=200;stored;collapsed;key="k";detail=x',
      [
        {
          cache: 'c',
          fwd: 'vary-miss',
          fwdStatus: 200,
          stored: true,
          collapsed: true,
          key: 'k',
          detail: 'x',
        },
      ],
    ],
    // wrong types and unknown parameters are ignored
    ['c;hit=1;ttl="5";fwd=nope;key=tok;other=1', [{ cache: 'c' }]],
    // tolerant: invalid members are skipped, valid ones kept
    [
      'a;hit, ((bad, b;ttl=5',
      [
        { cache: 'a', hit: true },
        { cache: 'b', ttl: 5 },
      ],
    ],
    ['(a b), c', [{ cache: 'c' }]],
    ['', []],
  ] as [string, CacheStatusEntry[]][])('parses %j', ([value, expected], { expect }) => {
    expect(parseCacheStatus(value)).toEqual(expected)
  })

  it('returns no entries for null', ({ expect }) => {
    expect(parseCacheStatus(null)).toEqual([])
  })

  it('appends an entry after the existing ones', ({ expect }) => {
    const headers = new Headers({ 'cache-status': 'origin-cache; hit' })
    expect(appendCacheStatus(headers, { cache: 'edge', fwd: 'miss' })).toBe(
      'origin-cache; hit, edge; fwd=miss'
    )
  })
})

describe('properties', () => {
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  })
  const entry: fc.Arbitrary<CacheStatusEntry> = fc.record(
    {
      cache: printable,
      hit: fc.constant(true),
      fwd: fc.constantFrom(...([...FORWARD_REASONS] as CacheStatusEntry['fwd'][])),
      fwdStatus: fc.integer({ min: 100, max: 599 }),
      ttl: fc.integer({ min: -1e9, max: 1e9 }),
      stored: fc.constant(true),
      collapsed: fc.constant(true),
      key: printable,
      detail: printable,
    },
    { requiredKeys: ['cache'] }
  )

  it('round-trips entries through format and parse', ({ expect }) => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), (entries) => {
        expect(parseCacheStatus(formatCacheStatus(entries))).toEqual(entries)
      })
    )
  })

  it('never throws on arbitrary input', ({ expect }) => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(() => parseCacheStatus(s)).not.toThrow()
      })
    )
  })
})
