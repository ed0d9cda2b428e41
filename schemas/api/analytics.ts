/**
 * @module api/analytics
 * `GET /_admin/zones/:zone/analytics?since=&until=&by=&top=`: the window, the dimension the time
 * series is split by, and how many rows the top-N tables hold. Times are ISO 8601, epoch
 * milliseconds, or relative to now (`-1h`, `-30m`, `-7d`).
 */
import { z } from 'zod'

export const ANALYTICS_DIMENSIONS = [
  'layer',
  'region',
  'colo',
  'status',
  'outcome',
  'route',
  'origin',
] as const

/** Longest window one query may cover. */
export const MAX_WINDOW_MS = 31 * 24 * 3600_000
/** Points a time series has at most; the step grows with the window. */
export const MAX_POINTS = 240

const UNIT_MS = { m: 60_000, h: 3600_000, d: 86_400_000 } as const

/** A time parameter as an epoch-ms function of now; undefined when it says nothing usable. */
function parseTime(value: string): ((now: number) => number) | undefined {
  const relative = /^-(\d{1,6})([mhd])$/.exec(value)
  if (relative?.[1] && relative[2]) {
    const ms = Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]
    return (now) => now - ms
  }
  if (/^\d{1,15}$/.test(value)) return () => Number(value)
  const parsed = Date.parse(value)
  return /^\d{4}-\d\d-\d\dT/.test(value) && Number.isFinite(parsed) ? () => parsed : undefined
}

const timeSchema = z.string().transform((value, ctx) => {
  const time = parseTime(value)
  if (!time) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected an ISO 8601 date-time, epoch milliseconds or -<n>m|h|d',
    })
    return z.NEVER
  }
  return time
})

export const analyticsQuerySchema = z.object({
  since: timeSchema.optional(),
  until: timeSchema.optional(),
  by: z.enum(ANALYTICS_DIMENSIONS).default('layer'),
  top: z.coerce.number().int().min(1).max(100).default(10),
})

export interface AnalyticsWindow {
  since: number
  until: number
  stepMs: number
}

/**
 * Resolves the query's window at `now`: default the last hour; `since` before `until`, no longer
 * than MAX_WINDOW_MS; the step a whole number of minutes giving at most MAX_POINTS points.
 * @returns the window, or a message naming the problem
 */
export function analyticsWindow(
  query: z.infer<typeof analyticsQuerySchema>,
  now: number
): AnalyticsWindow | { error: string } {
  const until = query.until?.(now) ?? now
  const since = query.since?.(now) ?? until - 3600_000
  if (since >= until) return { error: 'since must be before until' }
  if (until - since > MAX_WINDOW_MS) return { error: 'the window may be at most 31 days' }
  const minutes = Math.ceil((until - since) / 60_000 / MAX_POINTS)
  // Minute-aligned, so that buckets line up with the stored minutes.
  const start = since - (since % 60_000)
  return { since: start, until, stepMs: Math.max(1, minutes) * 60_000 }
}
