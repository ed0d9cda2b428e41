/**
 * The circuit breaker's state machine, as tables of (state, event) → next state.
 * @see origin/circuit-breaker.ts
 */
import { describe, it } from 'vitest'
import {
  admit,
  type BreakerOutcome,
  type BreakerState,
  CircuitBreaker,
  retryAfterSeconds,
  settle,
} from '../../origin/circuit-breaker'

const OPTIONS = { failureThreshold: 3, coolDownMs: 1000 }

describe('admit', () => {
  it.for([
    {
      name: 'closed admits, not as a probe',
      state: { kind: 'closed', failures: 2 },
      now: 5,
      expected: { admitted: true, probe: false, state: { kind: 'closed', failures: 2 } },
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
  it.for([
    [
      'closed: a failure counts',
      { kind: 'closed', failures: 0 },
      false,
      'failure',
      { kind: 'closed', failures: 1 },
    ],
    [
      'closed: the Nth consecutive failure opens',
      { kind: 'closed', failures: 2 },
      false,
      'failure',
      { kind: 'open', openedAt: 50 },
    ],
    [
      'closed: a success resets the count',
      { kind: 'closed', failures: 2 },
      false,
      'success',
      { kind: 'closed', failures: 0 },
    ],
    [
      'closed: a neutral outcome changes nothing',
      { kind: 'closed', failures: 2 },
      false,
      'neutral',
      { kind: 'closed', failures: 2 },
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
      'half-open: the probe succeeding closes',
      { kind: 'half-open', probeSince: 40 },
      true,
      'success',
      { kind: 'closed', failures: 0 },
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

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, probes once after the cool-down, closes on success', ({
    expect,
  }) => {
    const breaker = new CircuitBreaker(OPTIONS)
    for (const now of [0, 1, 2]) {
      expect(breaker.admit(now).admitted).toBe(true)
      breaker.settle(false, 'failure', now)
    }
    expect(breaker.state).toEqual({ kind: 'open', openedAt: 2 })
    expect(breaker.admit(500)).toMatchObject({ admitted: false, retryAfterMs: 502 })

    const probe = breaker.admit(1002)
    expect(probe).toMatchObject({ admitted: true, probe: true })
    expect(breaker.admit(1003).admitted).toBe(false)
    breaker.settle(true, 'success', 1010)
    expect(breaker.state).toEqual({ kind: 'closed', failures: 0 })
    expect(breaker.admit(1011)).toMatchObject({ admitted: true, probe: false })
  })

  it('re-opens for a whole cool-down when the probe fails', ({ expect }) => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 100 })
    breaker.admit(0)
    breaker.settle(false, 'failure', 0)
    expect(breaker.admit(100)).toMatchObject({ admitted: true, probe: true })
    breaker.settle(true, 'failure', 120)
    expect(breaker.admit(150)).toMatchObject({ admitted: false, retryAfterMs: 70 })
    expect(breaker.admit(220)).toMatchObject({ admitted: true, probe: true })
  })

  it('needs the failures to be consecutive', ({ expect }) => {
    const breaker = new CircuitBreaker(OPTIONS)
    for (const outcome of ['failure', 'failure', 'success', 'failure', 'failure'] as const) {
      breaker.admit(0)
      breaker.settle(false, outcome, 0)
    }
    expect(breaker.state).toEqual({ kind: 'closed', failures: 2 })
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
