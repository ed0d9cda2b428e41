import fc from 'fast-check'
import { describe, it } from 'vitest'
import { formatHttpDate } from '../../../edge-cache/policy/http-date'
import {
  contentRange,
  decideRange,
  ifRangeMatches,
  MAX_RANGES,
  parseRange,
  type RangeDecision,
  unsatisfiedContentRange,
} from '../../../edge-cache/policy/range'

const T0 = Date.UTC(2024, 0, 1)
const at = (s: number) => formatHttpDate(T0 + s * 1000)
const response = new Headers({ etag: '"v1"', 'last-modified': at(-60), date: at(0) })
const decide = (request: Record<string, string>, size = 10_000, method = 'GET', res = response) =>
  decideRange(method, new Headers(request), size, res)

describe('decideRange', () => {
  // RFC 9110 §14.1.2 examples and §14.1.1 satisfiability
  it.for([
    ['bytes=0-499', { kind: 'partial', start: 0, end: 499 }],
    ['bytes=500-999', { kind: 'partial', start: 500, end: 999 }],
    // "If the last-pos value is absent, or if the value is greater than or equal to the current
    // length of the representation data, the byte range is interpreted as the remainder"
    ['bytes=9500-', { kind: 'partial', start: 9500, end: 9999 }],
    ['bytes=9500-20000', { kind: 'partial', start: 9500, end: 9999 }],
    // suffix-range: "the last 500 bytes"
    ['bytes=-500', { kind: 'partial', start: 9500, end: 9999 }],
    // "If the selected representation is shorter than the specified suffix-length, the entire
    // representation is used."
    ['bytes=-20000', { kind: 'partial', start: 0, end: 9999 }],
    [
      'bytes=0-0,-1',
      {
        kind: 'multi',
        ranges: [
          { start: 0, end: 0 },
          { start: 9999, end: 9999 },
        ],
      },
    ],
    ['bytes=500-600,601-999', { kind: 'partial', start: 500, end: 999 }],
    ['bytes=500-700,601-999', { kind: 'partial', start: 500, end: 999 }],
    [
      'bytes=0-9, 100-109',
      {
        kind: 'multi',
        ranges: [
          { start: 0, end: 9 },
          { start: 100, end: 109 },
        ],
      },
    ],
    // parts stay in request order unless coalesced
    [
      'bytes=100-109,0-9',
      {
        kind: 'multi',
        ranges: [
          { start: 100, end: 109 },
          { start: 0, end: 9 },
        ],
      },
    ],
    // unsatisfiable members are dropped when another is satisfiable
    ['bytes=0-9,20000-30000', { kind: 'partial', start: 0, end: 9 }],
    // "Range unit names are case-insensitive"
    ['BYTES=0-9', { kind: 'partial', start: 0, end: 9 }],
    // "A server that receives a Range ... with ... an unsatisfiable range-set ... 416"
    ['bytes=10000-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=20000-30000,-0', { kind: 'unsatisfiable' }],
    // invalid or unknown: "An origin server MUST ignore a Range header field that contains a
    // range unit it does not understand"; invalid ranges are ignored (served in full)
    ['items=0-9', { kind: 'full' }],
    ['bytes=9-0', { kind: 'full' }],
    ['bytes=a-b', { kind: 'full' }],
    ['bytes=', { kind: 'full' }],
    ['bytes 0-9', { kind: 'full' }],
    ['bytes=0-9, bytes=10-19', { kind: 'full' }],
    // "more than two overlapping ranges" (§14.2)
    ['bytes=0-100,50-150,60-160', { kind: 'full' }],
  ] as [string, RangeDecision][])('answers Range %j with %j', ([range, expected], { expect }) => {
    expect(decide({ range })).toEqual(expected)
  })

  it('serves in full more than MAX_RANGES ranges', ({ expect }) => {
    const ranges = Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i * 10}-${i * 10 + 1}`)
    expect(decide({ range: `bytes=${ranges.join(',')}` })).toEqual({ kind: 'full' })
    expect(decide({ range: `bytes=${ranges.slice(1).join(',')}` }).kind).toBe('multi')
  })

  // "A server MUST ignore a Range header field received with a request method that is
  // unrecognized or for which range handling is not defined." - only GET
  it.for(['HEAD', 'POST', 'get'])('ignores Range on %s', (method, { expect }) => {
    expect(decide({ range: 'bytes=0-9' }, 10_000, method)).toEqual({ kind: 'full' })
  })

  it('serves in full without a Range field or with a nonsensical size', ({ expect }) => {
    expect(decide({})).toEqual({ kind: 'full' })
    expect(decide({ range: 'bytes=0-9' }, -1)).toEqual({ kind: 'full' })
    expect(decide({ range: 'bytes=0-9' }, Number.NaN)).toEqual({ kind: 'full' })
  })

  it('handles an empty representation', ({ expect }) => {
    expect(decide({ range: 'bytes=0-' }, 0)).toEqual({ kind: 'unsatisfiable' })
    expect(decide({ range: 'bytes=-5' }, 0)).toEqual({ kind: 'full' })
  })

  // If-Range: "the server MUST ignore the Range header field" when the condition is false
  it.for([
    ['"v1"', 'partial'],
    ['"v2"', 'full'],
    ['W/"v1"', 'full'],
    [at(-60), 'partial'],
    [at(-59), 'full'],
    ['garbage', 'full'],
  ] as [string, string][])('evaluates If-Range %j to %s', ([ifRange, kind], { expect }) => {
    expect(decide({ range: 'bytes=0-9', 'if-range': ifRange }).kind).toBe(kind)
  })

  it('ignores If-Range without a Range field', ({ expect }) => {
    expect(decide({ 'if-range': '"v2"' })).toEqual({ kind: 'full' })
  })
})

describe('ifRangeMatches', () => {
  // §13.1.5: "the condition is true if the HTTP-date ... is an exact match of the Last-Modified
  // and ... Last-Modified is a strong validator" - here, at least a second before Date
  // (§8.8.2.2)
  it.for([
    [{ etag: '"v1"' }, '"v1"', true],
    [{ etag: 'W/"v1"' }, 'W/"v1"', false],
    [{ 'last-modified': at(-1), date: at(0) }, at(-1), true],
    [{ 'last-modified': at(0), date: at(0) }, at(0), false],
    [{ 'last-modified': at(-1) }, at(-1), false],
    [{ 'last-modified': at(-10), date: at(0) }, at(-9), false],
  ] as [Record<string, string>, string, boolean][])(
    'with %j evaluates %j to %s',
    ([res, value, expected], { expect }) => {
      expect(ifRangeMatches(value, new Headers(res))).toBe(expected)
    }
  )
})

describe('content-range', () => {
  it('formats satisfied and unsatisfied ranges', ({ expect }) => {
    expect(contentRange(0, 499, 1234)).toBe('bytes 0-499/1234')
    expect(unsatisfiedContentRange(1234)).toBe('bytes */1234')
  })
})

describe('properties', () => {
  const rangeChars = fc.constantFrom(...'bytes=0123456789-, '.split(''))

  it('never throws and only returns ranges inside the representation', ({ expect }) => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: rangeChars, maxLength: 40 }), fc.string()),
        fc.nat({ max: 1e6 }),
        (range, size) => {
          let headers: Headers
          try {
            headers = new Headers({ range })
          } catch {
            return
          }
          const decision = decideRange('GET', headers, size, response)
          const spans =
            decision.kind === 'partial'
              ? [decision]
              : decision.kind === 'multi'
                ? decision.ranges
                : []
          for (const { start, end } of spans) {
            expect(0 <= start && start <= end && end < size).toBe(true)
          }
          if (decision.kind === 'multi') expect(decision.ranges.length).toBeGreaterThan(1)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it('round-trips generated range sets through parseRange', ({ expect }) => {
    const spec = fc.oneof(
      fc
        .tuple(fc.nat(), fc.option(fc.nat()))
        .map(([first, extra]) => (extra === null ? { first } : { first, last: first + extra })),
      fc.nat().map((suffix) => ({ suffix }))
    )
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 5 }), (specs) => {
        const text = specs
          .map((s) => ('suffix' in s ? `-${s.suffix}` : `${s.first}-${s.last ?? ''}`))
          .join(',')
        expect(parseRange(`bytes=${text}`)).toEqual(specs)
      })
    )
  })
})
