/**
 * The purge load model (issue 14): requests per second on the busiest Durable Object,
 * subrequests per purge and the purge bound, for today's design (every isolate polls the zone's
 * single log) and the pushed one (log → regional relays → tier shards; edges read their
 * region's relay; L1 purged by Cloudflare through forwarded tag purges). Pure arithmetic over
 * the constants the code uses (imported, so the model follows the code) and stated assumptions
 * about the network (round trips, how PoPs split over regions).
 */
import { RELAY_FLUSH_MS, RELAY_LEASE_MS, RELAY_SHARDS } from '../../../edge-cache/purge/purge-push'
import { REGIONS } from '../../../schemas/regions'

export interface Scenario {
  pops: number
  isolatesPerPop: number
  zones: number
  /** Purges per second per zone. */
  purgesPerSecond: number
}

export interface Assumptions {
  /** Share of all isolates in the busiest region. */
  busiestRegionShare: number
  /** Log → relay in another region, round trip, ms. */
  crossRegionRttMs: number
  /** Within a region (relay → tier shard, edge → relay), ms. */
  inRegionRttMs: number
  /** Cloudflare's Instant Purge, p50, ms (Cloudflare's own claim). */
  cloudflarePurgeMs: number
  /** Today's PURGE_STALENESS_MS (edge and tier poll the log this often), ms. */
  todayBoundMs: number
  /** The edge's bound with forwarding on (PURGE_FORWARDED_STALENESS_MS) and off, ms. */
  forwardedBoundMs: number
  unforwardedBoundMs: number
  /** PURGE_TIER_LEASE_MS. */
  tierLeaseMs: number
}

export const ASSUMPTIONS: Assumptions = {
  busiestRegionShare: 0.4,
  crossRegionRttMs: 150,
  inRegionRttMs: 20,
  cloudflarePurgeMs: 150,
  todayBoundMs: 1000,
  forwardedBoundMs: 30_000,
  unforwardedBoundMs: 50,
  tierLeaseMs: 1000,
}

export interface Load {
  design: string
  /** Requests/s on each kind of object; the busiest is the maximum. */
  perObject: Record<string, number>
  busiest: { object: string; rps: number }
  subrequestsPerPurge: number
  /** When every PoP stops serving purged content (L1), and when tiers do, ms. */
  boundMs: { l1: number; tier: number }
}

const TIER_SHARDS = REGIONS.reduce((n, r) => n + r.shards, 0)
const SHARDS_PER_REGION = Math.max(...REGIONS.map((r) => r.shards))

/** Today: every isolate and tier shard polls each zone's log once per bound. */
export function today(s: Scenario, a: Assumptions = ASSUMPTIONS): Load {
  const isolates = s.pops * s.isolatesPerPop
  const perSecond = 1000 / a.todayBoundMs
  const perObject = {
    'purge log (per zone)': isolates * perSecond + TIER_SHARDS * perSecond + s.purgesPerSecond,
    // The admin route asked every shard to purge, once per purge of any zone.
    'tier shard': s.zones * s.purgesPerSecond,
  }
  return finish('today: poll the zone log', perObject, 1 + 2 * TIER_SHARDS, {
    l1: a.todayBoundMs + a.crossRegionRttMs,
    tier: a.todayBoundMs + a.crossRegionRttMs,
  })
}

/**
 * Pushed: the log pushes (one push in flight per log) to one relay per region; a relay pushes
 * to its region's shards at most once per RELAY_FLUSH_MS; edges ask each relay they need about
 * once per bound (all their zones on it in one call).
 * @param forwarded purges are forwarded to Cloudflare (production) or not (local, small)
 */
export function pushed(s: Scenario, forwarded: boolean, a: Assumptions = ASSUMPTIONS): Load {
  const isolatesInRegion = s.pops * s.isolatesPerPop * a.busiestRegionShare
  const bound = forwarded ? a.forwardedBoundMs : a.unforwardedBoundMs
  const zonesPerRelay = Math.ceil(s.zones / RELAY_SHARDS)
  const logPushesPerZone = Math.min(s.purgesPerSecond, 1000 / a.crossRegionRttMs)
  const activeRelays = Math.min(s.zones, RELAY_SHARDS)
  const relayPushes = Math.min(
    zonesPerRelay * logPushesPerZone,
    1000 / Math.max(RELAY_FLUSH_MS, a.inRegionRttMs)
  )
  const perObject = {
    // Appends, plus reads from relays and shards whose lease ran out (idle zones only).
    'purge log (per zone)':
      s.purgesPerSecond +
      REGIONS.length * (1000 / RELAY_LEASE_MS) +
      TIER_SHARDS * (1000 / a.tierLeaseMs),
    // Pushes from its zones' logs, plus each isolate of the region about twice per bound.
    'purge relay': zonesPerRelay * logPushesPerZone + (2 * isolatesInRegion * 1000) / bound,
    'tier shard': activeRelays * relayPushes,
  }
  // Per purge: the append, one push per region, one forward call per 100 tags, and the relays'
  // pushes to their shards (at most one each per purge; fewer when coalesced).
  // (A purge call holds at most 100 items: one forward call each.)
  const subrequests = 1 + REGIONS.length + (forwarded ? 1 : 0) + TIER_SHARDS
  // Worst case: the purge waits for the push in flight, then for the relay's flush interval.
  const logBusy = logPushesPerZone >= 1000 / a.crossRegionRttMs
  const relayBusy = zonesPerRelay * logPushesPerZone >= 1000 / RELAY_FLUSH_MS
  const tier =
    a.crossRegionRttMs +
    (logBusy ? a.crossRegionRttMs : 0) +
    (relayBusy ? RELAY_FLUSH_MS : 0) +
    a.inRegionRttMs
  // Forwarded: one call to Cloudflare's API, then its Instant Purge. Not: the push reaches the
  // region's relay, and each edge asks it within its bound.
  const l1 = forwarded
    ? a.inRegionRttMs + a.cloudflarePurgeMs
    : a.crossRegionRttMs + a.inRegionRttMs + bound
  return finish(
    forwarded ? 'pushed + forwarded to Cloudflare' : 'pushed, not forwarded',
    perObject,
    subrequests,
    { l1, tier }
  )
}

function finish(
  design: string,
  perObject: Record<string, number>,
  subrequestsPerPurge: number,
  boundMs: { l1: number; tier: number }
): Load {
  const [object, rps] = Object.entries(perObject).reduce((a, b) => (b[1] > a[1] ? b : a))
  return { design, perObject, busiest: { object, rps }, subrequestsPerPurge, boundMs }
}

export const SHARDS = { tier: TIER_SHARDS, perRegion: SHARDS_PER_REGION, relays: RELAY_SHARDS }
