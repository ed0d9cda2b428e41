/**
 * @module origin/mtls
 * Mutual TLS to an origin that requires a client certificate: Cloudflare's
 * `mtls_certificates` binding is a `Fetcher` whose `fetch` presents the uploaded certificate.
 * An HTTP origin naming such a binding (`mtlsCertificate`) sends every request through it.
 * Production only: workerd has no such binding locally, so locally an origin naming one fails
 * with a clear error.
 * @see https://developers.cloudflare.com/workers/runtime-apis/bindings/mtls/
 */
import type { OriginDependencies } from './select'

/**
 * Adds mTLS binding lookup to an origin's dependencies.
 * @param deps the dependencies built for the zone (origin/select.ts)
 * @param bindings the Worker's env
 * @returns `deps` with `mtls(name)`, which yields only bindings that fetch (a certificate or
 *   service binding), never a bucket, database, namespace or var
 */
export function withMtls(deps: OriginDependencies, bindings: object): OriginDependencies {
  return {
    ...deps,
    mtls(binding) {
      const candidate: unknown = Reflect.get(bindings, binding)
      if (!isFetcher(candidate)) {
        throw new TypeError(
          `expected binding ${binding} to be an mtls_certificates binding (production only)`
        )
      }
      return candidate
    },
  }
}

/**
 * @param binding the binding name from the origin config
 * @param deps the origin's dependencies
 * @returns a `fetch` that goes through the certificate binding
 * @throws TypeError when the binding cannot be resolved
 */
export function mtlsFetch(binding: string, deps: OriginDependencies): typeof fetch {
  if (!deps.mtls) {
    throw new TypeError(`expected an mtls_certificates binding ${binding}, but none is available`)
  }
  const fetcher = deps.mtls(binding)
  return (input, init) => fetcher.fetch(input, init)
}

function isFetcher(value: unknown): value is Fetcher {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'fetch') === 'function' &&
    // A Durable Object namespace has no fetch of its own, but be explicit about stubs' kin.
    typeof Reflect.get(value, 'idFromName') !== 'function'
  )
}
