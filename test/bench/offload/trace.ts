/**
 * @module bench/offload/trace
 * The offload bench's workload: a seeded catalogue of objects with lognormal sizes, and a trace
 * of requests drawing objects from a Zipf distribution and PoPs from a weighted list, all in one
 * region. Both configurations replay the same trace, so their origin counts compare directly.
 * Also the trace's lower bounds on origin fetches.
 */
import { regionOf } from '../../../schemas/regions'
import { lognormalSize, random, type SizeShape, zipf } from '../workload'

export interface Pop {
  colo: string
  country: string
  continent: string
  /** Relative share of the requests this PoP receives. */
  weight: number
}

/** Eight EU PoPs, weighted roughly like the traffic of their metros. */
export const EU_POPS: readonly Pop[] = [
  { colo: 'FRA', country: 'DE', continent: 'EU', weight: 4 },
  { colo: 'LHR', country: 'GB', continent: 'EU', weight: 4 },
  { colo: 'AMS', country: 'NL', continent: 'EU', weight: 3 },
  { colo: 'CDG', country: 'FR', continent: 'EU', weight: 3 },
  { colo: 'MAD', country: 'ES', continent: 'EU', weight: 2 },
  { colo: 'MXP', country: 'IT', continent: 'EU', weight: 2 },
  { colo: 'WAW', country: 'PL', continent: 'EU', weight: 1 },
  { colo: 'ARN', country: 'SE', continent: 'EU', weight: 1 },
]

/**
 * Web-like object sizes, mostly small: median 8 KiB, σ 1.5, between 200 B and 1 MiB (about
 * 5% above 100 KiB; the 1 MiB bound is TIER_L1_SECOND_HIT_BYTES, so the largest objects meet
 * the tier's second-hit L1 rule).
 */
export const OFFLOAD_SIZES: SizeShape = {
  medianBytes: 8 * 1024,
  sigma: 1.5,
  minBytes: 200,
  maxBytes: 1024 * 1024,
}

export interface TraceOptions {
  objects: number
  requests: number
  alpha: number
  seed: number
  pops: readonly Pop[]
  sizes?: SizeShape
}

export interface Trace {
  /** Body size of object i (rank i: 0 is the most popular). */
  sizes: number[]
  /** Per request: the object and the index of the PoP it enters at. */
  requests: Array<{ object: number; pop: number }>
  pops: readonly Pop[]
}

/**
 * @param options catalogue, trace length, skew, seed and PoPs
 * @returns the same trace for the same options
 * @throws TypeError when the PoPs are not all in one region, or no PoP has a positive weight
 */
export function makeTrace(options: TraceOptions): Trace {
  const regions = new Set(options.pops.map((p) => regionOf(p).name))
  if (regions.size !== 1) {
    throw new TypeError(`expected PoPs of one region, got ${[...regions].join(', ')}`)
  }
  const total = options.pops.reduce((sum, p) => sum + p.weight, 0)
  if (!(total > 0)) throw new TypeError(`expected a positive PoP weight, got ${total}`)
  const rand = random(options.seed)
  const sizes = Array.from({ length: options.objects }, () =>
    lognormalSize(rand, options.sizes ?? OFFLOAD_SIZES)
  )
  const pick = zipf(options.objects, options.alpha)
  const popOf = (u: number) => {
    let left = u * total
    for (let i = 0; i < options.pops.length; i++) {
      left -= options.pops[i]?.weight ?? 0
      if (left < 0) return i
    }
    return options.pops.length - 1
  }
  const requests = Array.from({ length: options.requests }, () => ({
    object: pick(rand()),
    pop: popOf(rand()),
  }))
  return { sizes, requests, pops: options.pops }
}

export interface Bounds {
  /** Bytes the clients asked for (every request's body). */
  requestedBytes: number
  /** Distinct objects: the fewest origin fetches any cache hierarchy with a shared tier needs. */
  distinctObjects: number
  distinctBytes: number
  /** Distinct (PoP, object) pairs: the fewest origin fetches of independent per-PoP caches. */
  distinctPopObjects: number
  distinctPopBytes: number
}

/** What the trace itself implies, before any cache runs: demand and lower bounds. */
export function bounds(trace: Trace): Bounds {
  const objects = new Set<number>()
  const pairs = new Set<number>()
  let requestedBytes = 0
  let distinctPopBytes = 0
  for (const { object, pop } of trace.requests) {
    const size = trace.sizes[object] ?? 0
    requestedBytes += size
    objects.add(object)
    const pair = object * trace.pops.length + pop
    if (!pairs.has(pair)) {
      pairs.add(pair)
      distinctPopBytes += size
    }
  }
  let distinctBytes = 0
  for (const object of objects) distinctBytes += trace.sizes[object] ?? 0
  return {
    requestedBytes,
    distinctObjects: objects.size,
    distinctBytes,
    distinctPopObjects: pairs.size,
    distinctPopBytes,
  }
}
