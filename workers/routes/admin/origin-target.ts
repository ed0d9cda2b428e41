/**
 * @module routes/admin/origin-target
 * Whether an origin URL points back at this CDN. Pure. At request time `CDN-Loop` stops what
 * this cannot see (a host of another deployment that forwards here); at write time this refuses
 * the obvious: the admin API's own address and the hosts this deployment's zones answer for.
 */
import { requestHost } from '../../../schemas/hosts'

/**
 * @param target the origin URL
 * @param self the URL the admin API was called on
 * @param zones every zone with its hosts (`*` catch-alls are ignored: they match anything)
 * @returns what serves the target (`the admin API`, or `zone <name>`), or undefined
 */
export function hostServedBy(
  target: URL,
  self: URL,
  zones: readonly { name: string; hosts: readonly string[] }[]
): string | undefined {
  // `a.example.com.` is `a.example.com` (schemas/hosts.ts).
  const host = requestHost(target.hostname)
  if (host === requestHost(self.hostname) && target.port === self.port) return 'the admin API'
  // A zone's host is reached on its scheme's default port; another port is another server.
  if (target.port !== '') return undefined
  const zone = zones.find((z) => z.hosts.some((pattern) => matches(pattern, host)))
  return zone ? `zone ${zone.name}` : undefined
}

function matches(pattern: string, host: string): boolean {
  if (pattern === '*') return false
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1))
  return pattern === host
}
