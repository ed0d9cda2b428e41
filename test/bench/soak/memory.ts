/**
 * @module bench/soak/memory
 * Samples the platform's resident memory and CPU while the soak runs (test/bench/procs.ts over
 * the `wrangler dev` process group), and judges whether memory stayed flat: the mean RSS of the
 * last part of the run against the window just after warm-up, and the least-squares slope over
 * everything after warm-up.
 */
import { cpuMs, groupPids, rssBytes } from '../procs'
import { slope } from './stats'

const MIB = 2 ** 20

export interface Sample {
  /** Seconds since the run started. */
  t: number
  /** VmRSS summed over the group's workerd processes. */
  workerdRssBytes: number
  /** VmRSS summed over every process of the group (wrangler's Node and esbuild too). */
  groupRssBytes: number
  /** workerd CPU time since the previous sample, as a share of one core (1 = 100 %). */
  workerdCpu: number
  /** This process's CPU (the soak's client and origin) since the previous sample, of one core. */
  harnessCpu: number
  workerdPids: number[]
  /** VmRSS of each workerd process, by pid. */
  workerdRssByPid: Record<string, number>
}

export interface Sampler {
  readonly samples: Sample[]
  stop(): void
}

/**
 * Takes a sample now and every `intervalMs`.
 * @param pgid the `wrangler dev` process group
 * @param startedAt when the run started (performance.now())
 * @param onSample called with each sample as it is taken
 */
export function startSampler(
  pgid: number,
  intervalMs: number,
  startedAt: number,
  onSample: (sample: Sample) => void = () => undefined
): Sampler {
  const samples: Sample[] = []
  let pids = groupPids(pgid, 'workerd')
  let lastAt = performance.now()
  let lastCpu = cpuMs(pids)
  let lastHarness = process.cpuUsage()
  const take = () => {
    const now = performance.now()
    const current = groupPids(pgid, 'workerd')
    // A workerd that exited takes its CPU time with it: count only processes seen both times.
    const kept = current.filter((pid) => pids.includes(pid))
    const cpu = cpuMs(kept)
    const harness = process.cpuUsage(lastHarness)
    const elapsed = Math.max(1, now - lastAt)
    const sample: Sample = {
      t: (now - startedAt) / 1000,
      workerdRssBytes: rssBytes(current),
      groupRssBytes: rssBytes(groupPids(pgid)),
      workerdCpu: samples.length === 0 ? 0 : Math.max(0, cpu - lastCpu) / elapsed,
      harnessCpu: samples.length === 0 ? 0 : (harness.user + harness.system) / 1000 / elapsed,
      workerdPids: current,
      workerdRssByPid: Object.fromEntries(current.map((pid) => [pid, rssBytes([pid])])),
    }
    samples.push(sample)
    try {
      onSample(sample)
    } catch (error) {
      // A timer callback that throws would end the process before the platform is stopped.
      process.stderr.write(`› sample handler failed: ${String(error)}\n`)
    }
    pids = current
    lastAt = now
    lastCpu = cpuMs(current)
    lastHarness = process.cpuUsage()
  }
  take()
  const timer = setInterval(take, intervalMs)
  return {
    samples,
    stop() {
      clearInterval(timer)
      take()
    },
  }
}

export interface MemoryLimits {
  /**
   * Allowed growth of mean workerd RSS, after warm-up to the end: this many MiB ...; undefined:
   * reported, not judged (local workerd's RSS grows under any Worker, a do-nothing one included).
   */
  growthMiB?: number
  /** ... plus this percentage of the RSS after warm-up. */
  growthPct: number
  /** Largest allowed least-squares slope after warm-up, MiB per minute; undefined: unchecked. */
  slopeMiBPerMin?: number
  /** The slope is judged only when the post-warm-up part lasts at least this long, seconds. */
  slopeMinSpanS: number
}

export interface Window {
  fromS: number
  toS: number
  samples: number
  meanMiB: number
  maxMiB: number
}

export interface MemoryVerdict {
  warmupEndS: number
  /** The window right after warm-up: the baseline. */
  afterWarmup: Window
  /** The last part of the run, as long as the warm-up. */
  final: Window
  /** final.mean − afterWarmup.mean. */
  growthMiB: number
  /** final.max − afterWarmup.mean. */
  peakGrowthMiB: number
  limitMiB: number
  slopeMiBPerMin: number
  slopeChecked: boolean
  /** workerd processes came or went during the run. */
  restarted: boolean
  /** Empty when memory stayed within the limits. */
  problems: string[]
}

function window(samples: Sample[], fromS: number, toS: number): Window {
  const inside = samples.filter((s) => s.t >= fromS && s.t <= toS)
  const mib = inside.map((s) => s.workerdRssBytes / MIB)
  return {
    fromS,
    toS,
    samples: inside.length,
    meanMiB: mib.length > 0 ? mib.reduce((a, b) => a + b, 0) / mib.length : Number.NaN,
    maxMiB: mib.length > 0 ? Math.max(...mib) : Number.NaN,
  }
}

/**
 * @param samples the run's samples, in order
 * @param durationS how long the run lasted
 * @param warmupFraction the share of the run that is warm-up (e.g. 0.2); the final window is as
 *   long, and the baseline window after warm-up half as long
 * @param limits the allowed growth and slope
 */
export function judgeMemory(
  samples: Sample[],
  durationS: number,
  warmupFraction: number,
  limits: MemoryLimits
): MemoryVerdict {
  const warmupEndS = durationS * warmupFraction
  const afterWarmup = window(samples, warmupEndS, warmupEndS + (durationS * warmupFraction) / 2)
  const final = window(samples, durationS * (1 - warmupFraction), Number.POSITIVE_INFINITY)
  const growthMiB = final.meanMiB - afterWarmup.meanMiB
  const limitMiB =
    limits.growthMiB === undefined
      ? Number.POSITIVE_INFINITY
      : limits.growthMiB + (afterWarmup.meanMiB * limits.growthPct) / 100
  const post = samples.filter((s) => s.t >= warmupEndS)
  const slopeMiBPerMin = slope(post.map((s) => ({ x: s.t / 60, y: s.workerdRssBytes / MIB })))
  const span = (post.at(-1)?.t ?? 0) - (post[0]?.t ?? 0)
  const slopeChecked = limits.slopeMiBPerMin !== undefined && span >= limits.slopeMinSpanS
  const first = samples[0]?.workerdPids.join(',')
  const restarted = samples.some((s) => s.workerdPids.join(',') !== first)
  const problems: string[] = []
  if (afterWarmup.samples === 0 || final.samples === 0) {
    problems.push('too few memory samples to compare (lengthen the run or sample more often)')
  } else if (growthMiB > limitMiB) {
    problems.push(
      `workerd RSS grew ${growthMiB.toFixed(1)} MiB after warm-up (limit ${limitMiB.toFixed(1)} MiB)`
    )
  }
  if (
    slopeChecked &&
    limits.slopeMiBPerMin !== undefined &&
    slopeMiBPerMin > limits.slopeMiBPerMin
  ) {
    problems.push(
      `workerd RSS slope ${slopeMiBPerMin.toFixed(2)} MiB/min (limit ${limits.slopeMiBPerMin} MiB/min)`
    )
  }
  if (restarted) problems.push('workerd processes exited or started during the run')
  return {
    warmupEndS,
    afterWarmup,
    final,
    growthMiB,
    peakGrowthMiB: final.maxMiB - afterWarmup.meanMiB,
    limitMiB,
    slopeMiBPerMin,
    slopeChecked,
    restarted,
    problems,
  }
}
