/**
 * @module redirects
 * An HTTP origin's absolute redirect to itself, made the client's. A Worker cannot pass the
 * client's Host on to an origin on another hostname, so an origin that builds `Location` from
 * its own host (nginx's redirect of `/docs` to `/docs/`, most frameworks) would send clients
 * around the CDN, to an address that may not be reachable for them and that the origin may
 * want to keep to itself. As nginx's `proxy_redirect default`: a `Location` under an origin's
 * URL is mapped back under the route's prefix on the client's scheme and host; any other
 * `Location` (relative, another site) is left alone.
 */
import type { OriginTarget } from '../schemas/api/pool'

/**
 * @param location the response's `Location`
 * @param originUrls the route's HTTP origins' configured URLs (a pool's members)
 * @param client the client's request URL
 * @param routePrefix the route's `pathPrefix`, cut from the path the origin got
 * @returns the rewritten value, or undefined to keep `location` as it is
 */
export function clientLocation(
  location: string,
  originUrls: readonly string[],
  client: URL,
  routePrefix: string
): string | undefined {
  let target: URL
  try {
    // Only absolute URLs can name the origin: a relative one resolves against the client's URL.
    target = new URL(location)
  } catch {
    return undefined
  }
  for (const originUrl of originUrls) {
    const base = new URL(originUrl)
    const basePath = base.pathname.replace(/\/+$/, '')
    if (target.origin !== base.origin) continue
    if (target.pathname !== basePath && !target.pathname.startsWith(`${basePath}/`)) continue
    const rest = target.pathname.slice(basePath.length) || '/'
    const prefix = routePrefix.replace(/\/+$/, '')
    return `${client.origin}${prefix}${rest}${target.search}${target.hash}`
  }
  return undefined
}

/**
 * Rewrites the answer's `Location` with {@link clientLocation} when it points at one of the
 * route's HTTP origins.
 * @param headers the answer's fields, changed in place
 * @param target the route's origin or pool
 */
export function redirectToClient(
  headers: Headers,
  target: OriginTarget,
  client: URL,
  routePrefix: string
): void {
  const location = headers.get('location')
  if (location === null) return
  const own = clientLocation(location, httpOriginUrls(target), client, routePrefix)
  if (own !== undefined) headers.set('location', own)
}

/** The configured URLs of a route's HTTP origins: the origin itself, or a pool's members. */
function httpOriginUrls(target: OriginTarget): string[] {
  if (target.kind === 'http') return [target.url]
  if (target.kind !== 'pool') return []
  const members = target.members.flatMap((member) => httpOriginUrls(member.spec))
  return target.fallback ? [...members, ...httpOriginUrls(target.fallback)] : members
}
