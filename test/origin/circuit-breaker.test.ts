/**
 * The circuit breaker's state machine, as tables of (state, event) → next state.
 * @see origin/circuit-breaker.ts
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  admit,
  type BreakerOutcome,
  type BreakerState,
  CircuitBreaker,
  CLOSED,
  record,
  retryAfterSeconds,
  settle,
  WINDOW_BUCKETS,
  type WindowBucket,
  windowTotals,
} from '../../origin/circuit-breaker'

/** 4 attempts in 1 s, half of them failing, open it; 10 buckets of 100 ms. */
const OPTIONS = { errorRatio: 0.5, minRequests: 4, windowMs: 1000, coolDownMs: 1000 }

describe('admit', () => {
  it.for([
    {
      name: 'closed admits, not as a probe',
      state: CLOSED,
      now: 5,
      expected: { admitted: true, probe: false, state: CLOSED },
    },
    {
      name: 'open refuses during the cool-down, saying how long is left',
      state: { kind: 'open', openedAt: 1000 },
      now: 1400,
      expected: { admitted: false, retryAfterMs: 600, state: { kind: 'open', openedAt: 1000 } },
    },
    {
      name: 'open refuses until the last millisecond of the cool-down',
      state: { kind: 'open', openedAt: 1000 },
      now: 1999,
      expected: { admitted: false, retryAfterMs: 1 },
    },
    {
      name: 'open turns half-open after the cool-down and admits one probe',
      state: { kind: 'open', openedAt: 1000 },
      now: 2000,
      expected: { admitted: true, probe: true, state: { kind: 'half-open', probeSince: 2000 } },
    },
    {
      name: 'half-open refuses while its probe is in flight',
      state: { kind: 'half-open', probeSince: 2000 },
      now: 2100,
      expected: { admitted: false, retryAfterMs: 900 },
    },
    {
      name: 'half-open without a probe in flight admits one',
      state: { kind: 'half-open', probeSince: undefined },
      now: 2100,
      expected: { admitted: true, probe: true, state: { kind: 'half-open', probeSince: 2100 } },
    },
    {
      name: 'half-open replaces a probe that never reported back after a cool-down',
      state: { kind: 'half-open', probeSince: 2000 },
      now: 3000,
      expected: { admitted: true, probe: true, state: { kind: 'half-open', probeSince: 3000 } },
    },
  ] as { name: string; state: BreakerState; now: number; expected: object }[])(
    '$name',
    ({ state, now, expected }, { expect }) => {
      expect(admit(state, now, OPTIONS)).toMatchObject(expected)
    }
  )
})

describe('settle', () => {
  const closed = (...window: [number, number, number][]): BreakerState => ({
    kind: 'closed',
    window: window.map(([slice, requests, failures]) => ({ slice, requests, failures })),
  })
  it.for([
    ['closed: a failure counts in its bucket', closed(), false, 'failure', closed([0, 1, 1])],
    ['closed: a success counts as volume', closed([0, 1, 1]), false, 'success', closed([0, 2, 1])],
    [
      'closed: a neutral outcome changes nothing',
      closed([0, 1, 1]),
      false,
      'neutral',
      closed([0, 1, 1]),
    ],
    [
      'closed: the ratio reached with the minimum volume opens',
      closed([0, 3, 1]),
      false,
      'failure',
      { kind: 'open', openedAt: 50 },
    ],
    [
      'closed: the ratio reached below the minimum volume does not open',
      closed([0, 2, 2]),
      false,
      'failure',
      closed([0, 3, 3]),
    ],
    [
      'closed: the minimum volume below the ratio does not open',
      closed([0, 3, 0]),
      false,
      'failure',
      closed([0, 4, 1]),
    ],
    [
      'closed: failures that slid out of the window no longer count',
      closed([-10, 3, 3]),
      false,
      'failure',
      closed([0, 1, 1]),
    ],
    [
      'open: a late failure does not extend the cool-down',
      { kind: 'open', openedAt: 10 },
      false,
      'failure',
      { kind: 'open', openedAt: 10 },
    ],
    [
      'open: a late success does not close',
      { kind: 'open', openedAt: 10 },
      false,
      'success',
      { kind: 'open', openedAt: 10 },
    ],
    [
      'half-open: the probe succeeding closes with an empty window',
      { kind: 'half-open', probeSince: 40 },
      true,
      'success',
      CLOSED,
    ],
    [
      'half-open: the probe failing re-opens',
      { kind: 'half-open', probeSince: 40 },
      true,
      'failure',
      { kind: 'open', openedAt: 50 },
    ],
    [
      'half-open: a neutral probe frees the probe slot',
      { kind: 'half-open', probeSince: 40 },
      true,
      'neutral',
      { kind: 'half-open', probeSince: undefined },
    ],
    [
      'half-open: a straggler that is not the probe decides nothing',
      { kind: 'half-open', probeSince: 40 },
      false,
      'success',
      { kind: 'half-open', probeSince: 40 },
    ],
    [
      'half-open: a failing straggler decides nothing',
      { kind: 'half-open', probeSince: 40 },
      false,
      'failure',
      { kind: 'half-open', probeSince: 40 },
    ],
  ] as [string, BreakerState, boolean, BreakerOutcome, BreakerState][])(
    '%s',
    ([, state, probe, outcome, next], { expect }) => {
      expect(settle(state, probe, outcome, 50, OPTIONS)).toEqual(next)
    }
  )
})

describe('record', () => {
  it('keeps at most one window of buckets, whatever the traffic', ({ expect }) => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.boolean()), { maxLength: 300 }),
        (steps) => {
          let window: WindowBucket[] = []
          let now = 0
          for (const [gap, failed] of steps) {
            now += gap
            window = record(window, failed, now, 1000)
            expect(window.length).toBeLessThanOrEqual(WINDOW_BUCKETS)
            expect(window.every((b) => b.slice > Math.floor(now / 100) - WINDOW_BUCKETS)).toBe(true)
          }
          const counted = steps.length
          const totals = windowTotals(window)
          expect(totals.failures).toBeLessThanOrEqual(totals.requests)
          expect(totals.requests).toBeLessThanOrEqual(counted)
        }
      )
    )
  })
})

describe('CircuitBreaker', () => {
  it('ignores a few failures among many successes: one bad path does not cut the origin off', ({
    expect,
  }) => {
    const breaker = new CircuitBreaker(OPTIONS)
    // 1 failure in 3 attempts, for 50 windows in a row
    for (let now = 0; now < 50_000; now += 10) {
      expect(breaker.admit(now).admitted).toBe(true)
      breaker.settle(false, (now / 10) % 3 === 1 ? 'failure' : 'success', now)
    }
    expect(breaker.state.kind).toBe('closed')
  })

  it('opens at the ratio with the volume, probes once after the cool-down, closes on success', ({
    expect,
  }) => {
    const breaker = new CircuitBreaker(OPTIONS)
    for (const [now, outcome] of [
      [0, 'success'],
      [1, 'failure'],
      [2, 'success'],
      [3, 'failure'],
    ] as const) {
      expect(breaker.admit(now).admitted).toBe(true)
      breaker.settle(false, outcome, now)
    }
    expect(breaker.state).toEqual({ kind: 'open', openedAt: 3 })
    expect(breaker.admit(500)).toMatchObject({ admitted: false, retryAfterMs: 503 })

    const probe = breaker.admit(1003)
    expect(probe).toMatchObject({ admitted: true, probe: true })
    // half-open probes a single request: the next one is refused while it is in flight
    expect(breaker.admit(1004).admitted).toBe(false)
    breaker.settle(true, 'success', 1010)
    expect(breaker.state).toEqual(CLOSED)
    expect(breaker.admit(1011)).toMatchObject({ admitted: true, probe: false })
  })

  it('re-opens for a whole cool-down when the probe fails', ({ expect }) => {
    const breaker = new CircuitBreaker({ ...OPTIONS, minRequests: 1, coolDownMs: 100 })
    breaker.admit(0)
    breaker.settle(false, 'failure', 0)
    expect(breaker.admit(100)).toMatchObject({ admitted: true, probe: true })
    breaker.settle(true, 'failure', 120)
    expect(breaker.admit(150)).toMatchObject({ admitted: false, retryAfterMs: 70 })
    expect(breaker.admit(220)).toMatchObject({ admitted: true, probe: true })
  })

  it('forgets failures older than the window', ({ expect }) => {
    const breaker = new CircuitBreaker(OPTIONS)
    for (const now of [0, 1, 2]) breaker.settle(false, 'failure', now)
    // 3 failures, then the window slides past them: one more failure is 1 of 1, below volume
    breaker.settle(false, 'failure', 1_100)
    const { state } = breaker
    expect(state.kind === 'closed' && windowTotals(state.window)).toEqual({
      requests: 1,
      failures: 1,
    })
  })
})

describe('retryAfterSeconds', () => {
  it.for([
    [0, 1],
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [29_500, 30],
  ] as const)('%d ms → Retry-After %d', ([ms, seconds], { expect }) => {
    expect(retryAfterSeconds(ms)).toBe(seconds)
  })
})
