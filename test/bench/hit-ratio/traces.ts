/**
 * @module bench/hit-ratio/traces
 * The hit-ratio simulator's workloads and its command line: Zipf traces with lognormal object
 * sizes, a share of one-hit wonders, periodic scans or a popular set that moves. A seed gives
 * the same trace on every run.
 */
import { lognormalSize, random, zipf } from '../workload'
import type { Trace } from './policies'

export interface Options {
  objects: number
  requests: number
  seed: number
  /** Cache sizes as fractions of the catalogue's bytes. */
  fractions: number[]
  /** Share of requests for objects asked for once only. */
  oneHitShare: number
  /** Requests counted only after this share of the trace (warm-up). */
  warmup: number
}

/** How a workload picks the object of request r (before one-hit wonders are mixed in). */
export interface Workload {
  name: string
  alpha: number
  /** 10 times over the trace, this share of its requests go to one-time keys in a row. */
  scanShare?: number
  /** 20 times over the trace, the popularity ranks move by this share of the catalogue. */
  shiftShare?: number
}

export const WORKLOADS: Workload[] = [
  { name: 'Zipf α 0.6', alpha: 0.6 },
  { name: 'Zipf α 0.8', alpha: 0.8 },
  { name: 'Zipf α 1.0', alpha: 1.0 },
  { name: 'α 0.8 + 10 scans (10% of requests)', alpha: 0.8, scanShare: 0.1 },
  { name: 'α 0.8, popular set moving 5% 20 times', alpha: 0.8, shiftShare: 0.05 },
]

export function makeTrace(options: Options, workload: Workload): Trace {
  const rand = random(options.seed * 7919 + Math.round(workload.alpha * 100))
  const n = options.objects
  const pick = zipf(n, workload.alpha)
  const wonders = Math.round(options.requests * options.oneHitShare)
  const scanEvery = Math.ceil(options.requests / 10)
  const scanLength = Math.floor((options.requests * (workload.scanShare ?? 0)) / 10)
  const scanned = 10 * scanLength
  const shiftEvery = Math.ceil(options.requests / 20)
  const shiftStep = Math.floor(n * (workload.shiftShare ?? 0))
  const keys: string[] = []
  const sizes = new Float64Array(n + wonders + scanned)
  let catalogueBytes = 0
  for (let i = 0; i < n; i++) {
    keys.push(`o${i}`)
    sizes[i] = lognormalSize(rand)
    catalogueBytes += sizes[i] ?? 0
  }
  for (let i = 0; i < wonders + scanned; i++) {
    keys.push(`w${i}`)
    sizes[n + i] = lognormalSize(rand)
  }
  const ids = new Int32Array(options.requests)
  let once = n
  for (let r = 0; r < options.requests; r++) {
    if (r % scanEvery < scanLength && once < n + wonders + scanned) {
      ids[r] = once++
      continue
    }
    if (once < n + wonders + scanned && rand() < options.oneHitShare) {
      ids[r] = once++
      continue
    }
    ids[r] = (pick(rand()) + Math.floor(r / shiftEvery) * shiftStep) % n
  }
  return { keys, sizes, ids, catalogueBytes }
}

export function parse(argv: string[]): Options {
  const arg = (name: string, fallback: number) => {
    const at = argv.indexOf(`--${name}`)
    const value = at >= 0 ? Number(argv[at + 1]) : Number.NaN
    return Number.isFinite(value) && value > 0 ? value : fallback
  }
  const objects = arg('objects', 100_000)
  return {
    objects,
    requests: arg('requests', 10 * objects),
    seed: arg('seed', 1),
    fractions: [0.005, 0.02, 0.1],
    oneHitShare: 0.2,
    warmup: 0.1,
  }
}
