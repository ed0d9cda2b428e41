/**
 * @module bench/soak/stats
 * Small statistics for the soak: percentiles, means and least-squares slopes.
 */

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0
}

/** The values in ascending order, as a typed array (numeric sort). */
export const ascending = (values: number[]) => Float64Array.from(values).sort()

/** The arithmetic mean; NaN when empty. */
export const mean = (xs: number[]) =>
  xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN

/**
 * Least-squares slope of y over x.
 * @returns dy/dx, or 0 with fewer than two distinct x
 */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length
  if (n < 2) return 0
  const mx = points.reduce((a, p) => a + p.x, 0) / n
  const my = points.reduce((a, p) => a + p.y, 0) / n
  let sxy = 0
  let sxx = 0
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my)
    sxx += (p.x - mx) ** 2
  }
  return sxx === 0 ? 0 : sxy / sxx
}
