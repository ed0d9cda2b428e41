/**
 * @module pops
 * The simulated points of presence tests send requests from: what Cloudflare puts in
 * `request.cf` (integration tests pass it as `cf`, e2e tests as wrangler dev's MF-CF-Blob).
 * Frozen, so no test can change another's PoP.
 */

/**
 * Where a simulated request enters. A type alias, not an interface: only an alias gets the
 * implicit index signature that lets it pass as `RequestInit['cf']`.
 */
export type Pop = {
  readonly colo: string
  readonly country: string
  readonly continent: string
}

const pop = (colo: string, country: string, continent: string): Pop =>
  Object.freeze({ colo, country, continent })

/** Frankfurt, region eu. */
export const FRA = pop('FRA', 'DE', 'EU')
/** Amsterdam, region eu. */
export const AMS = pop('AMS', 'NL', 'EU')
/** Paris, region eu. */
export const CDG = pop('CDG', 'FR', 'EU')
/** Dallas, region us. */
export const DFW = pop('DFW', 'US', 'NA')
/** Chicago, region us. */
export const ORD = pop('ORD', 'US', 'NA')
/** Ashburn, region us. */
export const IAD = pop('IAD', 'US', 'NA')
/** Los Angeles, region us. */
export const LAX = pop('LAX', 'US', 'NA')
/** Singapore, region apac. */
export const SIN = pop('SIN', 'SG', 'AS')
/** São Paulo, region global (no regional tier for South America). */
export const GRU = pop('GRU', 'BR', 'SA')
