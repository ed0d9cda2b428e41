/**
 * @module origin/monitor
 * Active health as pure decisions: whether one probe's answer is good, and how consecutive
 * probes move an origin between up and down (`downCount` bad ones in a row take it out,
 * `upCount` good ones bring it back). An origin nobody has probed yet counts as up.
 * @see origin/health-monitor.ts, the Durable Object that runs the probes
 */
import type { MonitorSpec } from '../schemas/api/monitor'

export interface ProbeResult {
  at: number
  ok: boolean
  /** The answer's status, when there was one. */
  status?: number
  ms: number
  /** Why the probe was bad. */
  reason?: string
}

export interface MonitorState {
  healthy: boolean
  /** Good (positive) or bad (negative) probes in a row. */
  streak: number
  /** When `healthy` last changed (or the first probe). */
  since: number
}

export interface Transition {
  at: number
  healthy: boolean
  reason?: string
}

export const UNPROBED: MonitorState = { healthy: true, streak: 0, since: 0 }

/**
 * @param status the probe's answer status
 * @param body the start of its body, when the monitor looks for a substring
 * @param spec the monitor
 * @returns undefined when good, else why not
 */
export function judgeAnswer(
  status: number,
  body: string | undefined,
  spec: MonitorSpec
): string | undefined {
  if (!spec.expectedCodes.includes(status)) return `status ${status}`
  if (spec.expectBody !== undefined && !(body ?? '').includes(spec.expectBody)) {
    return `body lacks ${JSON.stringify(spec.expectBody)}`
  }
  return undefined
}

/**
 * @param state before the probe
 * @param probe its result
 * @param spec the monitor (up and down counts)
 * @returns the state after it, and the transition if the origin changed sides
 */
export function afterProbe(
  state: MonitorState,
  probe: ProbeResult,
  spec: MonitorSpec
): { state: MonitorState; transition?: Transition } {
  const streak = probe.ok ? Math.max(0, state.streak) + 1 : Math.min(0, state.streak) - 1
  const flips = state.healthy ? -streak >= spec.downCount : streak >= spec.upCount
  if (!flips) return { state: { ...state, streak } }
  const healthy = !state.healthy
  return {
    state: { healthy, streak, since: probe.at },
    transition: { at: probe.at, healthy, ...(probe.reason && { reason: probe.reason }) },
  }
}
