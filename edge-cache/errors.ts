/**
 * @module errors
 * The JSON error answers the platform itself produces (as opposed to an origin's).
 */
import {
  ArchivedObjectError,
  CircuitOpenError,
  InvalidObjectPathError,
  NoRegionalBucketError,
  NotGrantedError,
  OriginError,
} from '../origin/errors'
import { MIN_RESTORE_POLL_SECONDS, ObjectRestoringError } from './tier/archival'
import { logError } from './tracing/log'

export type EdgeErrorCode =
  | 'no_zone'
  | 'invalid_path'
  | 'origin_unreachable'
  | 'origin_timeout'
  | 'origin_failed'
  | 'origin_circuit_open'
  | 'object_restoring'
  | 'object_archived'
  | 'no_regional_bucket'
  | 'origin_not_granted'
  | 'not_cached'
  | 'resident_elsewhere'
  | 'config_unavailable'
  | 'loop_detected'
  | 'internal'

/** More of an error answer: response fields (e.g. `retry-after`) and fields of `error`. */
export interface ErrorExtras {
  headers?: Record<string, string>
  details?: Record<string, string | number>
}

/**
 * @returns a response with body `{ "error": { "code", "message", ...details } }`, never cached
 */
export function errorResponse(
  status: number,
  code: EdgeErrorCode,
  message: string,
  extras: ErrorExtras = {}
): Response {
  return Response.json(
    { error: { code, message, ...extras.details } },
    { status, headers: { ...extras.headers, 'cache-control': 'no-store' } }
  )
}

/**
 * Maps a failure fetching from an origin onto the answer the client gets: 504 for a timeout,
 * 503 with `Retry-After` while the origin's circuit breaker is open or the object is being
 * restored from archival storage, 500 for resident content whose region has no bucket, 400 for
 * a path that cannot name an object, 502 for everything else. (Stale content, where
 * `stale-if-error` allows, is served before any of these: tier/cache-tier.ts, edge.ts.)
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-retry-after
 */
export function originFailureResponse(error: unknown): Response {
  if (error instanceof InvalidObjectPathError) {
    return errorResponse(400, 'invalid_path', error.message)
  }
  if (error instanceof CircuitOpenError) {
    return retryLater('origin_circuit_open', error.message, error.retryAfterSeconds)
  }
  if (error instanceof ObjectRestoringError) {
    return retryLater('object_restoring', error.message, error.retryAfterSeconds, {
      storageClass: error.storageClass,
    })
  }
  if (error instanceof ArchivedObjectError) {
    // Met where no restore can be coordinated (the tier was unreachable): none was started.
    return retryLater(
      'object_archived',
      `the object is in archival storage (${error.storageClass}) and must be restored first`,
      MIN_RESTORE_POLL_SECONDS,
      { storageClass: error.storageClass }
    )
  }
  if (error instanceof NoRegionalBucketError) {
    return errorResponse(500, 'no_regional_bucket', error.message, {
      details: { region: error.region },
    })
  }
  if (error instanceof NotGrantedError) {
    // The binding's name stays in the log: the public answer does not describe the deployment.
    logError('origin config names what its zone was not granted', undefined, error)
    return errorResponse(502, 'origin_not_granted', 'the origin is not configured correctly')
  }
  if (error instanceof OriginError && error.kind === 'timeout') {
    return errorResponse(504, 'origin_timeout', error.message)
  }
  if (error instanceof OriginError && error.kind === 'network') {
    return errorResponse(502, 'origin_unreachable', error.message)
  }
  return errorResponse(502, 'origin_failed', 'the origin request failed')
}

function retryLater(
  code: EdgeErrorCode,
  message: string,
  retryAfterSeconds: number,
  details: Record<string, string | number> = {}
): Response {
  return errorResponse(503, code, message, {
    headers: { 'retry-after': String(retryAfterSeconds) },
    details: { ...details, retryAfterSeconds },
  })
}
