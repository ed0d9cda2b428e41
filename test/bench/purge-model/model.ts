/**
 * The purge load model (issue 14): requests per second on the busiest Durable Object,
 * subrequests per purge and the purge bound, for the first design (every isolate polls the
 * zone's single log), the pushed one (log → one relay per region → tier shards; every edge
 * isolate reads its region's relay) and the relay matrix that replaced it (log → the lead relay
 * of the zone's group per region → its PoP-group relays and the tier shards; one isolate per PoP
 * reads its group's relay and shares the answer through the PoP's Cache API). L1 is purged by
 * Cloudflare through forwarded tag purges when a Cloudflare zone is configured. Pure arithmetic
 * over the constants the code uses (imported, so the model follows the code) and stated
 * assumptions about the network (round trips, how PoPs split over regions).
 */
import {
  WINDOW_HISTORY_MS,
  WINDOW_JITTER_SHARE,
  WINDOW_REFRESH_SHARE,
} from '../../../edge-cache/purge/colo-window'
import {
  POP_GROUPS,
  popGroupOf,
  RELAY_FAN_OUT_MS,
  RELAY_FLUSH_MS,
  RELAY_LEASE_MS,
  RELAY_SHARDS,
} from '../../../edge-cache/purge/purge-push'
import { MOST_REGION_SHARDS, REGIONS } from '../../../schemas/regions'

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
  /**
   * Extra window refreshes from isolates of one PoP that both passed the Cache API lock check
   * before either wrote it, as a share of the refreshes.
   */
  lockRaceShare: number
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
  lockRaceShare: 0.1,
}

export interface Load {
  design: string
  /** The edge's purge bound (PURGE_STALENESS_MS or PURGE_FORWARDED_STALENESS_MS), when it applies. */
  purgeBoundMs?: number
  /** The relay matrix: PoPs in the fullest PoP group of the busiest region. */
  popsInBusiestGroup?: number
  /** The relay matrix: calls per second the busiest lead relay sends. */
  leadCallsOut?: number
  /** Requests/s on each kind of object; the busiest is the maximum. */
  perObject: Record<string, number>
  busiest: { object: string; rps: number }
  subrequestsPerPurge: number
  /** When every PoP stops serving purged content (L1), and when tiers do, ms. */
  boundMs: { l1: number; tier: number }
}

const TIER_SHARDS = REGIONS.reduce((n, r) => n + r.shards, 0)

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

/**
 * The relay matrix: the log pushes (one round in flight) to the lead of the zone's group in each
 * region; a lead pushes on to its POP_GROUPS relays (those that hold the zone: here all, the
 * upper bound; one round per RELAY_FAN_OUT_MS) and to the
 * region's tier shards (one round per RELAY_FLUSH_MS). In each PoP, one isolate asks its group's
 * relay for the PoP's window about once per WINDOW_REFRESH_SHARE of the bound (less each isolate's
 * jitter), the other isolates read the window from the Cache API.
 * @param forwarded purges are forwarded to Cloudflare (production) or not (the default)
 */
export function matrix(s: Scenario, forwarded: boolean, a: Assumptions = ASSUMPTIONS): Load {
  const popsInRegion = Math.round(s.pops * a.busiestRegionShare)
  const popsInGroup = busiestPopGroup(popsInRegion)
  const bound = forwarded ? a.forwardedBoundMs : a.unforwardedBoundMs
  const zonesPerGroup = Math.ceil(s.zones / RELAY_SHARDS)
  const logPushesPerZone = Math.min(s.purgesPerSecond, 1000 / a.crossRegionRttMs)
  const leadPushesIn = zonesPerGroup * logPushesPerZone
  const fanOutRounds = Math.min(leadPushesIn, 1000 / Math.max(RELAY_FAN_OUT_MS, a.inRegionRttMs))
  const tierRounds = Math.min(leadPushesIn, 1000 / Math.max(RELAY_FLUSH_MS, a.inRegionRttMs))
  // Per PoP: the earliest isolate refreshes at REFRESH_SHARE − JITTER_SHARE of the bound.
  const windowsPerSecond = 1000 / (bound * (WINDOW_REFRESH_SHARE - WINDOW_JITTER_SHARE))
  const polls = popsInGroup * windowsPerSecond * (1 + a.lockRaceShare)
  // Worst case: every isolate of the group falls behind the window's history once per history
  // span and asks the relay itself.
  const laggards = (popsInGroup * s.isolatesPerPop * 1000) / WINDOW_HISTORY_MS
  const perObject = {
    // Appends, plus lease reads by every polled relay and every shard (idle zones only: the
    // zones of these rows purge faster than the leases run out).
    'purge log (per zone)':
      s.purgesPerSecond +
      REGIONS.length * POP_GROUPS * (1000 / RELAY_LEASE_MS) +
      TIER_SHARDS * (1000 / a.tierLeaseMs),
    'lead relay': leadPushesIn,
    'PoP-group relay': fanOutRounds + polls + laggards,
    'tier shard': Math.min(s.zones, RELAY_SHARDS) * tierRounds,
  }
  // Per purge, uncoalesced: the append, a push per region, a forward call, and each lead's
  // pushes to its PoP-group relays and its region's shards.
  const subrequests =
    1 + REGIONS.length + (forwarded ? 1 : 0) + REGIONS.length * POP_GROUPS + TIER_SHARDS
  const logBusy = logPushesPerZone >= 1000 / a.crossRegionRttMs
  const push = a.crossRegionRttMs + (logBusy ? a.crossRegionRttMs : 0)
  const tier = push + (leadPushesIn >= 1000 / RELAY_FLUSH_MS ? RELAY_FLUSH_MS : 0) + a.inRegionRttMs
  // Not forwarded: the push reaches the PoP-group relay; from then on every view taken is newer
  // (a view is never older than the bound, counted from when its window was asked for).
  const l1 = forwarded
    ? a.inRegionRttMs + a.cloudflarePurgeMs
    : push +
      (leadPushesIn >= 1000 / RELAY_FAN_OUT_MS ? RELAY_FAN_OUT_MS : 0) +
      a.inRegionRttMs +
      bound
  const load = finish(
    forwarded ? 'matrix + forwarded to Cloudflare' : 'matrix, not forwarded',
    perObject,
    subrequests,
    { l1, tier }
  )
  return {
    ...load,
    purgeBoundMs: bound,
    popsInBusiestGroup: popsInGroup,
    // What the busiest lead sends (outgoing calls are not its load, but they are its CPU).
    leadCallsOut: fanOutRounds * POP_GROUPS + tierRounds * MOST_REGION_SHARDS,
  }
}

/**
 * The most PoPs one PoP group gets in a region of `pops` PoPs, as `popGroupOf` hashes them: the
 * worst of 20 disjoint sets of made-up colo codes (real codes hash like any others).
 */
export function busiestPopGroup(pops: number): number {
  let worst = 0
  for (let draw = 0; draw < 20; draw++) {
    const sizes = new Map<number, number>()
    for (let i = 0; i < pops; i++) {
      const group = popGroupOf(coloCode(i * 20 + draw))
      sizes.set(group, (sizes.get(group) ?? 0) + 1)
    }
    worst = Math.max(worst, ...sizes.values())
  }
  return worst
}

function coloCode(n: number): string {
  const letter = (k: number) => String.fromCharCode(65 + (Math.floor(n / 26 ** k) % 26))
  return letter(2) + letter(1) + letter(0)
}

export const SHARDS = {
  tier: TIER_SHARDS,
  perRegion: MOST_REGION_SHARDS,
  relays: RELAY_SHARDS,
  popGroups: POP_GROUPS,
}
