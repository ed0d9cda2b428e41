/**
 * @module bench/soak/config
 * The soak's settings, from the environment. Every tunable has a default; a malformed value
 * throws at startup. The default rate is what `wrangler dev` sustains on a 2-core machine with
 * room to spare: this mix costs workerd about 8 ms of CPU per request, and at 100 req/s the
 * platform already falls behind (requests queue for seconds), which is a load test, not a soak.
 *
 * Tunables (env): SOAK_RPS (40), SOAK_SECONDS (300), SOAK_WARMUP_FRACTION (0.2),
 * SOAK_SAMPLE_S (1 to 5, by length), SOAK_TIMEOUT_MS (30000), SOAK_MAX_IN_FLIGHT (1000),
 * SOAK_KEEP_ALIVE (0; 1 reuses connections), SOAK_TARGET (edge; `bare` runs the bench's bare
 * Worker instead, with plain GETs only: a control for what the local runtime itself does),
 * SOAK_HOT_OBJECTS (200), SOAK_ZIPF_S (1), SOAK_LARGE_OBJECTS (8), SOAK_SLOW_MS (300),
 * SOAK_MIX (weights replacing workload.ts's MIX for some kinds, e.g. `large=0,range=0`),
 * SOAK_MAX_UNEXPECTED (0), SOAK_RSS_GROWTH_MIB (unset: RSS reported, not judged), SOAK_RSS_GROWTH_PCT (25),
 * SOAK_HEAP_GROWTH_MIB (32: growth of the Worker isolate's mean V8 heap after warm-up),
 * SOAK_RSS_SLOPE_MIB_PER_MIN (unset: not checked), SOAK_RSS_SLOPE_MIN_SPAN_S (120).
 */
import type { SoakConfig } from './report'
import { type Kind, MIX, parseMix } from './workload'

function num(name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`expected ${name} to be a non-negative number, got ${text}`)
  }
  return value
}

/** The kinds the bare Worker answers correctly: plain GETs (it has no Range, 304 or POST logic). */
const BARE_MIX = Object.fromEntries(
  Object.keys(MIX).map((k) => [
    k,
    ['hot', 'cold', 'slow', 'large'].includes(k) ? MIX[k as Kind] : 0,
  ])
) as Record<Kind, number>

/** @throws TypeError on a malformed setting */
export function readConfig(): SoakConfig {
  const seconds = num('SOAK_SECONDS', 300)
  const slopeLimit = process.env.SOAK_RSS_SLOPE_MIB_PER_MIN
  const target = process.env.SOAK_TARGET ?? 'edge'
  if (target !== 'edge' && target !== 'bare') {
    throw new TypeError(`expected SOAK_TARGET to be edge or bare, got ${target}`)
  }
  const config: SoakConfig = {
    target,
    rps: num('SOAK_RPS', 40),
    seconds,
    warmupFraction: num('SOAK_WARMUP_FRACTION', 0.2),
    sampleS: num('SOAK_SAMPLE_S', Math.min(5, Math.max(1, Math.round(seconds / 60)))),
    timeoutMs: num('SOAK_TIMEOUT_MS', 30_000),
    keepAlive: process.env.SOAK_KEEP_ALIVE === '1',
    maxInFlight: num('SOAK_MAX_IN_FLIGHT', 1000),
    hotObjects: num('SOAK_HOT_OBJECTS', 200),
    zipfS: num('SOAK_ZIPF_S', 1),
    largeObjects: num('SOAK_LARGE_OBJECTS', 8),
    slowMs: num('SOAK_SLOW_MS', 300),
    mix: { ...(target === 'bare' ? BARE_MIX : {}), ...parseMix(process.env.SOAK_MIX ?? '') },
    maxUnexpected: num('SOAK_MAX_UNEXPECTED', 0),
    heapGrowthMiB: num('SOAK_HEAP_GROWTH_MIB', 32),
    memory: {
      // Opt-in: local workerd's RSS grows under any Worker (the bare Worker's by ~220 MiB/min
      // at this rate), so the default gate is the Worker's V8 heap.
      growthMiB: process.env.SOAK_RSS_GROWTH_MIB ? num('SOAK_RSS_GROWTH_MIB', 64) : undefined,
      growthPct: num('SOAK_RSS_GROWTH_PCT', 25),
      slopeMiBPerMin: slopeLimit ? num('SOAK_RSS_SLOPE_MIB_PER_MIN', 0) : undefined,
      slopeMinSpanS: num('SOAK_RSS_SLOPE_MIN_SPAN_S', 120),
    },
  }
  if (config.rps <= 0 || config.seconds <= 0) {
    throw new TypeError(`expected SOAK_RPS and SOAK_SECONDS > 0, got ${config.rps}, ${seconds}`)
  }
  if (!(config.warmupFraction > 0 && config.warmupFraction < 0.5)) {
    throw new TypeError(`expected SOAK_WARMUP_FRACTION in (0, 0.5), got ${config.warmupFraction}`)
  }
  return config
}
