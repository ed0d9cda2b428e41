/**
 * @module admin/principal
 * Who is calling the admin API and what they may do. Pure.
 */
import type { TokenScope } from '../../schemas/api/admin'

/** The caller: the bootstrap `ADMIN_TOKEN` (everything, everywhere) or an API token. */
export type Principal =
  | { kind: 'bootstrap'; id: 'bootstrap' }
  | { kind: 'token'; id: string; scopes: readonly TokenScope[]; zones: readonly string[] }

/** The principal of the `ADMIN_TOKEN` secret. */
export const BOOTSTRAP: Principal = { kind: 'bootstrap', id: 'bootstrap' }

/**
 * @param principal the caller
 * @param scope what it wants to do
 * @param zone the zone it wants to do it to
 * @returns whether it may
 */
export function allows(principal: Principal, scope: TokenScope, zone: string): boolean {
  // Drills are never on by default: the bootstrap token grants `chaos` but does not hold it.
  if (principal.kind === 'bootstrap') return scope !== 'chaos'
  return principal.scopes.includes(scope) && principal.zones.includes(zone)
}

/**
 * @param principal the caller
 * @param scope what it wants to do
 * @returns the zones it may do that to, or 'all'
 */
export function zonesAllowed(principal: Principal, scope: TokenScope): readonly string[] | 'all' {
  if (principal.kind === 'bootstrap') return 'all'
  return principal.scopes.includes(scope) ? principal.zones : []
}
