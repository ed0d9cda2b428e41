/**
 * @module api/monitor
 * An origin's active health monitor: what to request, how often, and what counts as up. Probes
 * run from a Durable Object alarm per zone and region (origin/health-monitor.ts), never from
 * client requests.
 *
 * ```json
 * { "path": "/healthz", "intervalSeconds": 10, "expectedCodes": [200], "expectBody": "ok",
 *   "upCount": 2, "downCount": 3 }
 * ```
 */
import { z } from 'zod'

export const monitorSpecSchema = z.object({
  /** Requested below the origin's URL, like a client path. */
  path: z.string().startsWith('/', 'must start with /').max(1024).default('/'),
  method: z.enum(['GET', 'HEAD']).default('GET'),
  intervalSeconds: z.number().int().min(1).max(3600).default(60),
  /** Connect + full answer, in milliseconds. */
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
  expectedCodes: z.array(z.number().int().min(100).max(599)).min(1).max(50).default([200]),
  /** A substring the body must contain (its first 64 KiB are read). */
  expectBody: z.string().min(1).max(256).optional(),
  /** Consecutive good probes that bring a down origin back. */
  upCount: z.number().int().min(1).max(20).default(2),
  /** Consecutive bad probes that take an up origin out. */
  downCount: z.number().int().min(1).max(20).default(3),
})
export type MonitorSpec = z.infer<typeof monitorSpecSchema>
