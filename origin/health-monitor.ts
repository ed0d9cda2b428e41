/**
 * @module origin/health-monitor
 * Active health checks: one Durable Object per zone and region (`health:<zone>:<region>`, placed
 * in the region) probes the zone's HTTP origins that declare a `monitor`, from its alarm, never
 * from client requests. It keeps each origin's state, its last probes and its transitions in its
 * SQLite storage. Tier shards read the zone's up/down map (`healthMap`, at most once a second per
 * shard: origin/pool-origin.ts skips members that are down); the admin API reads one origin's
 * record (`health`). The first read starts the alarm; it stops when no origin is monitored.
 * Load: see test/bench/monitor-load.ts.
 * @see origin/monitor.ts for the up/down decisions
 */
import { DurableObject } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { drizzle as drizzleDurable } from 'drizzle-orm/durable-sqlite'
import { migrate } from 'drizzle-orm/durable-sqlite/migrator'
import { type Clock, systemClock } from '../edge-cache/clock'
import { discard } from '../edge-cache/discard'
import type { MonitorSpec } from '../schemas/api/monitor'
import { originRecordSchema } from '../schemas/api/pool'
import { originsTable } from '../schemas/config/tables'
import migrations from '../schemas/durable/health-monitor/drizzle/migrations'
import type { RegionDefinition } from '../schemas/regions'
import {
  afterProbe,
  judgeAnswer,
  type MonitorState,
  type ProbeResult,
  type Transition,
  UNPROBED,
} from './monitor'

/** Probes and transitions kept per origin. */
export const HISTORY = 50
/** How much of a probe's body is searched for `expectBody`. */
const BODY_LIMIT = 64 * 1024

export interface OriginHealth {
  origin: string
  monitored: boolean
  healthy: boolean
  since: number | undefined
  probes: ProbeResult[]
  transitions: Transition[]
}

interface Monitored {
  name: string
  url: string
  monitor: MonitorSpec
}

/** The object's name for a zone and region. */
export function healthMonitorName(zone: string, region: string): string {
  return `health:${zone}:${region}`
}

/** The zone's monitor object for a region, placed in that region. */
export function healthMonitorFor(
  namespace: DurableObjectNamespace<HealthMonitor>,
  zone: string,
  region: RegionDefinition
) {
  const id = namespace.idFromName(healthMonitorName(zone, region.name))
  return namespace.get(id, { locationHint: region.locationHint })
}

export class HealthMonitor extends DurableObject<Env> {
  /** When probes are due and taken; tests replace it through runInDurableObject. */
  clock: Clock = systemClock
  readonly #sql: SqlStorage

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#sql = ctx.storage.sql
    // The tables: schemas/durable/health-monitor.
    void ctx.blockConcurrencyWhile(() => migrate(drizzleDurable(ctx.storage), migrations))
  }

  /**
   * The zone's monitored origins that are down as this region sees them; starts the probes.
   * @returns names of origins that are down
   */
  async down(zone: string): Promise<string[]> {
    await this.#watch(zone)
    return this.#sql
      .exec<{ origin: string }>('SELECT origin FROM state WHERE healthy = 0')
      .toArray()
      .map((r) => r.origin)
  }

  /** One origin's state, last probes and transitions, newest first. */
  async health(zone: string, origin: string): Promise<OriginHealth> {
    await this.#watch(zone)
    const state = this.#sql
      .exec<{ healthy: number; since: number }>(
        'SELECT healthy, since FROM state WHERE origin = ?',
        origin
      )
      .toArray()[0]
    const probes = this.#sql
      .exec<{ at: number; ok: number; status: number | null; ms: number; reason: string | null }>(
        'SELECT at, ok, status, ms, reason FROM probes WHERE origin = ? ORDER BY at DESC LIMIT ?',
        origin,
        HISTORY
      )
      .toArray()
      .map((p) => ({
        at: p.at,
        ok: p.ok === 1,
        ms: p.ms,
        ...(p.status !== null && { status: p.status }),
        ...(p.reason !== null && { reason: p.reason }),
      }))
    const transitions = this.#sql
      .exec<{ at: number; healthy: number; reason: string | null }>(
        'SELECT at, healthy, reason FROM transitions WHERE origin = ? ORDER BY at DESC LIMIT ?',
        origin,
        HISTORY
      )
      .toArray()
      .map((t) => ({ at: t.at, healthy: t.healthy === 1, ...(t.reason && { reason: t.reason }) }))
    return {
      origin,
      monitored: state !== undefined,
      healthy: state ? state.healthy === 1 : true,
      since: state?.since,
      probes,
      transitions,
    }
  }

  /** Probes every monitored origin that is due, then sleeps until the next is. */
  override async alarm(): Promise<void> {
    const zone = this.#zone()
    if (zone === undefined) return
    const monitored = await this.#monitored(zone)
    const names = monitored.map((m) => m.name)
    // Origins no longer monitored leave the map (they count as up).
    for (const row of this.#sql.exec<{ origin: string }>('SELECT origin FROM state').toArray()) {
      if (!names.includes(row.origin))
        this.#sql.exec('DELETE FROM state WHERE origin = ?', row.origin)
    }
    const now = this.clock.now()
    const due = monitored.filter((m) => this.#nextAt(m.name) <= now)
    const results = await Promise.all(due.map((m) => probe(m, fetch, this.clock)))
    due.forEach((m, i) => {
      const result = results[i]
      if (result) this.#record(m, result)
    })
    const next = Math.min(...monitored.map((m) => this.#nextAt(m.name)))
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(Math.max(next, this.clock.now()))
  }

  async #watch(zone: string): Promise<void> {
    if (this.#zone() !== zone) {
      this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('zone', ?)", zone)
    }
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(this.clock.now())
  }

  #zone(): string | undefined {
    return this.#sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'zone'")
      .toArray()[0]?.value
  }

  #nextAt(origin: string): number {
    return (
      this.#sql
        .exec<{ next_at: number }>('SELECT next_at FROM state WHERE origin = ?', origin)
        .toArray()[0]?.next_at ?? 0
    )
  }

  async #monitored(zone: string): Promise<Monitored[]> {
    const rows = await drizzle(this.env.CONFIG_DB)
      .select()
      .from(originsTable)
      .where(eq(originsTable.zone, zone))
    return rows.flatMap((row) => {
      const spec = originRecordSchema.safeParse(row.spec)
      if (!spec.success || spec.data.kind !== 'http' || !spec.data.monitor) return []
      return [{ name: row.name, url: spec.data.url, monitor: spec.data.monitor }]
    })
  }

  #record(m: Monitored, result: ProbeResult): void {
    const row = this.#sql
      .exec<{ healthy: number; streak: number; since: number }>(
        'SELECT healthy, streak, since FROM state WHERE origin = ?',
        m.name
      )
      .toArray()[0]
    const before: MonitorState = row ? { ...row, healthy: row.healthy === 1 } : UNPROBED
    const { state, transition } = afterProbe(before, result, m.monitor)
    this.#sql.exec(
      'INSERT OR REPLACE INTO state (origin, healthy, streak, since, next_at) VALUES (?, ?, ?, ?, ?)',
      m.name,
      state.healthy ? 1 : 0,
      state.streak,
      state.since || result.at,
      result.at + m.monitor.intervalSeconds * 1000
    )
    this.#sql.exec(
      'INSERT INTO probes (origin, at, ok, status, ms, reason) VALUES (?, ?, ?, ?, ?, ?)',
      m.name,
      result.at,
      result.ok ? 1 : 0,
      result.status ?? null,
      result.ms,
      result.reason ?? null
    )
    this.#sql.exec(
      `DELETE FROM probes WHERE origin = ? AND at < (SELECT MIN(at) FROM
        (SELECT at FROM probes WHERE origin = ? ORDER BY at DESC LIMIT ?))`,
      m.name,
      m.name,
      HISTORY
    )
    if (transition) {
      console.log(JSON.stringify({ health: m.name, ...transition }))
      this.#sql.exec(
        'INSERT INTO transitions (origin, at, healthy, reason) VALUES (?, ?, ?, ?)',
        m.name,
        transition.at,
        transition.healthy ? 1 : 0,
        transition.reason ?? null
      )
    }
  }
}

/** One probe: the monitor's request with its timeout, judged. Never throws. */
export async function probe(
  m: Monitored,
  fetcher: typeof fetch = fetch,
  clock: Clock = systemClock
): Promise<ProbeResult> {
  const at = clock.now()
  const target = new URL(m.url)
  target.pathname = target.pathname.replace(/\/$/, '') + m.monitor.path
  try {
    const res = await fetcher(target, {
      method: m.monitor.method,
      signal: AbortSignal.timeout(m.monitor.timeoutMs),
      headers: { 'user-agent': 'edge-cdn-health-monitor' },
    })
    const body = m.monitor.expectBody === undefined ? undefined : await readStart(res)
    if (body === undefined) await discard(res.body)
    const reason = judgeAnswer(res.status, body, m.monitor)
    return {
      at,
      ok: reason === undefined,
      status: res.status,
      ms: clock.now() - at,
      ...(reason && { reason }),
    }
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'unreachable'
    return { at, ok: false, ms: clock.now() - at, reason }
  }
}

/** The first BODY_LIMIT bytes of a body, as text; the rest is not read. */
async function readStart(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < BODY_LIMIT) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  await reader.cancel()
  const bytes = new Uint8Array(Math.min(size, BODY_LIMIT))
  let offset = 0
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset)
    bytes.set(part, offset)
    offset += part.length
  }
  return new TextDecoder().decode(bytes)
}
