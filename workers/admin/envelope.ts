/**
 * @module admin/envelope
 * Admin API answers in Cloudflare's envelope: `{ success, errors, messages, result }`. Never
 * cached by anything on the way.
 */
import type { ApiEnvelope, ApiError } from '../../schemas/api/admin'

const NO_STORE = { 'cache-control': 'no-store' }

/**
 * @param result what the call produced
 * @param status 200, or 201 when it created something
 */
export function success<T>(result: T, status: 200 | 201 = 200): Response {
  const body: ApiEnvelope<T> = { success: true, errors: [], messages: [], result }
  return Response.json(body, { status, headers: NO_STORE })
}

/**
 * @param status the HTTP status
 * @param errors what went wrong: one code and message per problem
 * @param headers extra headers (`WWW-Authenticate`, `Retry-After`)
 */
export function failure(
  status: number,
  errors: ApiError | ApiError[],
  headers: Record<string, string> = {}
): Response {
  const body: ApiEnvelope<never> = {
    success: false,
    errors: Array.isArray(errors) ? errors : [errors],
    messages: [],
    result: null,
  }
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } })
}
