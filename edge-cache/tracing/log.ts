/**
 * @module tracing/log
 * Structured JSON log lines carrying the trace id of the request they belong to. The trace is
 * kept in an AsyncLocalStorage (`nodejs_als` compatibility flag) for the request's duration, so
 * code deep in the request path logs it without a parameter threaded through every call.
 */
// The Worker's tsconfig has no @types/node (they clash with workers-types) while the tests' has:
// an expect-error directive would fail there. The nodejs_als flag provides the module at runtime, and
// `Store` below types what is used of it.
// biome-ignore lint/suspicious/noTsIgnore: untyped in one tsconfig, typed in the other
// @ts-ignore
import { AsyncLocalStorage } from 'node:async_hooks'
import type { TraceContext } from './trace-context'

interface Store<T> {
  run<R>(store: T, fn: () => R): R
  getStore(): T | undefined
}

const current: Store<TraceContext> = new AsyncLocalStorage()

/** Runs `fn` with `trace` as the current trace. */
export function withTrace<T>(trace: TraceContext, fn: () => T): T {
  return current.run(trace, fn)
}

/** @returns the current request's trace, if any */
export function currentTrace(): TraceContext | undefined {
  return current.getStore()
}

/**
 * Writes one JSON line with the current trace and span ids.
 * @param level the console method
 * @param fields what to log (never a secret)
 */
export function logJson(
  level: 'log' | 'warn' | 'error',
  fields: Record<string, unknown>,
  trace: TraceContext | undefined = current.getStore()
): void {
  const line = trace ? { ...fields, trace_id: trace.traceId, span_id: trace.spanId } : fields
  console[level](JSON.stringify(line))
}

/**
 * One error line: what failed, about what, and why, with the current trace.
 * @param message what failed, e.g. `edge: origin fetch failed`
 * @param subject what it was about (a cache key, a zone, a body id), never a secret
 * @param error the cause
 * @param trace the request's trace where no AsyncLocalStorage carries it (the tier shard)
 */
export function logError(
  message: string,
  subject: unknown,
  error: unknown,
  trace: TraceContext | undefined = current.getStore()
): void {
  logJson('error', { message, subject, error: describeError(error) }, trace)
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}
