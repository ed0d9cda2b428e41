/**
 * @module origin/http
 * Origin adapter for any HTTP server. Requests keep their method, headers and body; redirects
 * are passed through, not followed. A timeout covers connect and first byte only: once headers
 * arrive the body streams for as long as it takes.
 */
import { SURROGATE_CAPABILITY } from '../edge-cache/policy/surrogate-control'
import { OriginError } from './errors'
import { partsFor, type SigningKey, signer } from './signing'
import type { Origin, OriginRequest } from './types'

export interface HttpOriginOptions {
  /** Base URL; the request path is appended to its path. */
  url: string
  /** Connect + first-byte timeout in milliseconds. */
  timeoutMs: number
  /**
   * `origin` (default): the origin sees its own host only. `forwarded`: it also gets the host
   * the client asked for in `X-Forwarded-Host`, set from the request URL (which is part of the
   * cache key), never copied from a client's header. Workers cannot set `Host` itself.
   */
  hostHeader?: 'origin' | 'forwarded'
  /** Injectable for tests and for service bindings (an mTLS certificate binding: origin/mtls). */
  fetch?: typeof fetch
  /** Authenticated origin pulls: the key that signs and the field it goes in (origin/signing). */
  signing?: { key: SigningKey; header: string }
  /** The clock for signature timestamps, in milliseconds. */
  now?: () => number
}

/**
 * @param options where the origin lives and how long to wait for it
 * @returns an `Origin` that forwards requests over HTTP
 * @throws TypeError if `url` is not an http(s) URL
 */
export function httpOrigin(options: HttpOriginOptions): Origin {
  const base = new URL(options.url)
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`expected an http(s) origin URL, got ${options.url}`)
  }
  const basePath = base.pathname.replace(/\/+$/, '')
  const doFetch = options.fetch ?? fetch
  const sign = options.signing && signer(options.signing.key)
  const now = options.now ?? Date.now

  return {
    async fetch(request: OriginRequest): Promise<Response> {
      const target = new URL(base)
      // Resolve dot segments within the request path alone, so none climbs above the base path.
      target.pathname = basePath + new URL(request.path, 'http://path.invalid').pathname
      target.search = request.search
      const headers = new Headers(request.headers)
      if (options.hostHeader === 'forwarded' && request.clientHost) {
        headers.set('x-forwarded-host', request.clientHost)
      }
      // Set, never appended: a client's copy of the field is replaced.
      if (sign && options.signing) {
        headers.set(options.signing.header, await sign(partsFor(target, request.method, now())))
      }
      // Edge Architecture §2.1: announce our device token, which the origin may target with
      // `Surrogate-Control: max-age=60;edge-cdn`; appended, as each surrogate on the way does.
      headers.append('surrogate-capability', SURROGATE_CAPABILITY)
      const controller = new AbortController()
      const timer = setTimeout(() => controller.abort('timeout'), options.timeoutMs)
      try {
        return await doFetch(target, {
          method: request.method,
          headers,
          body: request.body ?? null,
          redirect: 'manual',
          signal: controller.signal,
          // The representation as the origin sent it: workerd would otherwise decode a gzip or
          // br body yet keep its Content-Encoding and (encoded) Content-Length.
          encodeResponseBody: 'manual',
        })
      } catch (cause) {
        if (controller.signal.aborted) {
          throw new OriginError(
            'timeout',
            `origin sent no response within ${options.timeoutMs} ms`,
            {
              cause,
            }
          )
        }
        throw new OriginError('network', `origin ${base.host} unreachable`, { cause })
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
