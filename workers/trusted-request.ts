/**
 * @module trusted-request
 * What the edge Worker does to a client's request before anything upstream sees it: the
 * client-address fields are the CDN's (origin/forwarded-headers.ts) and `CDN-Loop` carries this
 * deployment's token (edge-cache/loop.ts).
 */
import { appendCdnLoop, cdnLoopToken } from '../edge-cache/loop'
import { connectingAddress, forwardedHeaders } from '../origin/forwarded-headers'

/** What the token needs of a Durable Object namespace. */
type Namespace = Pick<DurableObjectNamespace, 'idFromName'>

let token: { namespace: Namespace; value: string } | undefined

/**
 * This deployment's `CDN-Loop` token. The id is derived from a Durable Object namespace of this
 * Worker: `idFromName` is a keyed hash that differs between namespaces, and a namespace is
 * per account and script, so each deployment gets its own id with nothing to configure, and
 * the edge and every isolate of one deployment agree on it.
 * @param namespace one of this Worker's Durable Object namespaces
 */
export function deploymentLoopToken(namespace: Namespace): string {
  if (token?.namespace !== namespace) {
    const id = namespace.idFromName('cdn-loop').toString().slice(0, 16)
    token = { namespace, value: cdnLoopToken(id) }
  }
  return token.value
}

/**
 * @param request the client's request
 * @param loopToken this deployment's `CDN-Loop` token
 * @param cacheable whether the response may be shared (GET or HEAD on a route that caches)
 * @returns the request with the headers an origin can trust
 */
export function trustedRequest(request: Request, loopToken: string, cacheable: boolean): Request {
  const proto = new URL(request.url).protocol === 'http:' ? 'http' : 'https'
  const ip = connectingAddress(request.headers)
  const headers = forwardedHeaders(request.headers, { ip, proto }, cacheable)
  appendCdnLoop(headers, loopToken)
  return new Request(request, { headers })
}
