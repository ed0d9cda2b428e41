/**
 * @module origin/mtls
 * Mutual TLS to an origin that requires a client certificate: Cloudflare's
 * `mtls_certificates` binding is a `Fetcher` whose `fetch` presents the uploaded certificate.
 * An HTTP origin naming such a binding (`mtlsCertificate`, granted to its zone like a secret:
 * origin/dependencies.ts) sends every request through it.
 * Production only: workerd has no such binding locally, so locally an origin naming one fails
 * with a clear error.
 * @see https://developers.cloudflare.com/workers/runtime-apis/bindings/mtls/
 */
import type { OriginDependencies } from './dependencies'

/**
 * @param binding the binding name from the origin config
 * @param deps the origin's dependencies
 * @returns a `fetch` that goes through the certificate binding
 * @throws TypeError when the binding cannot be resolved
 */
export function mtlsFetch(binding: string, deps: OriginDependencies): typeof fetch {
  const fetcher = deps.mtls(binding)
  return (input, init) => fetcher.fetch(input, init)
}

/** @returns whether a binding fetches (a certificate or service binding), not a store */
export function isFetcher(value: unknown): value is Fetcher {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'fetch') === 'function' &&
    // A Durable Object namespace has no fetch of its own, but be explicit about stubs' kin.
    typeof Reflect.get(value, 'idFromName') !== 'function'
  )
}
