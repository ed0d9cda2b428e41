/**
 * @module analytics/cost
 * Origin cost saved: the bytes each cache layer served instead of the origin, priced at the
 * origin's egress rate per GB (10^9 bytes, as clouds bill). Rates come from
 * `ORIGIN_EGRESS_USD_PER_GB`, e.g. `r2=0,s3=0.09,http=0.09,shop/images=0.05`: by origin kind, or
 * `zone/origin` for one origin; the most specific wins. Pure.
 */

/** Parsed once with every other setting (schemas/settings.ts `originEgressUsdPerGb`). */
export type EgressRates = ReadonlyMap<string, number>

/**
 * @param rates the configured rates
 * @param zone the zone
 * @param origin the origin as analytics label it, `kind:name`
 * @returns USD per GB; 0 when nothing is configured for it
 */
export function egressRate(rates: EgressRates, zone: string, origin: string): number {
  const colon = origin.indexOf(':')
  const kind = colon === -1 ? origin : origin.slice(0, colon)
  const name = colon === -1 ? origin : origin.slice(colon + 1)
  return rates.get(`${zone}/${name}`) ?? rates.get(kind) ?? 0
}

export interface CostRow {
  region: string
  origin: string
  usdPerGb: number
  /** Bytes served from each cache layer rather than fetched from the origin. */
  bytesAvoided: { l1: number; tier: number }
  savedUsd: number
}

/**
 * @param zone the zone
 * @param rows bytes served per region, origin and layer
 * @param rates the configured rates
 * @returns one row per region and origin that any cache served from, and the total
 */
export function costSaved(
  zone: string,
  rows: readonly { region: string; origin: string; layer: string; bytesToClient: number }[],
  rates: EgressRates
): { currency: 'USD'; totalUsd: number; rows: CostRow[] } {
  const byKey = new Map<string, CostRow>()
  for (const row of rows) {
    if (row.layer !== 'l1' && row.layer !== 'tier') continue
    const key = `${row.region}\n${row.origin}`
    const cost = byKey.get(key) ?? {
      region: row.region,
      origin: row.origin,
      usdPerGb: egressRate(rates, zone, row.origin),
      bytesAvoided: { l1: 0, tier: 0 },
      savedUsd: 0,
    }
    cost.bytesAvoided[row.layer] += row.bytesToClient
    cost.savedUsd = ((cost.bytesAvoided.l1 + cost.bytesAvoided.tier) / 1e9) * cost.usdPerGb
    byKey.set(key, cost)
  }
  const list = [...byKey.values()].sort(
    (a, b) => b.savedUsd - a.savedUsd || a.region.localeCompare(b.region)
  )
  return { currency: 'USD', totalUsd: list.reduce((sum, r) => sum + r.savedUsd, 0), rows: list }
}
