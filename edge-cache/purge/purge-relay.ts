/**
 * @module purge/purge-relay
 * A region's copy of the purge logs of the zones hashed to it, so that nothing polls a zone's
 * single log from every isolate. Relays form a matrix per region: zone group (n = the zone's
 * relay shard) × PoP group (purge-push.ts).
 * - The lead of a zone group (`purge-relay:<region>:<n>`) is what the zone's log pushes each
 *   durable purge to. It pushes what it received on to its PoP-group relays and to every tier
 *   shard of its region, coalescing each: one round in flight, and what arrives meanwhile goes
 *   in the next, so a PoP-group relay hears from it at most once per RELAY_FAN_OUT_MS and a
 *   shard at most once per RELAY_FLUSH_MS, however many zones purge. Only leads push to tier
 *   shards, so a shard gets each purge once per region.
 * - A PoP-group relay (`purge-relay:<region>:<n>:<g>`) answers the edges of its PoPs, which
 *   ask it for what is newer than their view (`deltas`, many zones per call), once per PoP per
 *   window (workers/purge-relay-client.ts).
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
  RELAY_FAN_OUT_MS,
  RELAY_FLUSH_MS,
  RELAY_LEASE_MS,
  relayName,
  withRetries,
} from './purge-push'

interface ZoneCopy extends PurgeSnapshot {
  heardAt: number
}

export class PurgeRelay extends DurableObject<Env> {
  /** Leases and push spacing; tests replace it through runInDurableObject. */
  clock: Clock = systemClock
  readonly #zones = new Map<string, ZoneCopy>()
  /** A lead's two fan-outs; a PoP-group relay passes nothing on. */
  /** The relay's clock as the fan-outs read it (a test replaces `clock` after construction). */
  readonly #now: Clock = { now: () => this.clock.now() }
  readonly #toTiers = new FanOut(RELAY_FLUSH_MS, this.#now, (batch) => this.#pushToTiers(batch))
  readonly #toPopGroups = new FanOut(RELAY_FAN_OUT_MS, this.#now, (batch) =>
    this.#pushToPopGroups(batch)
  )
  /** A lead's PoP-group relays that hold each zone (kept in storage too: a lead may restart). */
  readonly #subscribers = new Map<string, Set<number>>()
  /** A PoP-group relay's zones its lead knows it holds. */
  readonly #subscribed = new Set<string>()

  /** A push (the log's to a lead, a lead's to its PoP-group relays): keep the records; a lead passes them on. */
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
    if (this.#address?.popGroup !== undefined) return
    this.#toPopGroups.add(pushes)
    this.#toTiers.add(pushes)
  }

  get #address() {
    return parseRelayName(this.ctx.id.name)
  }

  /**
   * A lead's: a PoP-group relay now holds the zone, so pushes of the zone go to it too. A lead
   * pushes only to the groups whose PoPs serve the zone.
   */
  async subscribe(zone: string, popGroup: number): Promise<void> {
    const groups = await this.#subscribersOf(zone)
    if (groups.has(popGroup)) return
    groups.add(popGroup)
    await this.ctx.storage.put(`subscribers:${zone}`, [...groups])
  }

  async #subscribersOf(zone: string): Promise<Set<number>> {
    const known = this.#subscribers.get(zone)
    if (known) return known
    const stored = await this.ctx.storage.get<number[]>(`subscribers:${zone}`)
    const groups = this.#subscribers.get(zone) ?? new Set(stored ?? [])
    this.#subscribers.set(zone, groups)
    return groups
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
    // Subscribed before the read: whatever the lead pushes after the read reaches this copy.
    if (!this.#subscribed.has(zone)) await this.#subscribe(zone)
    const snapshot = await purgeLogFor(this.env.PURGE_LOG, zone).snapshot(0)
    const copy = { ...snapshot, heardAt: now }
    this.#zones.set(zone, copy)
    return copy
  }

  async #subscribe(zone: string): Promise<void> {
    const address = this.#address
    const region = REGIONS.find((r) => r.name === address?.region)
    if (address?.popGroup === undefined || !region) return
    const namespace = this.env.PURGE_RELAY
    const lead = namespace.get(namespace.idFromName(relayName(region.name, address.shard)), {
      locationHint: region.locationHint,
    })
    await withRetries(() => lead.subscribe(zone, address.popGroup ?? 0))
    this.#subscribed.add(zone)
  }

  /** Pushes a batch to every tier shard of the lead's region. */
  async #pushToTiers(batch: PurgePush[]): Promise<void> {
    const region = REGIONS.find((r) => r.name === this.#address?.region)
    if (!region) return
    const shard = tierShards(this.env.CACHE_TIER, region, settingsOf(this.env).tierJurisdictions)
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

  /** Pushes a batch to the lead's PoP-group relays that hold one of its zones (near it). */
  async #pushToPopGroups(batch: PurgePush[]): Promise<void> {
    const address = this.#address
    const region = REGIONS.find((r) => r.name === address?.region)
    if (!address || !region) return
    const groups = new Set<number>()
    for (const { zone } of batch) for (const g of await this.#subscribersOf(zone)) groups.add(g)
    const namespace = this.env.PURGE_RELAY
    const results = await Promise.allSettled(
      [...groups].map((group) => {
        const name = relayName(region.name, address.shard, group)
        const stub = namespace.get(namespace.idFromName(name), {
          locationHint: region.locationHint,
        })
        return withRetries(() => stub.push(batch))
      })
    )
    for (const result of results) {
      // That relay's copy then ages past its lease and it reads the log before answering.
      if (result.status === 'rejected') console.error('relay push failed', result.reason)
    }
  }
}

/**
 * Sends queued pushes to a set of receivers: one round in flight, rounds at least `spacingMs`
 * apart, and what arrives meanwhile merged into the next round. Idle, a push goes at once.
 */
class FanOut {
  #pending: PurgePush[] = []
  #running: Promise<void> | undefined
  #sentAt = Number.NEGATIVE_INFINITY

  constructor(
    readonly spacingMs: number,
    readonly clock: Clock,
    readonly send: (batch: PurgePush[]) => Promise<void>
  ) {}

  add(pushes: readonly PurgePush[]): void {
    this.#pending.push(...pushes)
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined
    })
  }

  async #run(): Promise<void> {
    while (this.#pending.length > 0) {
      const wait = this.#sentAt + this.spacingMs - this.clock.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      this.#sentAt = this.clock.now()
      const batch = mergePushes(this.#pending)
      this.#pending = []
      await this.send(batch)
    }
  }
}
