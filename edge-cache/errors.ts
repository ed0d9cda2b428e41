/**
 * @module errors
 * The JSON error answers the platform itself produces (as opposed to an origin's).
 */
import { InvalidObjectPathError, OriginError } from '../origin/errors'

export type EdgeErrorCode =
  | 'no_zone'
  | 'invalid_path'
  | 'origin_unreachable'
  | 'origin_timeout'
  | 'origin_failed'
  | 'not_cached'
  | 'resident_elsewhere'
  | 'config_unavailable'
  | 'internal'

/**
 * @returns a response with body `{ "error": { "code", "message" } }`, never cached
 */
export function errorResponse(status: number, code: EdgeErrorCode, message: string): Response {
  return Response.json(
    { error: { code, message } },
    { status, headers: { 'cache-control': 'no-store' } }
  )
}

/**
 * Maps a failure fetching from an origin onto the answer the client gets: 504 for a timeout,
 * 502 for everything else, 400 for a path that cannot name an object.
 */
export function originFailureResponse(error: unknown): Response {
  if (error instanceof InvalidObjectPathError) {
    return errorResponse(400, 'invalid_path', error.message)
  }
  if (error instanceof OriginError && error.kind === 'timeout') {
    return errorResponse(504, 'origin_timeout', error.message)
  }
  if (error instanceof OriginError && error.kind === 'network') {
    return errorResponse(502, 'origin_unreachable', error.message)
  }
  return errorResponse(502, 'origin_failed', 'the origin request failed')
}
