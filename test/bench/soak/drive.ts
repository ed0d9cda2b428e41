/**
 * @module bench/soak/drive
 * The open-loop driver: sends the workload at a fixed rate (request n leaves at t0 + n / rate,
 * whatever the earlier answers are doing), classifies and tallies every answer, and samples
 * memory and CPU along the way.
 */
import { normaliseStatus } from '../clients'
import { type Outcome, send } from './client'
import type { HeapProbe } from './heap'
import { type Sample, startSampler } from './memory'
import type { KindStats, SoakConfig, SoakResults, TimelineRow, UnexpectedExample } from './report'
import { ascending, percentile } from './stats'
import { type Kind, MIX, type SoakRequest, type Workload } from './workload'

const MIB = 2 ** 20
const log = (message: string) => process.stderr.write(`› ${message}\n`)

/** Per-kind latencies, answers and classification. */
export class Tally {
  readonly ms: number[] = []
  readonly answers = new Map<string, number>()
  requests = 0
  expected = 0
  unexpected = 0
  wireBytes = 0

  add(outcome: Outcome) {
    this.requests++
    if (!outcome.dropped) this.ms.push(outcome.ms)
    this.wireBytes += outcome.wireBytes
    if (outcome.problem) this.unexpected++
    else this.expected++
    const answer = outcome.status
      ? `${outcome.status} ${normaliseStatus(outcome.cacheStatus)}`.trim()
      : 'no answer'
    this.answers.set(answer, (this.answers.get(answer) ?? 0) + 1)
  }

  stats(kind: KindStats['kind']): KindStats {
    const sorted = ascending(this.ms)
    return {
      kind,
      requests: this.requests,
      expected: this.expected,
      unexpected: this.unexpected,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.at(-1) ?? Number.NaN,
      wireBytes: this.wireBytes,
      answers: Object.fromEntries([...this.answers].sort((a, b) => b[1] - a[1])),
    }
  }
}

/** What `drive` measured; the counts the results file's `run` repeats take their types from it. */
export interface Drive
  extends Pick<
    SoakResults['run'],
    'durationS' | 'scheduled' | 'issued' | 'completed' | 'dropped' | 'interrupted' | 'maxInFlight'
  > {
  sendLags: number[]
  kinds: Map<Kind, Tally>
  total: Tally
  samples: Sample[]
  timeline: TimelineRow[]
  unexpected: UnexpectedExample[]
  unexpectedCount: number
  byProblem: Map<string, number>
}

/** Unexpected answers kept in full: the first few of each kind of problem, up to a total. */
const EXAMPLES_PER_PROBLEM = 5
const MAX_EXAMPLES = 100

export interface DriveTarget {
  /** The server's URL. */
  base: URL
  /** Its `wrangler dev` process group, for RSS and CPU. */
  pgid: number
  /** Its Worker's inspector, for the V8 heap. */
  heap?: HeapProbe
}

/**
 * Sends the workload at `config.rps` for `config.seconds`, open loop, sampling memory.
 * @param signal aborting it stops issuing requests; those in flight are still awaited
 * @param onStarted called with the run's start (performance.now()) before the first request
 */
export async function drive(
  target: DriveTarget,
  workload: Workload,
  config: SoakConfig,
  signal: AbortSignal,
  onStarted: (at: number) => void
): Promise<Drive> {
  const { base, pgid, heap } = target
  const intervalMs = 1000 / config.rps
  let scheduled = Math.round(config.rps * config.seconds)
  const out: Drive = {
    durationS: 0,
    scheduled,
    issued: 0,
    completed: 0,
    dropped: 0,
    interrupted: false,
    sendLags: [],
    maxInFlight: 0,
    kinds: new Map(Object.keys(MIX).map((k) => [k as Kind, new Tally()])),
    total: new Tally(),
    samples: [],
    timeline: [],
    unexpected: [],
    unexpectedCount: 0,
    byProblem: new Map(),
  }
  let inFlight = 0
  // What completed since the last memory sample, for the timeline.
  let interval = { ms: [] as number[], unexpected: 0, since: 0 }
  let lastProgress = 0
  const t0 = performance.now() + 100
  onStarted(t0)

  const record = (req: SoakRequest, outcome: Outcome) => {
    inFlight--
    out.completed++
    out.total.add(outcome)
    out.kinds.get(req.kind)?.add(outcome)
    if (!outcome.dropped) interval.ms.push(outcome.ms)
    if (!outcome.problem) return
    interval.unexpected++
    out.unexpectedCount++
    const problem = outcome.problem.replace(/\d+/g, 'N')
    out.byProblem.set(problem, (out.byProblem.get(problem) ?? 0) + 1)
    const seen = out.byProblem.get(problem) ?? 0
    if (seen <= EXAMPLES_PER_PROBLEM && out.unexpected.length < MAX_EXAMPLES) {
      out.unexpected.push({
        atS: (performance.now() - t0) / 1000,
        kind: req.kind,
        method: req.method,
        path: req.path,
        pop: req.pop,
        headers: req.headers,
        status: outcome.status,
        cacheStatus: outcome.cacheStatus,
        ms: outcome.ms,
        problem: outcome.problem,
        ...(outcome.snippet ? { snippet: outcome.snippet } : {}),
      })
    }
  }

  const sampler = startSampler(pgid, config.sampleS * 1000, t0, (sample) => {
    const elapsed = Math.max(0.001, sample.t - interval.since)
    const sorted = ascending(interval.ms)
    const row: TimelineRow = {
      t: sample.t,
      workerdRssMiB: sample.workerdRssBytes / MIB,
      workerdRssByPidMiB: Object.fromEntries(
        Object.entries(sample.workerdRssByPid).map(([pid, bytes]) => [pid, bytes / MIB])
      ),
      groupRssMiB: sample.groupRssBytes / MIB,
      workerdCpuPct: sample.workerdCpu * 100,
      harnessCpuPct: sample.harnessCpu * 100,
      completedPerSec: interval.ms.length / elapsed,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      unexpected: interval.unexpected,
      inFlight,
    }
    out.timeline.push(row)
    void heap?.usage().then((usage) => {
      if (!usage) return
      row.heapUsedMiB = usage.usedBytes / MIB
      row.heapTotalMiB = usage.totalBytes / MIB
      row.heapBackingMiB = usage.backingBytes / MIB
    })
    interval = { ms: [], unexpected: 0, since: sample.t }
    if (sample.t - lastProgress >= 30 || lastProgress === 0) {
      lastProgress = Math.max(sample.t, 0.001)
      log(
        `t=${sample.t.toFixed(0)} s: workerd RSS ${row.workerdRssMiB.toFixed(1)} MiB, CPU ${row.workerdCpuPct.toFixed(0)}%; ` +
          `${row.completedPerSec.toFixed(1)} req/s, p99 ${row.p99Ms.toFixed(0)} ms; ` +
          `unexpected so far ${out.unexpectedCount}; in flight ${inFlight}`
      )
    }
  })

  const stop = () => {
    log('interrupted: finishing the requests in flight')
    out.interrupted = true
    scheduled = out.issued
  }
  signal.addEventListener('abort', stop, { once: true })
  const pending = new Set<Promise<void>>()
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      while (out.issued < scheduled && t0 + out.issued * intervalMs <= now) {
        const due = t0 + out.issued * intervalMs
        out.sendLags.push(now - due)
        out.issued++
        const req = workload.next()
        inFlight++
        out.maxInFlight = Math.max(out.maxInFlight, inFlight)
        if (inFlight > config.maxInFlight) {
          out.dropped++
          record(req, {
            status: 0,
            cacheStatus: '',
            wireBytes: 0,
            bytes: 0,
            ms: 0,
            problem: `not sent: more than ${config.maxInFlight} requests in flight`,
            dropped: true,
          })
          continue
        }
        const sent = send(base, req, due, config).then((outcome) => record(req, outcome))
        pending.add(sent)
        void sent.finally(() => pending.delete(sent))
      }
      if (out.issued >= scheduled) resolve()
      else setTimeout(tick, Math.max(0, t0 + out.issued * intervalMs - performance.now()))
    }
    setTimeout(tick, Math.max(0, t0 - performance.now()))
  })
  const lastIssued = performance.now()
  out.durationS = (lastIssued - t0) / 1000
  await Promise.all(pending)
  signal.removeEventListener('abort', stop)
  sampler.stop()
  out.samples = sampler.samples
  return out
}
