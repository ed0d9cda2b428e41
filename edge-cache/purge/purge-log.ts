/**
 * @module purge/purge-log
 * A zone's purge log: an append-only, sequence-numbered list of purge records in a Durable
 * Object's SQLite. `append` returns only once the records are durable, so a purge that was
 * acknowledged survives restarts. Records older than the longest an entry can live are folded
 * into a floor (entries stored before it count as purged) by a daily alarm.
 *
 * Once durable, a purge is pushed, not polled for: to the zone's relay in every region (which
 * passes it to the region's tier shards and answers the region's edges), and, with a Cloudflare
 * zone configured, forwarded to Cloudflare's purge API as tag purges (purge/synthetic-tags.ts)
 * through an outbox written in the same transaction as the records: a forward that fails is
 * retried by the alarm until Cloudflare takes it.
 */
import { DurableObject } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/durable-sqlite'
import { migrate } from 'drizzle-orm/durable-sqlite/migrator'
import migrations from '../../schemas/durable/purge-log/drizzle/migrations'
import { REGIONS } from '../../schemas/regions'
import { settingsOf } from '../../schemas/settings'
import { type Clock, systemClock } from '../clock'
import { forwardPurges } from './cloudflare-forward'
import type { PurgeKind, PurgeRecord, PurgeSnapshot } from './purge-index'
import { relayName, relayShardOf, withRetries } from './purge-push'
import { forwardBodies } from './synthetic-tags'

/** No entry lives longer than this in any tier (L1 and tier retention are capped to it). */
export const MAX_ENTRY_LIFETIME_SECONDS = 30 * 24 * 3600
const COMPACT_EVERY_MS = 24 * 3600 * 1000
/** A forward Cloudflare did not take is tried again this long after, then twice that, … */
const FORWARD_RETRY_MS = 1_000
const FORWARD_RETRY_MAX_MS = 60_000

/** The name of a zone's purge log object: one per zone. */
export function purgeLogName(zone: string): string {
  return `purge:${zone}`
}

/**
 * @param namespace the PURGE_LOG binding
 * @param zone the zone whose log is wanted
 * @returns the stub of the zone's purge log
 */
export function purgeLogFor<Stub>(
  namespace: { idFromName(name: string): DurableObjectId; get(id: DurableObjectId): Stub },
  zone: string
): Stub {
  return namespace.get(namespace.idFromName(purgeLogName(zone)))
}

export interface PurgeRequest {
  kind: PurgeKind
  value: string
  soft: boolean
}

export class PurgeLog extends DurableObject<Env> {
  /** Record times, compaction and retry schedules; tests replace it through runInDurableObject. */
  clock: Clock = systemClock
  readonly #sql: SqlStorage
  #forwardRun: Promise<void> | undefined
  /** Records after this sequence are not pushed yet (unknown until this instance appends). */
  #pushFrom: number | undefined
  #pushRun: Promise<void> | undefined
  #forwardAgain = false

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#sql = ctx.storage.sql
    // The tables: schemas/durable/purge-log.
    void ctx.blockConcurrencyWhile(() => migrate(drizzle(ctx.storage), migrations))
  }

  get #zone(): string {
    return (this.ctx.id.name ?? '').replace(/^purge:/, '')
  }

  get #forwarding() {
    const { cloudflareZoneId: zoneId, cloudflareApiBaseUrl: baseUrl } = settingsOf(this.env)
    const token = this.env.CLOUDFLARE_API_TOKEN
    if (!zoneId || !token) return undefined
    return { zoneId, token, baseUrl }
  }

  /**
   * Appends records in one transaction.
   * @returns the sequence number of the last record
   */
  async append(requests: PurgeRequest[]): Promise<{ seq: number }> {
    const now = this.clock.now()
    const prevSeq = this.#lastSeq()
    const forwarding = this.#forwarding !== undefined
    this.ctx.storage.transactionSync(() => {
      for (const r of requests) {
        this.#sql.exec(
          'INSERT INTO records (kind, value, soft, created_at) VALUES (?, ?, ?, ?)',
          r.kind,
          r.value,
          r.soft ? 1 : 0,
          now
        )
        if (forwarding)
          this.#sql.exec('INSERT INTO forward_outbox (seq) VALUES (last_insert_rowid())')
      }
    })
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(now + COMPACT_EVERY_MS)
    }
    const seq = this.#lastSeq()
    // Durable: now tell everyone who holds a view. Not awaited: the caller's 200 needs only
    // durability, and each receiver that misses this catches up from the log.
    this.#pushFrom ??= prevSeq
    this.ctx.waitUntil(this.#pushOnce())
    if (forwarding) this.ctx.waitUntil(this.#forwardOnce())
    return { seq }
  }

  /**
   * One push in flight per log: records appended meanwhile go in the next one, so a zone's
   * relays hear from it at most once per round trip however fast it purges.
   */
  #pushOnce(): Promise<void> {
    this.#pushRun ??= (async () => {
      while (this.#pushFrom !== undefined && this.#pushFrom < this.#lastSeq()) {
        const from = this.#pushFrom
        const seq = this.#lastSeq()
        this.#pushFrom = seq
        await this.#push(from, { seq, floor: this.#floor(), records: this.#after(from) })
      }
    })().finally(() => {
      this.#pushRun = undefined
    })
    return this.#pushRun
  }

  /** Pushes new records to the zone's relay in every region, in parallel, with retries. */
  async #push(prevSeq: number, snapshot: PurgeSnapshot): Promise<void> {
    const zone = this.#zone
    const shard = relayShardOf(zone)
    const results = await Promise.allSettled(
      REGIONS.map((region) => {
        const relay = this.env.PURGE_RELAY.get(
          this.env.PURGE_RELAY.idFromName(relayName(region.name, shard)),
          { locationHint: region.locationHint }
        )
        return withRetries(() => relay.push([{ zone, prevSeq, snapshot }]))
      })
    )
    for (const result of results) {
      if (result.status === 'rejected') console.error(`purge push of ${zone} failed`, result.reason)
    }
  }

  /**
   * One forward at a time: an append during a forward is sent by a follow-up once it succeeds;
   * after a failure the alarm's retry takes everything pending.
   */
  #forwardOnce(): Promise<void> {
    if (this.#forwardRun) {
      this.#forwardAgain = true
      return this.#forwardRun
    }
    this.#forwardRun = this.#forwardWhileAppended().finally(() => {
      this.#forwardRun = undefined
    })
    return this.#forwardRun
  }

  async #forwardWhileAppended(): Promise<void> {
    do {
      this.#forwardAgain = false
      await this.#forward()
    } while (this.#forwardAgain)
  }

  /** Sends the outbox to Cloudflare; what it does not take stays for the alarm to retry. */
  async #forward(): Promise<void> {
    const target = this.#forwarding
    if (!target) return
    const pending = this.#sql
      .exec<{ seq: number; kind: PurgeKind; value: string; soft: number }>(
        `SELECT r.seq, r.kind, r.value, r.soft FROM forward_outbox o
         JOIN records r ON r.seq = o.seq ORDER BY r.seq LIMIT 1000`
      )
      .toArray()
      .map((r): PurgeRecord => ({ seq: r.seq, kind: r.kind, value: r.value, soft: r.soft === 1 }))
    if (pending.length === 0) return
    const last = pending.at(-1)?.seq ?? 0
    const result = await forwardPurges(target, forwardBodies(this.#zone, pending))
    if (!result.ok && result.retryable) {
      console.error(
        `forward of ${this.#zone}'s purges to Cloudflare failed; retrying`,
        result.reason
      )
      const attempt = Number((await this.ctx.storage.get<number>('forward-attempt')) ?? 0) + 1
      await this.ctx.storage.put('forward-attempt', attempt)
      const delay = Math.min(FORWARD_RETRY_MAX_MS, FORWARD_RETRY_MS * 2 ** (attempt - 1))
      const alarm = await this.ctx.storage.getAlarm()
      const now = this.clock.now()
      if (alarm === null || alarm > now + delay) await this.ctx.storage.setAlarm(now + delay)
      return
    }
    // Taken, or refused for good (a 4xx other than 429: logged; the edge's own view still
    // applies the purge within its bound).
    if (!result.ok) console.error(`Cloudflare refused ${this.#zone}'s purges`, result.reason)
    this.#sql.exec('DELETE FROM forward_outbox WHERE seq <= ?', last)
    await this.ctx.storage.delete('forward-attempt')
    if (this.#sql.exec('SELECT 1 FROM forward_outbox LIMIT 1').toArray().length > 0)
      await this.#forward()
  }

  #after(seq: number): PurgeRecord[] {
    return this.#sql
      .exec<{ seq: number; kind: PurgeKind; value: string; soft: number }>(
        'SELECT seq, kind, value, soft FROM records WHERE seq > ? ORDER BY seq',
        seq
      )
      .toArray()
      .map((r): PurgeRecord => ({ seq: r.seq, kind: r.kind, value: r.value, soft: r.soft === 1 }))
  }

  /** For tests and operators: how many records still wait for Cloudflare to take them. */
  async forwardBacklog(): Promise<number> {
    return this.#sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM forward_outbox').one().n
  }

  /**
   * @param after return only records newer than this sequence (0 for all)
   * @returns the log's current sequence, floor and the records after `after`
   */
  async snapshot(after = 0): Promise<PurgeSnapshot> {
    return { seq: this.#lastSeq(), floor: this.#floor(), records: this.#after(after) }
  }

  /** Retries the forward outbox; folds records older than any entry can be into the floor. */
  override async alarm(): Promise<void> {
    await this.#forwardOnce()
    let due = (await this.ctx.storage.get<number>('compact-at')) ?? 0
    const now = this.clock.now()
    if (now >= due) {
      this.#compact(now - MAX_ENTRY_LIFETIME_SECONDS * 1000)
      due = now + COMPACT_EVERY_MS
      await this.ctx.storage.put('compact-at', due)
    }
    // A forward retry may have asked for an earlier alarm: keep it.
    const alarm = await this.ctx.storage.getAlarm()
    if (alarm === null || alarm > due) await this.ctx.storage.setAlarm(due)
  }

  #compact(cutoff: number): void {
    const newestOld = this.#sql
      .exec<{ seq: number | null }>(
        'SELECT MAX(seq) AS seq FROM records WHERE created_at < ?',
        cutoff
      )
      .toArray()[0]?.seq
    if (!newestOld) return
    this.ctx.storage.transactionSync(() => {
      this.#sql.exec('INSERT OR REPLACE INTO floor (id, seq) VALUES (0, ?)', newestOld)
      // Records still waiting for Cloudflare are kept until it takes them.
      this.#sql.exec(
        'DELETE FROM records WHERE seq <= ? AND seq NOT IN (SELECT seq FROM forward_outbox)',
        newestOld
      )
    })
  }

  #lastSeq(): number {
    // sqlite_sequence keeps the last AUTOINCREMENT value even after compaction deleted the rows.
    const row = this.#sql
      .exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'records'")
      .toArray()[0]
    return row?.seq ?? 0
  }

  #floor(): number {
    return (
      this.#sql.exec<{ seq: number }>('SELECT seq FROM floor WHERE id = 0').toArray()[0]?.seq ?? 0
    )
  }
}
