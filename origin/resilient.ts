/**
 * @module origin/resilient
 * Wraps any `Origin` with retries and a circuit breaker. A retry happens only when it cannot
 * repeat what a client already saw or change anything: the request is idempotent (GET, HEAD)
 * and the attempt failed before any response arrived (`OriginError` 'network' or 'timeout'
 * thrown by `fetch`). A returned `Response`, even a 5xx, is never retried: its bytes may be on
 * their way to a client. Waits between attempts are exponential with full jitter. Every attempt
 * passes the breaker, and each request counts once: network and timeout errors (of the last
 * attempt: a failure that is retried proves nothing yet, so one unanswered request does not
 * count as three), answers with one of the origin's `failureStatuses` (by default only the
 * origin-level 502, 503, 504) and storage errors with a 5xx (or no) status count as failures;
 * any other answer, an application's 500 or 404 included, is a success (the origin is up and
 * answering). While the breaker is open `fetch` throws `CircuitOpenError` without touching the
 * origin.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * @see origin/circuit-breaker.ts
 */
import { type BreakerOutcome, type CircuitBreaker, retryAfterSeconds } from './circuit-breaker'
import { CircuitOpenError, OriginError } from './errors'
import type { Origin, OriginRequest } from './types'

export interface BackoffOptions {
  /** The first wait's upper bound, in milliseconds; it doubles per retry. */
  baseMs: number
  /** No wait is longer than this, in milliseconds. */
  maxMs: number
}

export interface ResilienceOptions {
  /** Retries after the first attempt (0: none). */
  retries: number
  backoff: BackoffOptions
  /** The origin's breaker; shared by every wrapper of the same origin. */
  breaker?: CircuitBreaker
  /** Names the origin in error messages (never a credential). */
  name?: string
  /** Answer statuses that count as failures (default `DEFAULT_FAILURE_STATUSES`). */
  failureStatuses?: ReadonlySet<number>
  /** Injectable for tests: uniform in [0, 1). */
  random?: () => number
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>
  /** Injectable for tests: the current time in ms. */
  now?: () => number
}

/** Origin-level failures: a gateway or the server itself says it cannot answer now. */
export const DEFAULT_FAILURE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504])

/**
 * Defaults for origins that configure nothing: at least 10 attempts in 30 s, half of them
 * failing, open the breaker for 10 s (nginx's `fail_timeout`), then one probe.
 */
export const DEFAULT_RESILIENCE = {
  retries: 2,
  backoff: { baseMs: 100, maxMs: 2_000 },
  errorRatio: 0.5,
  minRequests: 10,
  windowMs: 30_000,
  coolDownMs: 10_000,
} as const

/**
 * Full jitter: uniform in [0, min(maxMs, baseMs · 2^retry)).
 * @param retry 0 for the wait before the first retry
 * @param backoff base and cap
 * @param random uniform in [0, 1)
 * @returns milliseconds to wait
 */
export function backoffDelay(retry: number, backoff: BackoffOptions, random: () => number) {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** retry)
  return Math.floor(random() * ceiling)
}

/**
 * May a failed attempt be repeated? Only for idempotent methods, and only when nothing came
 * back: a thrown 'network' or 'timeout' `OriginError`.
 */
export function isRetryable(method: string, error: unknown): boolean {
  const idempotent = method === 'GET' || method === 'HEAD'
  return (
    idempotent &&
    error instanceof OriginError &&
    (error.kind === 'network' || error.kind === 'timeout')
  )
}

/**
 * What an attempt that returned `response` proves about the origin.
 * @param failureStatuses the statuses that say the origin is failing
 */
export function responseOutcome(
  response: Response,
  failureStatuses: ReadonlySet<number> = DEFAULT_FAILURE_STATUSES
): BreakerOutcome {
  return failureStatuses.has(response.status) ? 'failure' : 'success'
}

/** What an attempt that threw `error` proves about the origin. */
export function errorOutcome(error: unknown): BreakerOutcome {
  if (!(error instanceof OriginError)) return 'neutral'
  switch (error.kind) {
    case 'network':
    case 'timeout':
      return 'failure'
    case 'upstream':
      return error.status === undefined || error.status >= 500 ? 'failure' : 'success'
    case 'circuit-open':
      return 'neutral'
  }
}

/**
 * @param origin the adapter to protect
 * @param options retries, backoff, the breaker and injectable clock/sleep/random
 * @returns an `Origin` with the same behaviour plus retries and the breaker
 */
export function resilientOrigin(origin: Origin, options: ResilienceOptions): Origin {
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const now = options.now ?? Date.now
  const { breaker } = options
  const name = options.name ?? 'origin'
  const failureStatuses = options.failureStatuses ?? DEFAULT_FAILURE_STATUSES

  /** @param last whether a failure of this attempt ends the request (no retry follows) */
  async function attempt(request: OriginRequest, lastError: unknown, last: boolean) {
    const admission = breaker?.admit(now())
    if (admission && !admission.admitted) {
      throw new CircuitOpenError(
        `${name} is failing: its circuit breaker is open`,
        retryAfterSeconds(admission.retryAfterMs),
        { cause: lastError }
      )
    }
    const probe = admission?.probe ?? false
    try {
      const response = await origin.fetch(request)
      breaker?.settle(probe, responseOutcome(response, failureStatuses), now())
      return response
    } catch (error) {
      const retried = !last && isRetryable(request.method, error)
      breaker?.settle(probe, retried ? 'neutral' : errorOutcome(error), now())
      throw error
    }
  }

  const resilient: Origin = {
    async fetch(request) {
      let lastError: unknown
      for (let retry = 0; ; retry++) {
        try {
          return await attempt(request, lastError, retry >= options.retries)
        } catch (error) {
          if (retry >= options.retries || !isRetryable(request.method, error)) throw error
          lastError = error
          await sleep(backoffDelay(retry, options.backoff, random))
        }
      }
    },
  }
  const { restore } = origin
  // A restore is a request about an object the origin just answered for: no retry, no breaker.
  if (restore)
    resilient.restore = (request, restoreOptions) => restore.call(origin, request, restoreOptions)
  return resilient
}
