/**
 * @module api/chaos
 * Chaos drills: a fault injected into one zone's traffic for a bounded time (at most 15 min), to
 * prove that failover works before a real outage does. Started through the admin API with the
 * `chaos` scope (held by no token unless granted explicitly, not even the bootstrap one), audited,
 * and over by itself at `endsAt` (origin/chaos.ts applies them).
 *
 * ```json
 * { "fault": "errors", "share": 0.5, "status": 503, "member": "primary", "durationSeconds": 60 }
 * ```
 */
import { z } from 'zod'
import { configNameSchema } from './config'

/** A drill lasts at most this long. */
export const MAX_DRILL_SECONDS = 15 * 60

export const drillSpecSchema = z
  .object({
    /**
     * `latency`: origin attempts wait `latencyMs` first; `errors`: they answer `status`;
     * `resets`: they fail as a reset connection; `member-down`: pool member `member` counts as
     * down; `tier-unreachable`: the edge treats the tier as unreachable (it goes to the origin).
     */
    fault: z.enum(['latency', 'errors', 'resets', 'member-down', 'tier-unreachable']),
    /** Share of the zone's requests (origin attempts, tier calls) affected. */
    share: z.number().gt(0).max(1).default(1),
    latencyMs: z.number().int().min(1).max(30_000).optional(),
    status: z.number().int().min(500).max(599).default(503),
    /** Only this origin (a pool member, or the route's origin). */
    member: configNameSchema.optional(),
    durationSeconds: z.number().int().min(1).max(MAX_DRILL_SECONDS),
  })
  .refine((d) => d.fault !== 'latency' || d.latencyMs !== undefined, {
    message: 'a latency drill needs latencyMs',
    path: ['latencyMs'],
  })
  .refine((d) => d.fault !== 'member-down' || d.member !== undefined, {
    message: 'a member-down drill needs member',
    path: ['member'],
  })
export type DrillSpec = z.infer<typeof drillSpecSchema>

/** A drill as the edge and tiers apply it. Plain data (crosses Durable Object RPC). */
export interface ChaosFault {
  id: string
  fault: DrillSpec['fault']
  share: number
  latencyMs?: number
  status: number
  member?: string
  /** Past this time (ms since the epoch) the drill does nothing. */
  endsAt: number
}

/**
 * @param row a stored drill
 * @returns the fault the edge and tiers apply
 */
export function drillFault(row: { id: string; spec: DrillSpec; endsAt: Date }): ChaosFault {
  const { fault, share, latencyMs, status, member } = row.spec
  return {
    id: row.id,
    fault,
    share,
    status,
    endsAt: row.endsAt.getTime(),
    ...(latencyMs !== undefined && { latencyMs }),
    ...(member !== undefined && { member }),
  }
}
