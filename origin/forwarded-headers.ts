/**
 * @module origin/forwarded-headers
 * The client-address fields an origin receives are the CDN's, never the client's. The address
 * comes from the connection: Cloudflare's edge sets `CF-Connecting-IP` on every request a Worker
 * receives and overwrites any copy a client sent (locally, wrangler dev sets it from the socket
 * when the client sent none). From it the CDN writes `X-Forwarded-For`, `X-Real-IP` and
 * `True-Client-IP`; every other client-IP field a client may send is removed.
 *
 * `X-Forwarded-For` follows Cloudflare's practice (the connecting address appended to the
 * client's list) where the response is that client's alone: uncached methods and bypass routes.
 * On cacheable requests the client's list is dropped and the field is the connecting address
 * alone, because the list is not part of the cache key: a response built from it would carry
 * one client's chosen text to everyone (origin/poisoning-headers.ts). Either way only the last
 * entry is the CDN's word; the ones before it are the client's claim.
 * @see https://developers.cloudflare.com/fundamentals/reference/http-headers/
 * @see https://www.rfc-editor.org/rfc/rfc7239 (Forwarded; dropped, see CLIENT_IP_HEADERS)
 */

/**
 * Fields clients use to claim an address, removed from every request (lower-case). The ones the
 * CDN sets are then written afresh. Sources: Param Miner's header wordlist (origin/
 * poisoning-headers.ts cites it) and the fields CDNs and load balancers document.
 */
export const CLIENT_IP_HEADERS: readonly string[] = [
  'x-forwarded-for',
  'x-real-ip',
  'true-client-ip',
  'x-client-ip',
  'x-clientip',
  'client-ip',
  'clientip',
  'real-ip',
  'x-cluster-client-ip',
  'cluster-client-ip',
  'x-originating-ip',
  'x-remote-ip',
  'x-remote-addr',
  'remote-addr',
  'x-original-remote-addr',
  'x-forwarded-for-original',
  'x-originally-forwarded-for',
  'x-forwarder-for',
  'x-forward-for',
  'forwarded-for',
  'forwarded-for-ip',
  'x-true-client-ip',
  'xxx-real-ip',
  'x-ip',
  'fastly-client-ip',
  'incap-client-ip',
  'x-azure-clientip',
  'x-appengine-user-ip',
  'x-wap-network-client-ip',
  'x-fb-user-remote-addr',
  'x-proxyuser-ip',
  'x-sakura-forwarded-for',
  'forwarded',
  // Production overwrites it on the way out; locally the outbound fetch strips it. The origin
  // reads the address from the fields above, never from a copy of the inbound one.
  'cf-connecting-ip',
  'cf-connecting-ipv6',
]

/** The connection facts the CDN vouches for. */
export interface ClientConnection {
  /** The client's address, or undefined when the platform gave none. */
  ip: string | undefined
  /** The scheme of the URL the client asked for (part of the cache key). */
  proto: 'http' | 'https'
}

/**
 * The client's address as the platform gives it: `CF-Connecting-IP`, when it is an IP address.
 * @param headers the request's headers as the Worker received them
 */
export function connectingAddress(headers: Headers): string | undefined {
  const value = headers.get('cf-connecting-ip')?.trim()
  return value && isIpAddress(value) ? value : undefined
}

/**
 * @param headers the client's request headers (not modified)
 * @param connection what the CDN knows of the client
 * @param cacheable whether the response may be shared (then the client's XFF list is dropped)
 * @returns the headers to send upstream: the client's, less its address claims, plus the CDN's
 */
export function forwardedHeaders(
  headers: Headers,
  connection: ClientConnection,
  cacheable: boolean
): Headers {
  const out = new Headers(headers)
  const chain = cacheable ? [] : clientChain(headers.get('x-forwarded-for'))
  for (const name of CLIENT_IP_HEADERS) out.delete(name)
  const { ip } = connection
  if (ip !== undefined) {
    out.set('x-forwarded-for', [...chain, ip].join(', '))
    out.set('x-real-ip', ip)
    out.set('true-client-ip', ip)
  }
  out.set('x-forwarded-proto', connection.proto)
  return out
}

/** The client's X-Forwarded-For entries, kept only when each looks like an address. */
function clientChain(value: string | null): string[] {
  if (!value) return []
  const entries = value.split(',').map((entry) => entry.trim())
  // A list with anything else in it is noise or an attack on parsers: drop it whole.
  return entries.length <= 16 && entries.every(isIpAddress) ? entries : []
}

/** A dotted IPv4 address or an IPv6 address (hex groups, colons, optional dotted tail). */
export function isIpAddress(value: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) {
    return value.split('.').every((octet) => Number(octet) <= 255)
  }
  return value.includes(':') && value.length <= 45 && /^[0-9a-fA-F:.]+$/.test(value)
}
