/**
 * @module loop
 * Loop protection with `CDN-Loop` (RFC 8586): every request this CDN forwards carries its own
 * token appended to the field, and a request that arrives already carrying the token has been
 * through this deployment before (an origin pointing back at one of its zones), so it is
 * refused with 508 instead of being forwarded again, and again.
 *
 * The token is `edge-cdn-<id>`, where the id is per deployment (workers/cdn-loop-token.ts), so
 * two deployments of this software can sit in front of each other. A client can add the token
 * to its own requests, and then only those are refused: nothing about the refusal is cached or
 * shared, which is the RFC's own threat model (§3).
 * @see https://www.rfc-editor.org/rfc/rfc8586
 */
import { errorResponse } from './errors'

/** The field name, lower-case. */
export const CDN_LOOP_FIELD = 'cdn-loop'

/**
 * @param deploymentId what tells this deployment apart from any other (token characters only)
 * @returns the token this CDN puts in `CDN-Loop`
 * @throws TypeError when the id has characters a token cannot carry
 */
export function cdnLoopToken(deploymentId: string): string {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(deploymentId)) {
    throw new TypeError(`expected a deployment id of letters, digits and -, got ${deploymentId}`)
  }
  return `edge-cdn-${deploymentId}`
}

/**
 * RFC 8586 §2: `CDN-Loop = #cdn-info; cdn-info = cdn-id *( OWS ";" OWS parameter )`. Compared
 * case-insensitively, as a pseudonym is a token.
 * @param headers the request's headers
 * @param token this CDN's token
 * @returns whether any cdn-info of the field names this CDN
 */
export function hasLooped(headers: Headers, token: string): boolean {
  const value = headers.get(CDN_LOOP_FIELD)
  if (!value) return false
  const own = token.toLowerCase()
  return value.split(',').some((info) => info.split(';')[0]?.trim().toLowerCase() === own)
}

/**
 * RFC 8586 §2: a CDN "MUST add" its cdn-info, keeping what earlier hops wrote.
 * @param headers the headers going upstream (modified in place)
 * @param token this CDN's token
 */
export function appendCdnLoop(headers: Headers, token: string): void {
  headers.append(CDN_LOOP_FIELD, token)
}

/** The answer to a request that already passed through this CDN: 508, never cached. */
export function loopDetectedResponse(token: string): Response {
  return errorResponse(
    508,
    'loop_detected',
    `this request already passed through this CDN (CDN-Loop carries ${token}): an origin points back at the CDN`
  )
}
