/**
 * @module bench/workload
 * Synthetic workload pieces the benches share: a seedable PRNG, a Zipf rank sampler and
 * lognormal object sizes. Each draw consumes a fixed number of PRNG values, so a seed gives the
 * same trace on every run.
 */

/** mulberry32: small, fast, seedable; uniform in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A Zipf distribution over ranks 0 … n − 1: P(rank i) ∝ 1 / (i + 1)^α.
 * @param n how many objects
 * @param alpha the skew (0: uniform; ~0.6–1.0 for web traffic)
 * @returns `pick(u)`, the rank for a uniform draw u in [0, 1) (one draw per rank)
 * @throws TypeError when n is not a positive integer or alpha is negative
 */
export function zipf(n: number, alpha: number): (u: number) => number {
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`expected n ≥ 1, got ${n}`)
  if (!(alpha >= 0)) throw new TypeError(`expected alpha ≥ 0, got ${alpha}`)
  const cdf = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** alpha
    cdf[i] = sum
  }
  return (u) => {
    const target = u * sum
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((cdf[mid] ?? 0) < target) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

export interface SizeShape {
  medianBytes: number
  /** σ of the underlying normal: 1.6 spreads sizes over about four decades. */
  sigma: number
  minBytes: number
  maxBytes: number
}

/** The hit-ratio simulator's sizes: median 32 KiB, σ 1.6, between 200 B and 64 MiB. */
export const WEB_SIZES: SizeShape = {
  medianBytes: 32 * 1024,
  sigma: 1.6,
  minBytes: 200,
  maxBytes: 64 * 1024 * 1024,
}

/**
 * A lognormal body size (Box–Muller, two draws), rounded and clamped to the shape's bounds.
 * @param rand the PRNG
 * @param shape median, spread and bounds
 * @returns a size in bytes
 */
export function lognormalSize(rand: () => number, shape: SizeShape = WEB_SIZES): number {
  const u = Math.max(rand(), 1e-12)
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
  const size = Math.round(shape.medianBytes * Math.exp(shape.sigma * normal))
  return Math.min(shape.maxBytes, Math.max(shape.minBytes, size))
}
