/**
 * @module residency
 * Where content may be cached and served. A rule pins content (by path prefix or cache tag) to
 * a region: `cache-in-region` serves everyone but stores only in that region's L1s and tier;
 * `serve-in-region` refuses clients elsewhere with 451 (RFC 7725). Pure decisions, no I/O.
 */

export type ResidencyMode = 'cache-in-region' | 'serve-in-region'

export interface ResidencyRule {
  name: string
  pathPrefix?: string
  tag?: string
  region: string
  mode: ResidencyMode
}

/** The rule content is resident under, as it travels with a request. */
export interface Residency {
  rule: string
  region: string
  mode: ResidencyMode
}

export type ResidencyDecision =
  /** No rule: cache in the client's region as usual. */
  | { kind: 'open' }
  /** Resident in the client's own region: the normal path, pinned to that region. */
  | { kind: 'in-region'; residency: Residency }
  /** Resident elsewhere, served through its region's tier, nothing stored at this PoP. */
  | { kind: 'via-home-tier'; residency: Residency }
  /** Resident elsewhere and only servable there. */
  | { kind: 'refuse'; residency: Residency }

/**
 * Decides before any cache lookup, from the path alone; tag rules are applied to responses by
 * `residencyForTags` because tags are only known once a response is.
 * @param rules the zone's rules
 * @param path the request path
 * @param clientRegion the region of the PoP the request entered, from `request.cf` only
 */
export function decideResidency(
  rules: readonly ResidencyRule[],
  path: string,
  clientRegion: string
): ResidencyDecision {
  const rule = rules
    .filter((r) => r.pathPrefix !== undefined && path.startsWith(r.pathPrefix))
    .sort((a, b) => (b.pathPrefix?.length ?? 0) - (a.pathPrefix?.length ?? 0))[0]
  return rule ? decide(rule, clientRegion) : { kind: 'open' }
}

/**
 * @param rules the zone's rules
 * @param tags the response's cache tags
 * @param clientRegion where the answer is going, or the tier's own region
 * @returns the decision for a response carrying these tags ('open' when no tag rule matches)
 */
export function residencyForTags(
  rules: readonly ResidencyRule[],
  tags: readonly string[],
  clientRegion: string
): ResidencyDecision {
  const rule = rules.find((r) => r.tag !== undefined && tags.includes(r.tag))
  return rule ? decide(rule, clientRegion) : { kind: 'open' }
}

/** May a cache in `cacheRegion` store content under this residency? */
export function mayStoreIn(residency: Residency | undefined, cacheRegion: string): boolean {
  return residency === undefined || residency.region === cacheRegion
}

function decide(rule: ResidencyRule, clientRegion: string): ResidencyDecision {
  const residency = { rule: rule.name, region: rule.region, mode: rule.mode }
  if (rule.region === clientRegion) return { kind: 'in-region', residency }
  return rule.mode === 'serve-in-region'
    ? { kind: 'refuse', residency }
    : { kind: 'via-home-tier', residency }
}
