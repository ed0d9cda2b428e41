import fc from 'fast-check'
import { describe, it } from 'vitest'
import { formatHttpDate } from '../../../edge-cache/policy/http-date'
import {
  canServeStaleOnError,
  decideServe,
  isOnlyIfCached,
  type ServeDecision,
  STALE_IF_ERROR_STATUSES,
  type StoredEntry,
} from '../../../edge-cache/policy/serve'

const T0 = Date.UTC(2024, 0, 1)
const seconds = (s: number) => T0 + s * 1000

/** An entry received at T0 with the given response fields (Date = T0). */
function entry(fields: Record<string, string>, status = 200): StoredEntry {
  return {
    status,
    headers: new Headers({ date: formatHttpDate(T0), ...fields }),
    requestTime: T0,
    responseTime: T0,
  }
}
const req = (fields: Record<string, string> = {}) => new Headers(fields)

describe('decideServe', () => {
  // "response_is_fresh = (freshness_lifetime > current_age)" (§4.2)
  it.for([
    [{ 'cache-control': 'max-age=100' }, {}, 40, { action: 'fresh', age: 40, ttl: 60 }],
    [{ 'cache-control': 'max-age=100' }, {}, 99, { action: 'fresh', age: 99, ttl: 1 }],
    [
      { 'cache-control': 'max-age=100' },
      {},
      100,
      { action: 'revalidate', age: 100, ttl: 0, reason: 'stale' },
    ],
    [{ 'cache-control': 'max-age=100', age: '30' }, {}, 40, { action: 'fresh', age: 70, ttl: 30 }],
    [
      { 'cache-control': 's-maxage=10, max-age=100' },
      {},
      40,
      { action: 'revalidate', age: 40, ttl: -30, reason: 'stale' },
    ],
    [
      { 'cdn-cache-control': 'max-age=100', 'cache-control': 'max-age=1' },
      {},
      40,
      { action: 'fresh', age: 40, ttl: 60 },
    ],
    [
      { 'last-modified': formatHttpDate(seconds(-1000)) },
      {},
      50,
      { action: 'fresh', age: 50, ttl: 50 },
    ],
  ] as [Record<string, string>, Record<string, string>, number, ServeDecision][])(
    'decides %j with request %j at %is',
    ([fields, request, now, expected], { expect }) => {
      expect(decideServe(entry(fields), req(request), seconds(now))).toEqual(expected)
    }
  )

  // "the response MUST NOT be used to satisfy any other request without forwarding it for
  // validation and receiving a successful response" (no-cache, §5.2.2.4)
  it('always revalidates an unqualified response no-cache, even when fresh', ({ expect }) => {
    expect(
      decideServe(entry({ 'cache-control': 'no-cache, max-age=100' }), req(), seconds(1))
    ).toEqual({
      action: 'revalidate',
      age: 1,
      ttl: 99,
      reason: 'no-cache',
    })
  })

  it('serves a fresh response whose no-cache names fields (they were not stored)', ({ expect }) => {
    const decision = decideServe(
      entry({ 'cache-control': 'no-cache="set-cookie", max-age=100' }),
      req(),
      seconds(1)
    )
    expect(decision.action).toBe('fresh')
  })

  // request directives (§5.2.1)
  it.for([
    // "The no-cache request directive indicates that the client prefers a stored response not be
    // used to satisfy the request without successful validation on the origin server."
    [{ 'cache-control': 'no-cache' }, 'revalidate'],
    // "When the Cache-Control header field is not present in a request, caches MUST consider the
    // no-cache request pragma directive as having the same effect" (§5.4)
    [{ pragma: 'no-cache' }, 'revalidate'],
    [{ pragma: 'no-cache', 'cache-control': 'max-age=3600' }, 'fresh'],
    // max-age: "the client prefers a response whose age is less than or equal to the specified
    // number of seconds"
    [{ 'cache-control': 'max-age=30' }, 'revalidate'],
    [{ 'cache-control': 'max-age=40' }, 'fresh'],
    [{ 'cache-control': 'max-age=0' }, 'revalidate'],
    // min-fresh: "freshness lifetime is no less than its current age plus the specified time"
    [{ 'cache-control': 'min-fresh=60' }, 'fresh'],
    [{ 'cache-control': 'min-fresh=61' }, 'revalidate'],
  ] as [Record<string, string>, string][])(
    'answers request %j on an entry aged 40 of 100 with %s',
    ([request, action], { expect }) => {
      const decision = decideServe(
        entry({ 'cache-control': 'max-age=100' }),
        req(request),
        seconds(40)
      )
      expect(decision.action).toBe(action)
      if (decision.action === 'revalidate') expect(decision.reason).toBe('request')
    }
  )

  it('names the response no-cache before a request no-cache', ({ expect }) => {
    const decision = decideServe(
      entry({ 'cache-control': 'no-cache' }),
      req({ 'cache-control': 'no-cache' }),
      T0
    )
    expect(decision).toMatchObject({ action: 'revalidate', reason: 'no-cache' })
  })

  // stale responses (§4.2.4): "A cache MUST NOT send stale responses unless it is disconnected or
  // doing so is explicitly permitted by the client or origin server (e.g., by the max-stale
  // request directive ..., extension directives such as those defined in [RFC5861] ...)" and
  // "A cache MUST NOT generate a stale response if it is prohibited by an explicit in-protocol
  // directive (e.g., by a no-cache response directive, a must-revalidate response directive, or
  // an applicable s-maxage or proxy-revalidate response directive)"
  it.for([
    ['max-age=100', {}, 'revalidate'],
    ['max-age=100', { 'cache-control': 'max-stale' }, 'fresh'],
    ['max-age=100', { 'cache-control': 'max-stale=20' }, 'fresh'],
    ['max-age=100', { 'cache-control': 'max-stale=19' }, 'revalidate'],
    ['max-age=100, stale-while-revalidate=20', {}, 'stale-while-revalidate'],
    ['max-age=100, stale-while-revalidate=19', {}, 'revalidate'],
    ['max-age=100, stale-while-revalidate=60, must-revalidate', {}, 'revalidate'],
    ['max-age=100, stale-while-revalidate=60, proxy-revalidate', {}, 'revalidate'],
    ['s-maxage=100, stale-while-revalidate=60', {}, 'revalidate'],
    ['max-age=100, must-revalidate', { 'cache-control': 'max-stale' }, 'revalidate'],
    ['s-maxage=100', { 'cache-control': 'max-stale=3600' }, 'revalidate'],
    ['max-age=100, stale-while-revalidate=60', { 'cache-control': 'max-age=60' }, 'revalidate'],
  ] as [string, Record<string, string>, string][])(
    'serves %j stale by 20s to request %j as %s',
    ([cc, request, action], { expect }) => {
      const decision = decideServe(entry({ 'cache-control': cc }), req(request), seconds(120))
      expect(decision).toMatchObject({ action, age: 120, ttl: -20 })
    }
  )

  it('takes stale-while-revalidate from the targeted field', ({ expect }) => {
    const e = entry({
      'cache-control': 'max-age=100',
      'cdn-cache-control': 'max-age=100, stale-while-revalidate=60',
    })
    expect(decideServe(e, req(), seconds(120)).action).toBe('stale-while-revalidate')
    expect(decideServe(e, req(), seconds(120), []).action).toBe('revalidate')
  })

  it('is stale without any freshness information', ({ expect }) => {
    expect(decideServe(entry({ etag: '"a"' }), req(), T0)).toEqual({
      action: 'revalidate',
      age: 0,
      ttl: 0,
      reason: 'stale',
    })
  })
})

describe('canServeStaleOnError', () => {
  // RFC 5861 §4: "when an error is encountered, a cached stale response MAY be used to satisfy
  // the request, regardless of other freshness information"
  it.for([
    ['max-age=100', {}, 50, true],
    ['max-age=100', {}, 120, false],
    ['max-age=100, stale-if-error=60', {}, 160, true],
    ['max-age=100, stale-if-error=60', {}, 161, false],
    ['max-age=100', { 'cache-control': 'stale-if-error=30' }, 130, true],
    ['max-age=100', { 'cache-control': 'stale-if-error=30' }, 131, false],
    ['max-age=100', { 'cache-control': 'max-stale' }, 100_000, true],
    ['max-age=100', { 'cache-control': 'max-stale=5' }, 105, true],
    // RFC 9111 §4.2.4 prohibitions win over stale-if-error
    ['max-age=100, stale-if-error=60, must-revalidate', {}, 120, false],
    ['max-age=100, stale-if-error=60, proxy-revalidate', {}, 120, false],
    ['s-maxage=100, stale-if-error=60', {}, 120, false],
    ['max-age=100, stale-if-error=60, no-cache', {}, 50, false],
  ] as [string, Record<string, string>, number, boolean][])(
    'with %j and request %j at %is says %s',
    ([cc, request, now, expected], { expect }) => {
      expect(canServeStaleOnError(entry({ 'cache-control': cc }), req(request), seconds(now))).toBe(
        expected
      )
    }
  )

  it('lists the RFC 5861 error statuses', ({ expect }) => {
    expect([...STALE_IF_ERROR_STATUSES]).toEqual([500, 502, 503, 504])
  })
})

describe('isOnlyIfCached', () => {
  // "Caches that honor this request directive SHOULD, upon receiving it, respond with either a
  // stored response consistent with the other constraints of the request or a 504"
  it.for([
    [{ 'cache-control': 'only-if-cached' }, true],
    [{ 'cache-control': 'max-age=0, ONLY-IF-CACHED' }, true],
    [{ pragma: 'only-if-cached' }, false],
    [{}, false],
  ] as [Record<string, string>, boolean][])('reads %j as %s', ([request, expected], { expect }) => {
    expect(isOnlyIfCached(req(request))).toBe(expected)
  })
})

describe('properties', () => {
  it('never throws and reports ttl as lifetime minus age', ({ expect }) => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: -1e6, max: 1e9 }),
        (cc, rcc, offset) => {
          let e: StoredEntry
          let r: Headers
          try {
            e = entry({ 'cache-control': cc })
            r = req({ 'cache-control': rcc })
          } catch {
            return
          }
          const decision = decideServe(e, r, T0 + offset)
          expect(Number.isInteger(decision.age) && Number.isInteger(decision.ttl)).toBe(true)
          if (decision.action === 'fresh' && decision.ttl <= 0) {
            expect(r.get('cache-control')?.toLowerCase()).toContain('max-stale')
          }
          // Staleness is excused on error only by a window the response or request grants.
          if (decision.ttl <= 0 && canServeStaleOnError(e, r, T0 + offset)) {
            expect(`${cc},${rcc}`.toLowerCase()).toMatch(/stale-if-error|max-stale/)
          }
        }
      )
    )
  })
})
