/**
 * @module purge/purge-push
 * What the purge log pushes down (to the regional relays, and they to the tier shards) once a
 * purge is durable: the zone's new records and the sequence they follow. A receiver whose view
 * is behind `prevSeq` missed a push and catches up from the log before it serves again.
 * Pure helpers, plus a bounded retry for the push RPCs.
 */
import { shardFor } from '../shard'
import type { PurgeSnapshot } from './purge-index'

/** Relay shards per region: zones are hashed onto them, so no relay holds every zone. */
export const RELAY_SHARDS = 32
/** A relay's copy of a zone not refreshed by a push or a read of the log for this long is read again. */
export const RELAY_LEASE_MS = 2_000
/**
 * At most one push from a relay to the tier shards per this interval: with every relay of a
 * region pushing, a shard hears at most RELAY_SHARDS / this many pushes a second.
 */
export const RELAY_FLUSH_MS = 100

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

/** The name of the relay that holds a zone's records for a region's edges and tier shards. */
export function relayName(region: string, shard: number): string {
  return `purge-relay:${region}:${shard}`
}

/** The inverse of `relayName`, or undefined for any other name. */
export function parseRelayName(name: string | undefined): { region: string } | undefined {
  const match = /^purge-relay:([a-z]+):\d+$/.exec(name ?? '')
  return match?.[1] ? { region: match[1] } : undefined
}

/** The relay shard (per region) a zone's records go through. */
export function relayShardOf(zone: string): number {
  return shardFor(zone, RELAY_SHARDS)
}
