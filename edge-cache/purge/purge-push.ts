/**
 * @module purge/purge-push
 * What the purge log pushes down once a purge is durable: the zone's new records and the
 * sequence they follow. A receiver whose view is behind `prevSeq` missed a push and catches up
 * from the log before it serves again. The log pushes to the lead relay of the zone's group in
 * each region; a lead pushes on to its PoP-group relays and to the region's tier shards.
 * Pure helpers (merging, relay addressing), plus a bounded retry for the push RPCs.
 */
import { shardFor } from '../shard'
import type { PurgeSnapshot } from './purge-index'

/**
 * Relay shards (zone groups) per region: zones are hashed onto them, so no relay holds every
 * zone. Each (region, zone group) has one lead relay, which the zone's log pushes to, and
 * POP_GROUPS relays the region's PoPs read from (a matrix: zone group × PoP group).
 */
export const RELAY_SHARDS = 32
/**
 * PoP groups per region: a PoP reads only its group's relay of a zone group, so a relay answers
 * about 132 / 64 ≈ 2 PoPs on average and, hashed, at most ~8 of the busiest region's 132
 * (test/bench/purge-model), each about twice per purge bound.
 */
export const POP_GROUPS = 64
/** A relay's copy of a zone not refreshed by a push or a read of the log for this long is read again. */
export const RELAY_LEASE_MS = 2_000
/**
 * At most one push from a relay to the tier shards per this interval: with every relay of a
 * region pushing, a shard hears at most RELAY_SHARDS / this many pushes a second.
 */
export const RELAY_FLUSH_MS = 100
/**
 * At most one push from a lead relay to its PoP-group relays per this interval (one round in
 * flight): a PoP-group relay hears at most 1000 / this many pushes a second, however many
 * zones of its group purge.
 */
export const RELAY_FAN_OUT_MS = 25

export interface PurgePush {
  zone: string
  /** The log's sequence before these records: a view at least this new can take them. */
  prevSeq: number
  snapshot: PurgeSnapshot
}

/** How often a push is tried, and the first backoff (doubled each time). */
export const PUSH_ATTEMPTS = 3
export const PUSH_BACKOFF_MS = 20

/**
 * Calls `fn` up to `attempts` times, waiting `backoffMs`, then twice that, … between tries.
 * @returns its result
 * @throws its last error
 */
export async function withRetries<T>(
  fn: () => Promise<T>,
  attempts = PUSH_ATTEMPTS,
  backoffMs = PUSH_BACKOFF_MS
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      if (attempt >= attempts) throw error
      await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)))
    }
  }
}

/**
 * Merges pushes of one zone into one (records in sequence order, duplicates dropped).
 * @returns one push per zone
 */
export function mergePushes(pushes: readonly PurgePush[]): PurgePush[] {
  const byZone = new Map<string, PurgePush>()
  for (const push of pushes) {
    const seen = byZone.get(push.zone)
    if (!seen) {
      byZone.set(push.zone, {
        zone: push.zone,
        prevSeq: push.prevSeq,
        snapshot: { ...push.snapshot, records: [...push.snapshot.records] },
      })
      continue
    }
    const known = new Set(seen.snapshot.records.map((r) => r.seq))
    seen.prevSeq = Math.min(seen.prevSeq, push.prevSeq)
    seen.snapshot.records.push(...push.snapshot.records.filter((r) => !known.has(r.seq)))
    seen.snapshot.records.sort((a, b) => a.seq - b.seq)
    seen.snapshot.seq = Math.max(seen.snapshot.seq, push.snapshot.seq)
    seen.snapshot.floor = Math.max(seen.snapshot.floor, push.snapshot.floor)
  }
  return [...byZone.values()]
}

/** A relay's address: the lead of a (region, zone group), or one of its PoP-group relays. */
export interface RelayAddress {
  region: string
  shard: number
  /** Absent for the lead, which the log pushes to and which pushes on to the tier shards. */
  popGroup?: number
}

/**
 * The name of a relay: `purge-relay:<region>:<shard>` for the lead (the name relays had before
 * PoP groups), `purge-relay:<region>:<shard>:<popGroup>` for a PoP-group relay.
 */
export function relayName(region: string, shard: number, popGroup?: number): string {
  const lead = `purge-relay:${region}:${shard}`
  return popGroup === undefined ? lead : `${lead}:${popGroup}`
}

/** The inverse of `relayName`, or undefined for any other name. */
export function parseRelayName(name: string | undefined): RelayAddress | undefined {
  const match = /^purge-relay:([a-z]+):(\d+)(?::(\d+))?$/.exec(name ?? '')
  if (!match?.[1] || !match[2]) return undefined
  const address: RelayAddress = { region: match[1], shard: Number(match[2]) }
  if (match[3] !== undefined) address.popGroup = Number(match[3])
  return address
}

/** The relay shard (zone group, per region) a zone's records go through. */
export function relayShardOf(zone: string): number {
  return shardFor(zone, RELAY_SHARDS)
}

/** The PoP group (per region) a PoP reads its relays in. */
export function popGroupOf(colo: string): number {
  return shardFor(colo.toUpperCase(), POP_GROUPS)
}
