/**
 * @module purge/purge-relay
 * A region's copy of the purge logs of the zones hashed to it, so that nothing polls a zone's
 * single log from every isolate. The log pushes each durable purge to one relay per region
 * (`purge-relay:<region>:<n>`, n = the zone's relay shard); the relay:
 * - answers the region's edges, which poll it for what is newer than their view (`deltas`,
 *   many zones per call);
 * - pushes what it received on to every tier shard of its region, coalescing: at most one push
 *   in flight per relay, and what arrives meanwhile goes in the next one, so a shard hears from
 *   a relay at most once per round trip however many zones purge.
 * Its copy is memory only: a zone it does not hold, or has not heard about within
 * `RELAY_LEASE_MS` (it may have missed a push), is read from the zone's log first.
 */
import { DurableObject } from 'cloudflare:workers'
import { REGIONS } from '../../schemas/regions'
import { settingsOf } from '../../schemas/settings'
import { type Clock, systemClock } from '../clock'
import { tierShards } from '../tier-address'
import type { PurgeRecord, PurgeSnapshot } from './purge-index'
import { purgeLogFor } from './purge-log'
import {
  mergePushes,
  type PurgePush,
  parseRelayName,
  RELAY_FLUSH_MS,
  RELAY_LEASE_MS,
  withRetries,
} from './purge-push'

interface ZoneCopy extends PurgeSnapshot {
  heardAt: number
}

export class PurgeRelay extends DurableObject<Env> {
  /** Leases and push spacing; tests replace it through runInDurableObject. */
  clock: Clock = systemClock
  readonly #zones = new Map<string, ZoneCopy>()
  #pending: PurgePush[] = []
  #flushing: Promise<void> | undefined
  #flushedAt = Number.NEGATIVE_INFINITY

  /** The log's push: keep the records, pass them on to the region's tier shards. */
  async push(pushes: PurgePush[]): Promise<void> {
    const now = this.clock.now()
    for (const push of pushes) {
      const copy = this.#zones.get(push.zone)
      if (copy && copy.seq >= push.prevSeq && copy.floor === push.snapshot.floor) {
        copy.records.push(...push.snapshot.records.filter((r) => r.seq > copy.seq))
        copy.seq = Math.max(copy.seq, push.snapshot.seq)
        copy.heardAt = now
      } else {
        // A gap (a missed push) or a zone not held yet: read it whole when next asked.
        this.#zones.delete(push.zone)
      }
    }
    this.#pending.push(...pushes)
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined
    })
  }

  /**
   * @param asks per zone, the newest sequence the asker holds
   * @returns per zone (same order), the records after it with the log's seq and floor
   */
  async deltas(asks: { zone: string; after: number }[]): Promise<PurgeSnapshot[]> {
    const now = this.clock.now()
    return Promise.all(
      asks.map(async ({ zone, after }) => {
        const copy = await this.#copy(zone, now)
        const records: PurgeRecord[] = copy.records.filter((r) => r.seq > after)
        return { seq: copy.seq, floor: copy.floor, records }
      })
    )
  }

  async #copy(zone: string, now: number): Promise<ZoneCopy> {
    const held = this.#zones.get(zone)
    if (held && now - held.heardAt <= RELAY_LEASE_MS) return held
    const snapshot = await purgeLogFor(this.env.PURGE_LOG, zone).snapshot(0)
    const copy = { ...snapshot, heardAt: now }
    this.#zones.set(zone, copy)
    return copy
  }

  /** Pushes what is pending to every tier shard of the region until nothing is left. */
  async #flush(): Promise<void> {
    const region = REGIONS.find((r) => r.name === parseRelayName(this.ctx.id.name)?.region)
    if (!region) return
    const shard = tierShards(this.env.CACHE_TIER, region, settingsOf(this.env).tierJurisdictions)
    while (this.#pending.length > 0) {
      // Idle, the push goes at once; busy, pushes are spaced and what arrives meanwhile joins.
      const wait = this.#flushedAt + RELAY_FLUSH_MS - this.clock.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      this.#flushedAt = this.clock.now()
      const batch = mergePushes(this.#pending)
      this.#pending = []
      const results = await Promise.allSettled(
        Array.from({ length: region.shards }, (_, n) =>
          withRetries(() => shard(n).applyPurges(batch))
        )
      )
      for (const result of results) {
        // The shard's view then ages past its lease and it reads the log before serving.
        if (result.status === 'rejected') console.error('tier push failed', result.reason)
      }
    }
  }
}
