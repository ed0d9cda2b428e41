/**
 * @module api/pool
 * Origin pools: an origin record of kind `pool` names other origins of its zone as members,
 * and a route names the pool where it would name an origin. `weighted` steering sends each cache
 * key to one member, chosen by weight from a hash of the key (so an object keeps one member and
 * the cache stays efficient: a 90/10 canary); `failover` sends everything to the first healthy
 * member in order. Unhealthy members are skipped, then the `fallback` pool is tried.
 *
 * ```json
 * { "kind": "pool", "steering": "weighted", "fallback": "backup",
 *   "members": [{ "origin": "web-a", "weight": 90 }, { "origin": "web-b", "weight": 10 }] }
 * ```
 */
import { z } from 'zod'
import {
  configNameSchema,
  httpOriginSchema,
  type OriginSpec,
  r2OriginSchema,
  s3OriginSchema,
} from './config'

export const poolSpecSchema = z
  .object({
    kind: z.literal('pool'),
    steering: z.enum(['weighted', 'failover']).default('weighted'),
    members: z
      .array(
        z.object({
          /** A concrete origin (r2, http, s3) of the same zone. */
          origin: configNameSchema,
          /** Relative share of keys under `weighted` steering; 0 keeps a member as a spare. */
          weight: z.number().int().min(0).max(10_000).default(1),
        })
      )
      .min(1)
      .max(16),
    /** Another pool of the zone, tried when every member is down. */
    fallback: configNameSchema.optional(),
  })
  .refine((pool) => new Set(pool.members.map((m) => m.origin)).size === pool.members.length, {
    message: 'a member may be listed once',
    path: ['members'],
  })
  .refine((pool) => pool.steering === 'failover' || pool.members.some((m) => m.weight > 0), {
    message: 'weighted steering needs a member with a weight above 0',
    path: ['members'],
  })
export type PoolSpec = z.infer<typeof poolSpecSchema>

/** What an origin record of a zone may hold: a concrete origin or a pool of them. */
export const originRecordSchema = z.discriminatedUnion('kind', [
  r2OriginSchema,
  httpOriginSchema,
  s3OriginSchema,
  poolSpecSchema,
])
export type OriginRecord = z.infer<typeof originRecordSchema>

/** A pool with its members' specs looked up, as the edge sends it to a tier. Plain data. */
export interface ResolvedPool {
  kind: 'pool'
  name: string
  steering: PoolSpec['steering']
  members: { name: string; weight: number; spec: OriginSpec }[]
  fallback?: ResolvedPool
}

/** Where a route's requests go: one origin, or a pool. */
export type OriginTarget = OriginSpec | ResolvedPool

/** How many fallback pools one request may go through. */
const MAX_FALLBACK_DEPTH = 3

/**
 * Looks up a pool's members (and its fallback's) among the zone's records. Members that are
 * missing or are pools themselves are left out; so is a fallback that loops back.
 * @param name the pool's record name
 * @param records the zone's origin records
 * @returns the pool, or undefined when `name` is not a pool or has no usable member
 */
export function resolvePool(
  name: string,
  records: ReadonlyMap<string, OriginRecord>,
  seen: readonly string[] = []
): ResolvedPool | undefined {
  const record = records.get(name)
  if (record?.kind !== 'pool' || seen.includes(name) || seen.length > MAX_FALLBACK_DEPTH) {
    return undefined
  }
  const members = record.members.flatMap(({ origin, weight }) => {
    const spec = records.get(origin)
    return spec && spec.kind !== 'pool' ? [{ name: origin, weight, spec }] : []
  })
  if (members.length === 0) return undefined
  const fallback = record.fallback
    ? resolvePool(record.fallback, records, [...seen, name])
    : undefined
  return { kind: 'pool', name, steering: record.steering, members, ...(fallback && { fallback }) }
}

/**
 * The names a record refers to that must be origin records of the same zone: a pool's members
 * (concrete origins) and its fallback (a pool).
 * @returns problems as `[path, message]`, empty when the references hold
 */
export function poolReferenceIssues(
  pool: PoolSpec,
  kindOf: (name: string) => OriginRecord['kind'] | undefined
): [(string | number)[], string][] {
  const issues: [(string | number)[], string][] = []
  pool.members.forEach(({ origin }, i) => {
    const kind = kindOf(origin)
    if (kind === undefined)
      issues.push([['members', i, 'origin'], `origin ${origin} does not exist`])
    else if (kind === 'pool')
      issues.push([['members', i, 'origin'], `${origin} is a pool, not an origin`])
  })
  if (pool.fallback !== undefined) {
    const kind = kindOf(pool.fallback)
    if (kind !== 'pool') issues.push([['fallback'], `pool ${pool.fallback} does not exist`])
  }
  return issues
}
