/**
 * @module errors
 * The one place that maps errors escaping a route onto a response. Known HTTP errors keep their
 * status; everything else is logged and answered with a generic 500 that leaks nothing.
 */
import type { ErrorHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { errorResponse } from '../edge-cache/errors'
import type { AppEnv } from './app-env'

export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof HTTPException) {
    if (error.status >= 500) console.error(`${c.req.method} ${c.req.path}:`, error, error.cause)
    return errorResponse(
      error.status,
      error.status >= 500 ? 'internal' : 'invalid_path',
      error.message
    )
  }
  console.error(`${c.req.method} ${c.req.path}: unhandled`, error)
  return errorResponse(500, 'internal', 'internal error')
}
