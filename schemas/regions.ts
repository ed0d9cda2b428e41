/**
 * @module regions
 * The regions the platform caches in, and how a PoP maps onto one. A region is a named set of
 * PoPs (IATA colo codes) with country and continent fallbacks for PoPs not listed, plus where
 * its tier Durable Objects are placed.
 */

export type RegionName = 'eu' | 'us' | 'apac' | 'global'

export interface RegionDefinition {
  name: RegionName
  /** IATA colo codes of the PoPs in this region. */
  colos: readonly string[]
  /** ISO 3166-1 alpha-2 country codes whose PoPs belong here when the colo is not listed. */
  countries: readonly string[]
  /** `request.cf.continent` codes, the last fallback. */
  continents: readonly string[]
  /** Durable Object placement hint for this region's tier shards. */
  locationHint: DurableObjectLocationHint
  /** Durable Object jurisdiction in production; workerd rejects jurisdictions locally. */
  jurisdiction?: DurableObjectJurisdiction
  /**
   * Tier shards in this region, shared by every zone: each takes ~1,000 requests/s, and a
   * region's L1 misses spread over them (`npm run bench:tier-model`).
   */
  shards: number
  /**
   * The R2 binding this region's tier shards keep large bodies in, and where that bucket lives:
   * its R2 jurisdiction (declared on the binding in wrangler.toml, a guarantee) or its location
   * hint (given when the bucket is created, best effort). Without one, resident large bodies
   * stay out of R2 (edge-cache/tier/body-placement.ts).
   */
  tierBucket?: TierBucket
}

/** A region's tier bucket: R2 jurisdictions are `eu` and `fedramp`; hints as for R2 buckets. */
export interface TierBucket {
  binding: string
  jurisdiction?: 'eu' | 'fedramp'
  location?: 'wnam' | 'enam' | 'weur' | 'eeur' | 'apac' | 'oc'
}

/** The tier bucket of regions without their own, for content no residency rule pins. */
export const SHARED_TIER_BUCKET = 'TIER_BUCKET'

const EU_COUNTRIES = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
  'CH',
  'GB',
] as const

export const REGIONS: readonly RegionDefinition[] = [
  {
    name: 'eu',
    colos: [
      'AMS',
      'ARN',
      'BCN',
      'BRU',
      'CDG',
      'CPH',
      'DUB',
      'DUS',
      'FRA',
      'HAM',
      'HEL',
      'LHR',
      'LIS',
      'MAD',
      'MAN',
      'MRS',
      'MUC',
      'MXP',
      'OSL',
      'PRG',
      'SOF',
      'TXL',
      'VIE',
      'WAW',
      'ZRH',
    ],
    countries: EU_COUNTRIES,
    continents: ['EU'],
    locationHint: 'weur',
    jurisdiction: 'eu',
    shards: 64,
    tierBucket: { binding: 'TIER_BUCKET_EU', jurisdiction: 'eu' },
  },
  {
    name: 'us',
    colos: [
      'ATL',
      'BOS',
      'DEN',
      'DFW',
      'EWR',
      'IAD',
      'LAX',
      'MIA',
      'ORD',
      'SEA',
      'SJC',
      'YUL',
      'YYZ',
      'YVR',
    ],
    countries: ['US', 'CA'],
    continents: ['NA'],
    locationHint: 'enam',
    shards: 64,
    tierBucket: { binding: 'TIER_BUCKET_US', location: 'enam' },
  },
  {
    name: 'apac',
    colos: ['BOM', 'DEL', 'HKG', 'ICN', 'KIX', 'MEL', 'NRT', 'SIN', 'SYD', 'TPE', 'AKL'],
    countries: ['AU', 'CN', 'HK', 'ID', 'IN', 'JP', 'KR', 'MY', 'NZ', 'PH', 'SG', 'TH', 'TW', 'VN'],
    continents: ['AS', 'OC'],
    locationHint: 'apac',
    shards: 64,
    tierBucket: { binding: 'TIER_BUCKET_APAC', location: 'apac' },
  },
  {
    name: 'global',
    colos: [],
    countries: [],
    continents: [],
    locationHint: 'enam',
    shards: 16,
  },
]

/** The most tier shards any region has: the busiest region's count in the load models. */
export const MOST_REGION_SHARDS = Math.max(...REGIONS.map((region) => region.shards))

/** What the edge knows about where a request entered: only ever taken from `request.cf`. */
export interface PopLocation {
  colo: string
  country?: string
  continent?: string
}

/**
 * Maps a PoP onto its region: colo first, then country, then continent, else `global`.
 * @param pop the PoP, from `request.cf`
 * @returns the region definition
 */
export function regionOf(pop: PopLocation): RegionDefinition {
  const colo = pop.colo.toUpperCase()
  const country = pop.country?.toUpperCase()
  const continent = pop.continent?.toUpperCase()
  return (
    REGIONS.find((r) => r.colos.includes(colo)) ??
    REGIONS.find((r) => country !== undefined && r.countries.includes(country)) ??
    REGIONS.find((r) => continent !== undefined && r.continents.includes(continent)) ??
    globalRegion()
  )
}

/**
 * Looks a region up by name.
 * @throws TypeError for an unknown name: region names come from config and code, not clients
 */
export function regionNamed(name: string): RegionDefinition {
  const region = REGIONS.find((r) => r.name === name)
  if (!region) throw new TypeError(`expected a region name, got ${JSON.stringify(name)}`)
  return region
}

function globalRegion(): RegionDefinition {
  return regionNamed('global')
}
