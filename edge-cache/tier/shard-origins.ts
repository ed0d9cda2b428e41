/**
 * @module tier/shard-origins
 * The origins a tier shard fetches from: each request's origin (or pool) reading the bucket of
 * its content's residency region, wrapped in the zone's chaos drills, retries and this shard's
 * circuit breaker for it. Breakers and the monitors' view are the shard's: every PoP whose
 * requests reach the shard shares them, and they run on the shard's clock.
 */
import { BreakerRegistry, MAX_BREAKERS } from '../../origin/breakers'
import { chaosOrigin, drilledDown } from '../../origin/chaos'
import { originDependencies } from '../../origin/dependencies'
import { varyingOn } from '../../origin/key-headers'
import { MonitorView } from '../../origin/monitor-view'
import { isMonitored, targetOrigin } from '../../origin/pool-origin'
import { selectOrigin, timeoutOf } from '../../origin/select'
import type { Origin, OriginRequest } from '../../origin/types'
import type { OriginSpec } from '../../schemas/api/config'
import type { Clock } from '../clock'
import { noSpans, type Spans, tracedOrigin } from '../tracing/spans'
import type { TierRequest } from './protocol'

export class ShardOrigins {
  readonly #bindings: object
  readonly #timeoutMs: number
  readonly #clock: Clock
  readonly #breakers: BreakerRegistry
  /** What the region's active monitors say, for pools (origin/monitor-view.ts). */
  readonly #monitors: MonitorView

  /**
   * @param bindings the Worker's env: origins resolve the names their zone was granted
   * @param timeoutMs the default origin timeout
   * @param clock the shard's clock (breakers, drills, the monitors' view)
   * @param monitorsDown asks the zone's monitor object in this region which origins are down
   */
  /** Where the shard's origin fetches are traced (Workers tracing in the Durable Object). */
  readonly #spans: Spans

  constructor(
    bindings: object,
    timeoutMs: number,
    clock: Clock,
    monitorsDown: (zone: string) => Promise<string[]>,
    spans: Spans = noSpans
  ) {
    this.#spans = spans
    this.#bindings = bindings
    this.#timeoutMs = timeoutMs
    this.#clock = clock
    this.#breakers = new BreakerRegistry(MAX_BREAKERS, () => clock.now())
    this.#monitors = new MonitorView(monitorsDown)
  }

  /** The request's origin or pool, resilient and drilled, varying on its cache-key fields. */
  originFor(request: TierRequest): Origin {
    const region = request.residency?.region
    const deps = originDependencies(this.#bindings, request.grants, this.#timeoutMs)
    const now = () => this.#clock.now()
    const build = (spec: OriginSpec, name?: string) =>
      chaosOrigin(selectOrigin(spec, deps, region), name, request.chaos, { now })
    const down = () => this.downMembers(request)
    const breakers = this.#breakers.forZone(request.purge.zone)
    const origin = varyingOn(
      targetOrigin(request.origin, request.key, region, breakers, build, { down, now }),
      request.cacheKeyHeaders
    )
    return tracedOrigin(origin, this.#spans, 'tier')
  }

  /** How long the request's origin may stay silent, before its answer or in its body. */
  timeoutFor(request: TierRequest): number {
    return timeoutOf(request.origin, this.#timeoutMs)
  }

  /** Pool members out by the region's monitors or by a chaos drill. */
  async downMembers(request: TierRequest): Promise<ReadonlySet<string>> {
    const drilled = drilledDown(request.chaos, this.#clock.now())
    if (!isMonitored(request.origin)) return new Set(drilled)
    const monitored = await this.#monitors.down(request.purge.zone, this.#clock.now())
    return new Set([...monitored, ...drilled])
  }
}

/** The GET a shard sends its origin for `request`, with these headers. */
export function originGet(request: TierRequest, headers: Headers): OriginRequest {
  return {
    method: 'GET',
    path: request.originPath,
    search: request.search,
    headers,
    clientHost: new URL(request.key).host,
  }
}
