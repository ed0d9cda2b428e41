/**
 * @module bench/soak/report
 * The soak's results file shape and its markdown summary.
 */
import type { MemoryLimits, MemoryVerdict } from './memory'
import { type Kind, POPS } from './workload'

export interface SoakConfig {
  /** `edge`: the platform; `bare`: the bench's bare Worker, as a control. */
  target: 'edge' | 'bare'
  rps: number
  seconds: number
  warmupFraction: number
  sampleS: number
  timeoutMs: number
  keepAlive: boolean
  maxInFlight: number
  hotObjects: number
  zipfS: number
  largeObjects: number
  slowMs: number
  /** Weights replacing `MIX`'s (SOAK_MIX). */
  mix: Partial<Record<Kind, number>>
  /** Unexpected answers tolerated before the soak fails. */
  maxUnexpected: number
  /** Allowed growth of the Worker isolate's mean V8 heap after warm-up, MiB. */
  heapGrowthMiB: number
  memory: MemoryLimits
}

export interface KindStats {
  kind: Kind | 'all'
  requests: number
  expected: number
  unexpected: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** Body bytes received (as sent on the wire). */
  wireBytes: number
  /** `<status> <Cache-Status>` (ttl blanked) → count, most frequent first. */
  answers: Record<string, number>
}

export interface TimelineRow {
  t: number
  workerdRssMiB: number
  /** Each workerd process's share, by pid. */
  workerdRssByPidMiB: Record<string, number>
  groupRssMiB: number
  /** The Worker isolate's V8 heap (inspector), when it answered. */
  heapUsedMiB?: number
  heapTotalMiB?: number
  heapBackingMiB?: number
  workerdCpuPct: number
  harnessCpuPct: number
  /** Answers completed since the previous row, per second. */
  completedPerSec: number
  p50Ms: number
  p99Ms: number
  unexpected: number
  inFlight: number
}

export interface UnexpectedExample {
  /** Seconds since the run started, when the answer completed. */
  atS: number
  kind: Kind
  method: string
  path: string
  pop: string
  headers: Record<string, string>
  status: number
  cacheStatus: string
  ms: number
  problem: string
  snippet?: string
}

export interface SoakResults {
  date: string
  machine: { nproc: number; cpuModel: string; memTotalMiB: number; kernel: string }
  versions: Record<string, string>
  config: SoakConfig
  notes: string[]
  startup: { edgeReadyMs: number; primingRequests: number }
  run: {
    durationS: number
    scheduled: number
    issued: number
    completed: number
    /** Not sent: too many requests were in flight (counted as unexpected). */
    dropped: number
    interrupted: boolean
    issuedPerSec: number
    completedPerSec: number
    /** How late the harness sent requests against their schedule. */
    sendLagP99Ms: number
    sendLagMaxMs: number
    maxInFlight: number
    originRequests: number
  }
  kinds: KindStats[]
  total: KindStats
  memory: MemoryVerdict
  /** The Worker isolate's V8 heap in the same windows as `memory`, when the inspector answered. */
  heap?: { afterWarmupMeanMiB: number; finalMeanMiB: number; slopeMiBPerMin: number }
  cpu: { workerdMeanPct: number; workerdMaxPct: number; harnessMeanPct: number }
  timeline: TimelineRow[]
  unexpected: {
    count: number
    /** Problems with numbers blanked → count. */
    byProblem: Record<string, number>
    /** The first ones, in full. */
    examples: UnexpectedExample[]
  }
  wrangler: { logFile: string; lines: number; duringRun: string[] }
  verdict: { pass: boolean; reasons: string[] }
}

const f = (n: number, digits = 1) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–'

/** The most frequent answer of a kind and its share. */
function topAnswer(s: KindStats): string {
  const [top] = Object.entries(s.answers)
  if (!top || s.requests === 0) return ''
  return `${f((100 * top[1]) / s.requests, 1)}% \`${top[0]}\``
}

function kindRow(s: KindStats, total: number): string {
  const share = total > 0 ? `${f((100 * s.requests) / total, 1)}%` : '–'
  const bad = s.unexpected > 0 ? `**${s.unexpected}**` : '0'
  return (
    `| ${s.kind} | ${s.requests} | ${share} | ${s.expected} | ${bad} | ${f(s.p50Ms, 1)} | ` +
    `${f(s.p99Ms, 1)} | ${f(s.maxMs, 0)} | ${topAnswer(s)} |`
  )
}

export function report(r: SoakResults): string {
  const c = r.config
  const m = r.memory
  const v = r.versions
  const lines: string[] = []
  lines.push(
    `Soak ${r.date} on ${r.machine.nproc} × ${r.machine.cpuModel} (${f(r.machine.memTotalMiB / 1024, 0)} GiB RAM, Linux ${r.machine.kernel}); ` +
      `Node ${v.node}, wrangler ${v.wrangler} (workerd ${v.workerd}), ` +
      `${c.target === 'bare' ? '**the bare Worker (control run)**' : 'the platform in proxy mode'} over loopback. ` +
      `Open loop: ${c.rps} req/s scheduled for ${c.seconds} s (warm-up ${f(m.warmupEndS, 0)} s), ` +
      (Object.keys(c.mix).length > 0
        ? `mix weights changed by SOAK_MIX: ${Object.entries(c.mix)
            .map(([k, w]) => `${k}=${w}`)
            .join(',')}, `
        : '') +
      `mixed workload from ${POPS.map((p) => p.colo).join(', ')} (MF-CF-Blob), ${c.keepAlive ? 'keep-alive connections' : 'a new connection per request'}.`,
    ''
  )
  lines.push(
    '| kind | requests | share | expected | unexpected | p50 ms | p99 ms | max ms | most frequent answer (status, Cache-Status) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |'
  )
  for (const s of r.kinds) if (s.requests > 0) lines.push(kindRow(s, r.total.requests))
  lines.push(kindRow(r.total, r.total.requests), '')

  const run = r.run
  const limitText =
    c.memory.growthMiB === undefined
      ? 'not checked: SOAK_RSS_GROWTH_MIB unset'
      : `${c.memory.growthMiB} MiB + ${c.memory.growthPct}% of the post-warm-up mean = ${f(m.limitMiB, 1)} MiB`
  const slopeLimit =
    c.memory.slopeMiBPerMin === undefined
      ? 'not checked: SOAK_RSS_SLOPE_MIB_PER_MIN unset'
      : m.slopeChecked
        ? `limit ${c.memory.slopeMiBPerMin} MiB/min`
        : `limit ${c.memory.slopeMiBPerMin} MiB/min, not checked: post-warm-up span under ${c.memory.slopeMinSpanS} s`
  lines.push('| measure | result |', '| --- | --- |')
  lines.push(
    `| rate | scheduled ${c.rps} req/s; issued ${f(run.issuedPerSec, 1)} req/s, completed ${f(run.completedPerSec, 1)} req/s ` +
      `(${run.completed} of ${run.scheduled}${run.dropped > 0 ? `, ${run.dropped} dropped` : ''}${run.interrupted ? ', interrupted' : ''}) in ${f(run.durationS, 1)} s; ` +
      `send lag p99 ${f(run.sendLagP99Ms, 1)} ms, max ${f(run.sendLagMaxMs, 1)} ms; at most ${run.maxInFlight} in flight |`,
    `| origin requests | ${run.originRequests} (${f((100 * run.originRequests) / Math.max(1, run.completed), 1)}% of answers) |`,
    `| workerd RSS after warm-up (${f(m.afterWarmup.fromS, 0)}–${f(m.afterWarmup.toS, 0)} s, ${m.afterWarmup.samples} samples) | mean ${f(m.afterWarmup.meanMiB, 1)} MiB, max ${f(m.afterWarmup.maxMiB, 1)} MiB |`,
    `| workerd RSS, final ${f(c.warmupFraction * 100, 0)}% (${f(m.final.fromS, 0)} s–end, ${m.final.samples} samples) | mean ${f(m.final.meanMiB, 1)} MiB, max ${f(m.final.maxMiB, 1)} MiB |`,
    `| workerd RSS growth | mean ${m.growthMiB >= 0 ? '+' : ''}${f(m.growthMiB, 1)} MiB, peak ${m.peakGrowthMiB >= 0 ? '+' : ''}${f(m.peakGrowthMiB, 1)} MiB (limit on the mean: ${limitText}) |`,
    `| workerd RSS slope after warm-up (least squares) | ${f(m.slopeMiBPerMin, 2)} MiB/min; ${slopeLimit} |`,
    r.heap
      ? `| Worker V8 heap (inspector; Worker and Durable Objects share the isolate) | mean after warm-up ${f(r.heap.afterWarmupMeanMiB, 1)} MiB, final ${f(r.heap.finalMeanMiB, 1)} MiB (limit on the growth: ${c.heapGrowthMiB} MiB); slope ${f(r.heap.slopeMiBPerMin, 2)} MiB/min |`
      : '| Worker V8 heap | not available (the inspector did not answer) |',
    `| CPU (share of one core) | workerd mean ${f(r.cpu.workerdMeanPct, 0)}%, max ${f(r.cpu.workerdMaxPct, 0)}%; soak client + origin mean ${f(r.cpu.harnessMeanPct, 0)}% |`,
    `| startup | wrangler dev (with D1 migrations) answered after ${f(r.startup.edgeReadyMs, 0)} ms; ${r.startup.primingRequests} priming requests |`,
    r.wrangler.lines > 0
      ? `| wrangler output | ${r.wrangler.lines} lines (${r.wrangler.duringRun.length} during the run) in ${r.wrangler.logFile} |`
      : '| wrangler output | none (at `--log-level warn`: no warnings, errors or Worker console output) |',
    ''
  )

  lines.push(
    '| t s | workerd RSS MiB | group RSS MiB | V8 heap MiB (+ ArrayBuffers) | workerd CPU | completed req/s | p50 ms | p99 ms | unexpected | in flight |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  )
  // About ten rows: every nth sample, and the last.
  const every = Math.max(1, Math.round(r.timeline.length / 10))
  r.timeline.forEach((row, i) => {
    if (i % every !== 0 && i !== r.timeline.length - 1) return
    lines.push(
      `| ${f(row.t, 0)} | ${f(row.workerdRssMiB, 1)} | ${f(row.groupRssMiB, 1)} | ${f(row.heapUsedMiB ?? Number.NaN, 1)}${row.heapBackingMiB === undefined ? '' : ` (+${f(row.heapBackingMiB, 1)})`} | ${f(row.workerdCpuPct, 0)}% | ` +
        `${f(row.completedPerSec, 1)} | ${f(row.p50Ms, 1)} | ${f(row.p99Ms, 1)} | ${row.unexpected} | ${row.inFlight} |`
    )
  })
  lines.push('')

  if (r.unexpected.count > 0) {
    lines.push(`Unexpected answers (${r.unexpected.count}), by problem:`, '')
    for (const [problem, n] of Object.entries(r.unexpected.byProblem)) {
      lines.push(`- ${n} × ${problem}`)
    }
    lines.push('', 'First examples:', '')
    for (const e of r.unexpected.examples.slice(0, 10)) {
      lines.push(
        `- at ${f(e.atS, 1)} s: ${e.kind} ${e.method} ${e.path} from ${e.pop}` +
          `${e.headers.range ? ` (range ${e.headers.range})` : ''}: ${e.problem}; ` +
          `Cache-Status \`${e.cacheStatus}\`${e.snippet ? `; body \`${e.snippet.slice(0, 160).replace(/[\r\n`]+/g, ' ')}\`` : ''}`
      )
    }
    lines.push('')
  }
  if (r.wrangler.duringRun.length > 0) {
    lines.push('wrangler / Worker output during the run (first lines):', '', '```')
    lines.push(...r.wrangler.duringRun.slice(0, 30), '```', '')
  }
  for (const note of r.notes) lines.push(`Note: ${note}`, '')
  lines.push(
    r.verdict.pass
      ? `**PASS**: ${r.unexpected.count} unexpected answers (limit ${c.maxUnexpected}), workerd RSS and the Worker's V8 heap within the limits.`
      : `**FAIL**: ${r.verdict.reasons.join('; ')}.`
  )
  return `${lines.join('\n')}\n`
}
