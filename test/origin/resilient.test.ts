/**
 * Retries and the circuit breaker around a real adapter: `httpOrigin` against the test origin
 * server on loopback. Only the clock, the sleep and the jitter are injected.
 * @see origin/resilient.ts
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { CircuitBreaker } from '../../origin/circuit-breaker'
import { CircuitOpenError, InvalidObjectPathError, OriginError } from '../../origin/errors'
import { httpOrigin } from '../../origin/http'
import {
  backoffDelay,
  errorOutcome,
  isRetryable,
  type ResilienceOptions,
  resilientOrigin,
  responseOutcome,
} from '../../origin/resilient'
import type { OriginRequest } from '../../origin/types'
import { type OriginScript, startOrigin, type TestOrigin } from '../support/origin'
import { originControl } from '../support/origin-control'

let server: TestOrigin
let control: ReturnType<typeof originControl>

beforeAll(async () => {
  server = await startOrigin()
  control = originControl(server.url)
})
afterAll(() => server.close())

describe('backoffDelay', () => {
  it('stays within [0, min(max, base·2^retry)) for any jitter', ({ expect }) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseMs, maxMs, r) => {
          const delay = backoffDelay(retry, { baseMs, maxMs }, () => r)
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay).toBeLessThan(Math.max(1, Math.min(maxMs, baseMs * 2 ** retry)))
        }
      )
    )
  })

  it.for([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [2, 0.5, 125],
    [3, 0.8, 200],
    [10, 0.999, 249],
    [2, 0, 0],
  ] as const)(
    'retry %d with jitter %d waits %d ms (base 100, cap 250)',
    ([retry, r, ms], { expect }) => {
      expect(backoffDelay(retry, { baseMs: 100, maxMs: 250 }, () => r)).toBe(ms)
    }
  )
})

describe('isRetryable', () => {
  const network = new OriginError('network', 'refused')
  const timeout = new OriginError('timeout', 'silent')
  it.for([
    ['GET', network, true],
    ['HEAD', timeout, true],
    ['POST', network, false],
    ['PUT', timeout, false],
    ['DELETE', network, false],
    ['GET', new OriginError('upstream', 'S3 said no', { status: 500 }), false],
    ['GET', new CircuitOpenError('open', 3), false],
    ['GET', new InvalidObjectPathError('..'), false],
    ['GET', new TypeError('bug'), false],
  ] as const)('%s after %s → %s', ([method, error, expected], { expect }) => {
    expect(isRetryable(method, error)).toBe(expected)
  })
})

describe('errorOutcome (what counts against the breaker)', () => {
  it.for([
    [new OriginError('network', 'x'), 'failure'],
    [new OriginError('timeout', 'x'), 'failure'],
    [new OriginError('upstream', 'x', { status: 503 }), 'failure'],
    [new OriginError('upstream', 'x'), 'failure'],
    [new OriginError('upstream', 'x', { status: 403 }), 'success'],
    [new CircuitOpenError('x', 1), 'neutral'],
    [new InvalidObjectPathError('x'), 'neutral'],
  ] as const)('%s → %s', ([error, outcome], { expect }) => {
    expect(errorOutcome(error)).toBe(outcome)
  })
})

/** A resilient HTTP origin whose sleeps are recorded and skipped. */
function wrapped(options: Partial<ResilienceOptions> & { timeoutMs?: number } = {}) {
  const sleeps: number[] = []
  const origin = resilientOrigin(
    httpOrigin({ url: server.url, timeoutMs: options.timeoutMs ?? 2000 }),
    {
      retries: 2,
      backoff: { baseMs: 100, maxMs: 1000 },
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms)
      },
      ...options,
    }
  )
  return { origin, sleeps }
}

let n = 0
/** A fresh path scripted with `steps`, one per request. */
async function scripted(...steps: OriginScript[]): Promise<string> {
  const path = `/resilient-${n++}`
  await control.script(path, { sequence: steps })
  return path
}

function request(path: string, method = 'GET'): OriginRequest {
  return { method, path, search: '', headers: new Headers() }
}

describe('resilientOrigin: retries', () => {
  it('retries a GET whose connection died before any response, then answers', async ({
    expect,
  }) => {
    const path = await scripted({ destroy: true }, { destroy: true }, { body: 'third time' })
    const { origin, sleeps } = wrapped()
    const res = await origin.fetch(request(path))
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('third time')
    expect(await control.hits(path)).toHaveLength(3)
    // full jitter at 0.5: half of 100·2^0, then half of 100·2^1
    expect(sleeps).toEqual([50, 100])
  })

  it('retries a HEAD that timed out before the first byte', async ({ expect }) => {
    const path = await scripted({ hang: true }, {})
    const { origin } = wrapped({ timeoutMs: 200 })
    const res = await origin.fetch(request(path, 'HEAD'))
    expect(res.status).toBe(200)
    expect(await control.hits(path)).toHaveLength(2)
  })

  it('gives up after `retries` retries and throws the last failure', async ({ expect }) => {
    const path = await scripted({ destroy: true })
    const { origin, sleeps } = wrapped({ retries: 1 })
    const error = await origin.fetch(request(path)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OriginError)
    expect(error).toMatchObject({ kind: 'network' })
    expect(await control.hits(path)).toHaveLength(2)
    expect(sleeps).toHaveLength(1)
  })

  it.for(['POST', 'PUT', 'DELETE', 'PATCH'])('never retries a %s', async (method, { expect }) => {
    const path = await scripted({ destroy: true }, {})
    const { origin } = wrapped()
    const error = await origin.fetch(request(path, method)).catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'network' })
    expect(await control.hits(path)).toHaveLength(1)
  })

  it('never retries a returned response, not even a 5xx', async ({ expect }) => {
    const path = await scripted({ status: 503 }, { status: 200 })
    const { origin, sleeps } = wrapped()
    const res = await origin.fetch(request(path))
    expect(res.status).toBe(503)
    await res.arrayBuffer()
    expect(await control.hits(path)).toHaveLength(1)
    expect(sleeps).toEqual([])
  })

  it('never retries once bytes were sent: a body that dies midway is the caller’s', async ({
    expect,
  }) => {
    const path = await scripted({ bytes: 1000, dieAfterBytes: 10 }, {})
    const { origin } = wrapped()
    const res = await origin.fetch(request(path))
    expect(res.status).toBe(200)
    await expect(res.arrayBuffer()).rejects.toThrow()
    expect(await control.hits(path)).toHaveLength(1)
  })
})

describe('resilientOrigin: circuit breaker', () => {
  /** Opens at half failures once 2 attempts are in a 60 s window. */
  const breakerOptions = { errorRatio: 0.5, minRequests: 2, windowMs: 60_000, coolDownMs: 5000 }

  it('opens on origin-level 502/503, refuses without touching the origin, probes, closes', async ({
    expect,
  }) => {
    let clock = 0
    const breaker = new CircuitBreaker(breakerOptions)
    const path = await scripted({ status: 503 }, { status: 502 }, { status: 200 })
    const { origin } = wrapped({ breaker, now: () => clock })

    for (const status of [503, 502]) {
      const res = await origin.fetch(request(path))
      expect(res.status).toBe(status)
      await res.arrayBuffer()
    }
    clock = 1200
    const refused = await origin.fetch(request(path)).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(CircuitOpenError)
    expect(refused).toMatchObject({ kind: 'circuit-open', retryAfterSeconds: 4 })
    expect(await control.hits(path)).toHaveLength(2)

    clock = 5000
    const probe = await origin.fetch(request(path))
    expect(probe.status).toBe(200)
    await probe.arrayBuffer()
    expect(breaker.state).toEqual({ kind: 'closed', window: [] })
    expect(await control.hits(path)).toHaveLength(3)
  })

  it('passes an application 500 through and never counts it: the origin is up', async ({
    expect,
  }) => {
    const breaker = new CircuitBreaker(breakerOptions)
    const path = await scripted({ status: 500 })
    const { origin } = wrapped({ breaker, now: () => 0 })
    for (let i = 0; i < 20; i++) {
      const res = await origin.fetch(request(path))
      expect(res.status).toBe(500)
      await res.arrayBuffer()
    }
    expect(breaker.state).toMatchObject({ kind: 'closed', window: [{ requests: 20, failures: 0 }] })
    expect(await control.hits(path)).toHaveLength(20)
  })

  it('counts a 500 when the origin opts in with failureStatuses', async ({ expect }) => {
    const breaker = new CircuitBreaker(breakerOptions)
    const path = await scripted({ status: 500 })
    const { origin } = wrapped({ breaker, now: () => 0, failureStatuses: new Set([500]) })
    for (let i = 0; i < 2; i++) await (await origin.fetch(request(path))).arrayBuffer()
    expect(breaker.state.kind).toBe('open')
  })

  it('counts a request once however many attempts it took; later requests meet the open breaker', async ({
    expect,
  }) => {
    const breaker = new CircuitBreaker(breakerOptions)
    const path = await scripted({ destroy: true })
    const { origin } = wrapped({ breaker, retries: 2, now: () => 0 })
    const first = await origin.fetch(request(path)).catch((e: unknown) => e)
    expect(first).toHaveProperty('kind', 'network')
    expect(breaker.state).toMatchObject({ kind: 'closed', window: [{ requests: 1, failures: 1 }] })
    expect(await control.hits(path)).toHaveLength(3)
    await origin.fetch(request(path)).catch((e: unknown) => e)
    expect(breaker.state).toMatchObject({ kind: 'open' })
    const refused = await origin.fetch(request(path)).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(CircuitOpenError)
    expect(await control.hits(path)).toHaveLength(6)
  })

  it('counts a 4xx as the origin answering: it keeps the ratio down', async ({ expect }) => {
    const breaker = new CircuitBreaker({ ...breakerOptions, errorRatio: 0.75 })
    const path = await scripted({ status: 503 }, { status: 404 }, { status: 404 }, { status: 503 })
    const { origin } = wrapped({ breaker, now: () => 0 })
    for (let i = 0; i < 4; i++) await (await origin.fetch(request(path))).arrayBuffer()
    expect(breaker.state).toMatchObject({ kind: 'closed', window: [{ requests: 4, failures: 2 }] })
  })
})

describe('responseOutcome', () => {
  it.for([
    [500, 'success'],
    [404, 'success'],
    [200, 'success'],
    [502, 'failure'],
    [503, 'failure'],
    [504, 'failure'],
  ] as const)('%d → %s by default', ([status, outcome], { expect }) => {
    expect(responseOutcome(new Response(null, { status }))).toBe(outcome)
  })
})
