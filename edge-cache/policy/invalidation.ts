/**
 * @module invalidation
 * Invalidation after unsafe requests (RFC 9111 §4.4): which stored URIs a non-error
 * response to an unsafe method invalidates.
 */

import { getField } from './fields'

/**
 * Safe methods (RFC 9110 §9.2.1). Method tokens are case-sensitive, and anything not listed
 * is treated as unsafe: "(including methods whose safety is unknown)".
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2.1
 */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

function resolve(reference: string | null, base: URL): URL | undefined {
  if (reference === null) return undefined
  try {
    return new URL(reference.trim(), base)
  } catch {
    return undefined
  }
}

/**
 * URIs to invalidate, fragment removed, deduplicated, target URI first.
 * "A cache MUST invalidate the target URI ... when it receives a non-error status code in
 * response to an unsafe request method (including methods whose safety is unknown)";
 * Location and Content-Location (resolved against the target URI) are invalidated too, but
 * "a cache MUST NOT trigger an invalidation under these conditions if the origin ... of the
 * URI to be invalidated differs from that of the target URI". "A 'non-error response' is
 * one with a 2xx (Successful) or 3xx (Redirection) status code." An unparsable request URL
 * yields [].
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-4.4
 */
export function invalidationTargets(
  method: string,
  requestUrl: string,
  status: number,
  responseHeaders: Headers
): string[] {
  if (SAFE_METHODS.has(method) || !(status >= 200 && status <= 399)) return []
  let target: URL
  try {
    target = new URL(requestUrl)
  } catch {
    return []
  }
  target.hash = ''
  const out = [target.href]
  for (const name of ['location', 'content-location']) {
    const url = resolve(getField(responseHeaders, name), target)
    if (!url || url.origin !== target.origin || url.origin === 'null') continue
    url.hash = ''
    if (!out.includes(url.href)) out.push(url.href)
  }
  return out
}
