/**
 * @module bench/soak/run
 * `npm run soak` (issue #8): a fixed request rate for several minutes over a mixed workload
 * against the platform in proxy mode (`wrangler dev` in front of a loopback origin this run
 * scripts). The rate is open loop: requests leave on schedule whatever the answers' latency, so
 * slowness shows up as latency, not as a lower rate. Every answer is classified expected or
 * unexpected (workload.ts, client.ts); workerd's RSS and the Worker's V8 heap are sampled
 * throughout (memory.ts, heap.ts). Writes `.bench/soak-<date>.json` (+ `.md`, + the wrangler
 * output as `.wrangler.log`), prints the tables, and exits 1 on any unexpected answer or when
 * memory grew beyond the limits. Tunables (env): config.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startOrigin } from '../../support/origin'
import { originControl } from '../../support/origin-control'
import { type RunningEdge, startEdge } from '../../support/wrangler-dev'
import { machine, wranglerGroup } from '../procs'
import { startBareWorker } from '../servers'
import { snapshotSources } from '../snapshot'
import { runtimeVersions } from '../versions'
import { send } from './client'
import { readConfig } from './config'
import { type Drive, drive } from './drive'
import { connectHeapProbe } from './heap'
import { judgeMemory } from './memory'
import { report, type SoakConfig, type SoakResults } from './report'
import { ascending, mean, percentile, slope } from './stats'
import { createWorkload, type Workload } from './workload'

// biome-ignore lint/suspicious/noControlCharactersInRegex: wrangler colours its output with ANSI escapes
const ANSI = /\u001b\[[0-9;]*m/g
const log = (message: string) => process.stderr.write(`› ${message}\n`)

/** wrangler's (and the Worker's) output, line by line, with when each line came. */
function outputCollector() {
  const lines: Array<{ at: number; line: string }> = []
  let partial = ''
  return {
    lines,
    onOutput(text: string) {
      const parts = (partial + text).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) {
        if (line.trim()) lines.push({ at: performance.now(), line: line.replace(ANSI, '') })
      }
    },
    flush() {
      if (partial.trim()) lines.push({ at: performance.now(), line: partial.replace(ANSI, '') })
      partial = ''
    },
  }
}

/**
 * Starts what the soak drives: the platform from a snapshot of its sources, or the bench's
 * bare Worker as a control.
 */
async function startTarget(
  config: SoakConfig,
  originUrl: string,
  work: string,
  notes: string[],
  onOutput: (text: string) => void
): Promise<RunningEdge> {
  if (config.target === 'bare') {
    log('starting the bare Worker (wrangler dev; a control run, not the platform)')
    notes.push(
      'SOAK_TARGET=bare: this run measured test/bench/bare-worker (Cache API only), not the platform.'
    )
    return startBareWorker(originUrl)
  }
  // wrangler dev restarts workerd when a source file changes: run from a snapshot so that
  // edits made during the soak cannot reload the Worker (and reset its memory) mid-run.
  const snapshot = await snapshotSources(work)
  notes.push(
    'The platform ran from a snapshot of workers/, edge-cache/, origin/, schemas/ and wrangler.toml taken when the run started.'
  )
  log('starting the platform (wrangler dev, proxy mode)')
  return startEdge({ vars: { ORIGIN_URL: originUrl }, onOutput, cwd: snapshot })
}

/**
 * Sends the priming requests one by one and checks the origin saw the fetches they imply.
 * @throws Error when an answer or the origin's count is not as planned
 */
async function prime(
  base: URL,
  workload: Workload,
  config: SoakConfig,
  hits: (path: string) => Promise<unknown[]>
): Promise<number> {
  if (config.target === 'bare') return 0
  log(`priming: ${workload.priming.length} requests`)
  for (const req of workload.priming) {
    const outcome = await send(base, req, performance.now(), config)
    if (outcome.problem) {
      throw new Error(`priming ${req.method} ${req.path} from ${req.pop}: ${outcome.problem}`)
    }
  }
  for (const [path, fetches] of workload.primingFetches) {
    const seen = (await hits(path)).length
    if (seen !== fetches) {
      throw new Error(`priming ${path}: expected ${fetches} origin fetches, saw ${seen}`)
    }
  }
  return workload.priming.length
}

/** Requests the origin has answered so far. */
async function originStats(originUrl: string): Promise<number> {
  const res = await fetch(`${originUrl}/__origin/stats`)
  return ((await res.json()) as { requests: number }).requests
}

async function main(): Promise<number> {
  const config = readConfig()
  const started = new Date()
  const stamp = started
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-')
  const logFile = `.bench/soak-${stamp}.wrangler.log`
  await mkdir('.bench', { recursive: true })
  log(
    `soak: ${config.rps} req/s for ${config.seconds} s (warm-up ${config.seconds * config.warmupFraction} s); ` +
      `fails on more than ${config.maxUnexpected} unexpected answers` +
      (config.memory.growthMiB === undefined
        ? ''
        : `, on workerd RSS growth after warm-up over ${config.memory.growthMiB} MiB + ${config.memory.growthPct}%`) +
      (config.memory.slopeMiBPerMin === undefined
        ? ''
        : `, on a slope over ${config.memory.slopeMiBPerMin} MiB/min`) +
      `, on Worker V8 heap growth over ${config.heapGrowthMiB} MiB`
  )

  const work = await mkdtemp(join(tmpdir(), 'edge-cdn-soak-'))
  const stops: Array<() => Promise<void>> = []
  const cleanUp = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  }
  // The servers run in their own process groups: a Ctrl-C must stop them too. While the
  // requests flow it only ends the run early (the results are still written).
  const interrupt = new AbortController()
  let driving = false
  const onSignal = () => {
    if (driving) interrupt.abort()
    else void cleanUp().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const output = outputCollector()
  const notes: string[] = []
  let runStart = Number.POSITIVE_INFINITY
  let edgeReadyMs = 0
  let primingRequests = 0
  let originRequests = 0
  let data: Drive
  try {
    const origin = await startOrigin()
    stops.push(() => origin.close())
    const control = originControl(origin.url)
    const workload = createWorkload({
      hotObjects: config.hotObjects,
      zipfS: config.zipfS,
      largeObjects: config.largeObjects,
      slowMs: config.slowMs,
      mix: config.mix,
      runId: Date.now().toString(36),
    })
    for (const [path, script] of workload.scripts) await control.script(path, script)

    const edgeStart = Date.now()
    const edge = await startTarget(config, origin.url, work, notes, output.onOutput)
    edgeReadyMs = Date.now() - edgeStart
    stops.push(() => edge.stop())
    const base = new URL(edge.url)
    const pgid = wranglerGroup(Number(base.port))
    const heap = await connectHeapProbe(Number(new URL(edge.inspectorUrl).port))
    if (heap) stops.push(async () => heap.close())
    else notes.push('The Worker inspector did not answer: no JavaScript heap figures.')

    primingRequests = await prime(base, workload, config, (path) => control.hits(path))
    const originBefore = await originStats(origin.url)
    log(`running: ${config.rps} req/s for ${config.seconds} s`)
    driving = true
    data = await drive({ base, pgid, heap }, workload, config, interrupt.signal, (at) => {
      runStart = at
    })
    driving = false
    originRequests = (await originStats(origin.url)) - originBefore
  } finally {
    await cleanUp()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    output.flush()
    if (output.lines.length > 0) {
      await writeFile(logFile, output.lines.map((o) => `${o.line}\n`).join(''))
    }
  }

  const results = await summarise(config, data, {
    date: started.toISOString(),
    notes,
    startup: { edgeReadyMs, primingRequests },
    originRequests,
    wrangler: {
      logFile,
      lines: output.lines.length,
      duringRun: output.lines
        .filter((o) => o.at >= runStart)
        .slice(0, 200)
        .map((o) => `[+${((o.at - runStart) / 1000).toFixed(1)} s] ${o.line}`),
    },
  })
  const markdown = report(results)
  await writeFile(`.bench/soak-${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`)
  await writeFile(`.bench/soak-${stamp}.md`, markdown)
  process.stdout.write(`${markdown}\nresults: .bench/soak-${stamp}.json\n`)
  return results.verdict.pass ? 0 : 1
}

/** The results file: the run's figures, the memory verdict and the pass/fail reasons. */
async function summarise(
  config: SoakConfig,
  data: Drive,
  context: Pick<SoakResults, 'date' | 'notes' | 'startup' | 'wrangler'> & {
    originRequests: number
  }
): Promise<SoakResults> {
  const memory = judgeMemory(data.samples, config.seconds, config.warmupFraction, config.memory)
  const heapRows = data.timeline.filter((row) => row.heapUsedMiB !== undefined)
  const heapMean = (from: number, to: number) =>
    mean(heapRows.filter((r) => r.t >= from && r.t <= to).map((r) => r.heapUsedMiB ?? 0))
  const heap =
    heapRows.length === 0
      ? undefined
      : {
          afterWarmupMeanMiB: heapMean(memory.afterWarmup.fromS, memory.afterWarmup.toS),
          finalMeanMiB: heapMean(memory.final.fromS, Number.POSITIVE_INFINITY),
          slopeMiBPerMin: slope(
            heapRows
              .filter((r) => r.t >= memory.warmupEndS)
              .map((r) => ({ x: r.t / 60, y: r.heapUsedMiB ?? 0 }))
          ),
        }
  const reasons: string[] = []
  if (data.unexpectedCount > config.maxUnexpected) {
    reasons.push(`${data.unexpectedCount} unexpected answers (limit ${config.maxUnexpected})`)
  }
  reasons.push(...memory.problems)
  const heapGrowth = heap ? heap.finalMeanMiB - heap.afterWarmupMeanMiB : Number.NaN
  if (heapGrowth > config.heapGrowthMiB) {
    reasons.push(
      `Worker V8 heap grew ${heapGrowth.toFixed(1)} MiB after warm-up (limit ${config.heapGrowthMiB} MiB)`
    )
  }
  if (data.interrupted) reasons.push('interrupted before the end')
  const cpuRows = data.timeline.slice(1)
  const lags = ascending(data.sendLags)
  return {
    date: context.date,
    machine: machine(),
    versions: await runtimeVersions(),
    config,
    notes: context.notes,
    startup: context.startup,
    run: {
      durationS: data.durationS,
      scheduled: data.scheduled,
      issued: data.issued,
      completed: data.completed,
      dropped: data.dropped,
      interrupted: data.interrupted,
      issuedPerSec: data.issued / Math.max(0.001, data.durationS),
      completedPerSec: data.completed / Math.max(0.001, data.durationS),
      sendLagP99Ms: percentile(lags, 0.99),
      sendLagMaxMs: lags.at(-1) ?? 0,
      maxInFlight: data.maxInFlight,
      originRequests: context.originRequests,
    },
    kinds: [...data.kinds].map(([kind, tally]) => tally.stats(kind)),
    total: data.total.stats('all'),
    memory,
    heap,
    cpu: {
      workerdMeanPct: mean(cpuRows.map((r) => r.workerdCpuPct)),
      workerdMaxPct: Math.max(0, ...cpuRows.map((r) => r.workerdCpuPct)),
      harnessMeanPct: mean(cpuRows.map((r) => r.harnessCpuPct)),
    },
    timeline: data.timeline,
    unexpected: {
      count: data.unexpectedCount,
      byProblem: Object.fromEntries([...data.byProblem].sort((a, b) => b[1] - a[1])),
      examples: data.unexpected,
    },
    wrangler: context.wrangler,
    verdict: { pass: reasons.length === 0, reasons },
  }
}

process.exitCode = await main()
