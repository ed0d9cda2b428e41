/**
 * @module errors
 * The one place that maps errors escaping a route onto a response. Known HTTP errors keep their
 * status; malformed settings name every bad variable; everything else is logged and answered
 * with a generic 500 that leaks nothing.
 */
import { DrizzleQueryError } from 'drizzle-orm'
import type { ErrorHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { errorResponse } from '../edge-cache/errors'
import { logError, logJson } from '../edge-cache/tracing/log'
import { SettingsError } from '../schemas/settings'
import type { AppEnv } from './app-env'

export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof HTTPException) {
    if (error.status >= 500)
      logError(`${c.req.method} ${c.req.path}`, undefined, error.cause ?? error)
    return errorResponse(
      error.status,
      error.status >= 500 ? 'internal' : 'invalid_path',
      error.message
    )
  }
  if (error instanceof SettingsError) {
    // The deployment is misconfigured: say which variables, never their neighbours' values.
    logJson('error', { message: `${c.req.method} ${c.req.path}`, error: error.message })
    return Response.json(
      { error: 'invalid_settings', problems: error.problems },
      { status: 500, headers: { 'cache-control': 'no-store' } }
    )
  }
  logError(`${c.req.method} ${c.req.path}: unhandled`, undefined, error)
  return errorResponse(500, 'internal', 'internal error')
}

/**
 * Tells a failure of the config D1 (unreachable, overloaded, reset) from a bug: the D1 binding
 * prefixes every error it throws with `D1_` (`D1_ERROR: Network connection lost.`), and drizzle
 * wraps a failed query in a `DrizzleQueryError` whose `cause` is that error.
 * @param error anything a handler threw
 * @returns whether it, or an error in its `cause` chain, came from D1
 */
export function isConfigStoreFailure(error: unknown): boolean {
  let link: unknown = error
  for (let depth = 0; link instanceof Error && depth < 8; depth++) {
    if (link instanceof DrizzleQueryError || link.message.startsWith('D1_')) return true
    link = link.cause
  }
  return false
}

/**
 * Tells a write D1 refused for a constraint from a failing store: the request raced another
 * (a record written while its zone was deleted), and a retry would not help.
 * @param error anything a handler threw
 * @returns whether it, or an error in its `cause` chain, is SQLite's constraint failure
 */
export function isConstraintFailure(error: unknown): boolean {
  let link: unknown = error
  for (let depth = 0; link instanceof Error && depth < 8; depth++) {
    if (link.message.includes('SQLITE_CONSTRAINT')) return true
    link = link.cause
  }
  return false
}
