import fc from 'fast-check'
import { describe, it } from 'vitest'
import { parseCacheControl } from '../../../edge-cache/policy/cache-control'
import {
  ageValue,
  currentAge,
  freshnessLifetime,
  HEURISTICALLY_CACHEABLE,
} from '../../../edge-cache/policy/freshness'
import { formatHttpDate } from '../../../edge-cache/policy/http-date'
import { entryFreshness } from '../../../edge-cache/policy/serve'

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0)
const at = (seconds: number) => formatHttpDate(NOW + seconds * 1000)
const lifetime = (headers: Record<string, string>, status = 200) => {
  const h = new Headers(headers)
  return freshnessLifetime(status, h, parseCacheControl(h.get('cache-control')))
}

describe('freshnessLifetime', () => {
  // §4.2.1: "If the cache is shared and the s-maxage response directive is present, use its
  // value, or If the max-age response directive is present, use its value, or If the Expires
  // response header field is present, use its value minus the value of the Date response
  // header field, or Otherwise, no explicit expiration time is present in the response. A
  // heuristic freshness lifetime might be applicable"
  it.for([
    [{ 'cache-control': 's-maxage=10, max-age=60', expires: at(600), date: at(0) }, 10],
    [{ 'cache-control': 'max-age=60', expires: at(600), date: at(0) }, 60],
    [{ expires: at(600), date: at(0) }, 600],
    [{ expires: at(-600), date: at(0) }, 0],
    [{ 'cache-control': 'max-age=0', expires: at(600), date: at(0) }, 0],
    [{ 'cache-control': 'max-age=abc', expires: at(600), date: at(0) }, 0],
  ] as [Record<string, string>, number][])(
    'uses the first of s-maxage, max-age, Expires in %j',
    ([headers, expected], { expect }) => {
      expect(lifetime(headers)).toBe(expected)
    }
  )

  // "A cache recipient MUST interpret invalid date formats, especially the value '0', as
  // representing a time in the past (i.e., 'already expired')." (§5.3)
  it.for(['0', '-1', 'tomorrow', `${at(600)}, ${at(900)}`])(
    'treats the invalid Expires %j as already expired',
    (expires, { expect }) => {
      expect(lifetime({ expires, date: at(0), 'last-modified': at(-86400) })).toBe(0)
    }
  )

  it('uses the receive time for Expires when Date is missing', ({ expect }) => {
    const headers = new Headers({ expires: at(120) })
    expect(freshnessLifetime(200, headers, {}, undefined, { responseTime: NOW })).toBe(120)
    expect(freshnessLifetime(200, headers, {})).toBe(0)
  })

  // RFC 9213 §2.2: the cache "MUST ignore the Cache-Control and Expires header fields" when it
  // uses a targeted field
  it('ignores Expires when the directives come from a targeted field', ({ expect }) => {
    const headers = new Headers({ expires: at(600), date: at(0), 'last-modified': at(-1000) })
    expect(freshnessLifetime(200, headers, {}, undefined, { source: 'cdn-cache-control' })).toBe(
      100
    )
    expect(freshnessLifetime(200, headers, {}, undefined, { source: 'cache-control' })).toBe(600)
  })

  // §4.2.2: "a cache MUST NOT use heuristics to determine freshness when an explicit
  // expiration time is present in the stored response"
  it.for([
    [{ date: at(0), 'last-modified': at(-1000) }, 200, 100],
    [{ date: at(0), 'last-modified': at(-10_000_000) }, 200, 86_400],
    [{ date: at(0), 'last-modified': at(-1000), 'cache-control': 'max-age=5' }, 200, 5],
    [{ date: at(0), 'last-modified': at(-1000), expires: at(7) }, 200, 7],
    [{ date: at(0), 'last-modified': at(-1000) }, 404, 100],
    // not heuristically cacheable
    [{ date: at(0), 'last-modified': at(-1000) }, 302, 0],
    [{ date: at(0), 'last-modified': at(-1000) }, 500, 0],
    // "If a response with the public directive has no explicit freshness information, it is
    // heuristically cacheable" (§5.2.2.9)
    [{ date: at(0), 'last-modified': at(-1000), 'cache-control': 'public' }, 302, 100],
    [{ date: at(0) }, 200, 0],
    [{ date: at(0), 'last-modified': 'garbage' }, 200, 0],
    [{ date: at(0), 'last-modified': at(1000) }, 200, 0],
  ] as [Record<string, string>, number, number][])(
    'gives %j with status %i a heuristic lifetime of %i',
    ([headers, status, expected], { expect }) => {
      expect(lifetime(headers, status)).toBe(expected)
    }
  )

  it('applies custom heuristic options', ({ expect }) => {
    const headers = new Headers({ date: at(0), 'last-modified': at(-1000) })
    expect(freshnessLifetime(200, headers, {}, { fraction: 0.5, maxSeconds: 300 })).toBe(300)
    expect(freshnessLifetime(200, headers, {}, { fraction: 0.2, maxSeconds: 300 })).toBe(200)
    expect(freshnessLifetime(200, headers, {}, { fraction: Number.NaN, maxSeconds: 300 })).toBe(0)
  })

  it('lists the heuristically cacheable status codes of RFC 9110 §15.1', ({ expect }) => {
    expect([...HEURISTICALLY_CACHEABLE].sort((a, b) => a - b)).toEqual([
      200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501,
    ])
  })
})

describe('currentAge', () => {
  // §4.2.3: apparent_age = max(0, response_time - date_value); response_delay = response_time
  // - request_time; corrected_age_value = age_value + response_delay; corrected_initial_age =
  // max(apparent_age, corrected_age_value); resident_time = now - response_time;
  // current_age = corrected_initial_age + resident_time;
  it.for([
    // fresh from origin, no delay, 30 s resident
    [{ date: at(0) }, 0, 0, 30, 30],
    // apparent age from the Date lagging the receive time
    [{ date: at(-20) }, 0, 0, 0, 20],
    // Age header plus response delay beats the apparent age
    [{ date: at(0), age: '100' }, -2, 0, 10, 112],
    // apparent age beats a smaller corrected age value
    [{ date: at(-50), age: '10' }, -1, 0, 0, 50],
    // a Date in the future (clock skew) gives no negative apparent age
    [{ date: at(3600) }, 0, 0, 5, 5],
    // missing Date: the receive time stands in
    [{}, -3, 0, 7, 10],
    // a list of Age values uses the first
    [{ date: at(0), age: '7, 100' }, 0, 0, 0, 7],
    [{ date: at(0), age: '0,7200' }, 0, 0, 0, 0],
    // whole seconds, floored
    [{ date: at(0) }, 0, 0, 1.999, 1],
  ] as [Record<string, string>, number, number, number, number][])(
    'computes the age of %j requested at %ss, received at %ss, now %ss as %i',
    ([headers, req, res, now, expected], { expect }) => {
      expect(
        currentAge(new Headers(headers), NOW + req * 1000, NOW + res * 1000, NOW + now * 1000)
      ).toBe(expected)
    }
  )

  // "the cache MUST consider the value to be 2147483648 (2^31)" on overflow (§1.2.2)
  it('clamps overflowing Age values to 2^31', ({ expect }) => {
    expect(ageValue(new Headers({ age: '99999999999999999' }))).toBe(2_147_483_648)
    expect(currentAge(new Headers({ age: '99999999999999999' }), NOW, NOW, NOW)).toBe(2_147_483_648)
  })

  // §5.1: "If the field value (after discarding additional members, as per above) is invalid
  // (e.g., it contains something other than a non-negative integer), a cache SHOULD consider
  // the response to be stale." The cache-tests.fyi `age-parse-*` cases, among others.
  it.for(['abc', '-7200', '7200.0', '+5', '7200;foo=bar', '7200;foo=111', '1e3', '0x10'])(
    'reads an invalid Age %j as maximally old, so the response is stale',
    (age, { expect }) => {
      const headers = new Headers({ date: at(0), age })
      expect(ageValue(headers)).toBeUndefined()
      expect(currentAge(headers, NOW, NOW, NOW)).toBe(2_147_483_648)
      headers.set('cache-control', 'max-age=3600')
      const entry = { status: 200, headers, requestTime: NOW, responseTime: NOW }
      expect(entryFreshness(entry, NOW).ttl).toBeLessThanOrEqual(0)
    }
  )

  it('reads a missing Age as 0', ({ expect }) => {
    expect(ageValue(new Headers({ date: at(0) }))).toBe(0)
  })

  it('never returns a negative age when now precedes the response time', ({ expect }) => {
    expect(currentAge(new Headers({ date: at(0) }), NOW, NOW, NOW - 60_000)).toBe(0)
  })

  it('treats non-finite times as maximally old', ({ expect }) => {
    expect(currentAge(new Headers(), NOW, NOW, Number.NaN)).toBe(2_147_483_648)
  })
})

describe('properties', () => {
  const fieldValue = fc.oneof(
    fc.string(),
    fc.integer().map((n) => at(n))
  )

  it('never throws and returns whole non-negative seconds', ({ expect }) => {
    fc.assert(
      fc.property(
        fc.record({
          date: fieldValue,
          expires: fieldValue,
          'last-modified': fieldValue,
          age: fc.string(),
        }),
        fc.string(),
        fc.integer({ min: 100, max: 599 }),
        fc.integer({ min: -1e6, max: 1e6 }),
        (fields, cc, status, offset) => {
          const headers = new Headers()
          for (const [k, v] of Object.entries(fields)) {
            try {
              headers.set(k, v)
            } catch {
              // not a valid field value; skip
            }
          }
          const life = freshnessLifetime(status, headers, parseCacheControl(cc))
          const age = currentAge(headers, NOW, NOW + 10, NOW + offset)
          for (const n of [life, age]) expect(Number.isInteger(n) && n >= 0).toBe(true)
        }
      )
    )
  })

  it('ages one second per second of residence', ({ expect }) => {
    fc.assert(
      fc.property(fc.nat({ max: 1e6 }), fc.nat({ max: 1e6 }), (age, resident) => {
        const headers = new Headers({ date: at(0), age: String(age) })
        expect(currentAge(headers, NOW, NOW, NOW + resident * 1000)).toBe(age + resident)
      })
    )
  })
})
