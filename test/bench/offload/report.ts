/**
 * @module bench/offload/report
 * The offload bench's results: how each answer is classified from its Cache-Status, the summary
 * of one configuration's run, the results file's shape and its markdown tables.
 */
import { parseCacheStatus } from '../../../edge-cache/policy/cache-status'
import { TIER_CACHE_NAME } from '../../../edge-cache/tier/protocol'
import { type Fetched, tally } from '../clients'
import type { Bounds, Pop } from './trace'

/**
 * `L1_CACHE_NAME` of edge-cache/edge.ts, which Node cannot load as is (it imports the policy
 * folder by its index, which test/bench/register.mjs does not resolve).
 */
const L1_CACHE_NAME = 'edge-l1'

/** Where an answer came from, as its Cache-Status tells. */
export type AnswerClass = 'l1-hit' | 'tier-hit' | 'tier-collapsed' | 'origin' | 'error'
const CLASSES: readonly AnswerClass[] = ['l1-hit', 'tier-hit', 'tier-collapsed', 'origin', 'error']

/**
 * @param fetched one answer as the client saw it
 * @param expectedBytes the object's size: a shorter or longer body is an error
 * @returns `l1-hit` (the PoP's edge-l1 member has `hit`, collapsed waiters included), `tier-hit`
 *   (edge-tier `hit`), `tier-collapsed` (served from another request's tier fill), else `origin`
 */
export function classify(fetched: Fetched, expectedBytes: number): AnswerClass {
  if (fetched.error || fetched.status !== 200 || fetched.bytes !== expectedBytes) return 'error'
  const entries = parseCacheStatus(fetched.cacheStatus)
  const l1 = entries.find((e) => e.cache === L1_CACHE_NAME)
  const tier = entries.find((e) => e.cache === TIER_CACHE_NAME)
  if (l1?.hit) return 'l1-hit'
  if (tier?.hit) return 'tier-hit'
  if (tier?.collapsed) return 'tier-collapsed'
  return 'origin'
}

export interface Latency {
  n: number
  p50Ms: number
  p99Ms: number
}

/** Nearest-rank percentiles (as the purge bench reports them). */
export function latency(ms: number[]): Latency {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return { n: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99) }
}

export interface ConfigResult {
  name: string
  host: string
  tieredCache: boolean
  requests: number
  /** Bytes the clients received (whole bodies of answered requests). */
  bytes: number
  wallS: number
  reqPerSec: number
  /** Counted by the origin: requests under this configuration's origin base path. */
  originRequests: number
  /** Body bytes the origin sent for them. */
  originBytes: number
  /** 1 − origin requests ÷ requests. */
  offload: number
  /** 1 − origin bytes ÷ bytes requested. */
  byteOffload: number
  answers: Record<AnswerClass, number>
  /** Share of requests answered by the PoP's L1. */
  l1HitRatio: number
  /** Share of requests answered by the tier (its hits; collapsed waiters apart). */
  tierHitRatio: number
  /** Tier hits ÷ requests that missed L1. */
  tierHitRatioOfL1Misses: number
  /** Answers that went to the origin because the tier call failed (`detail=tier-unavailable`). */
  tierUnavailable: number
  latency: Latency & { byClass: Partial<Record<AnswerClass, Latency>> }
  /** Answers by normalised Cache-Status (clients.ts `tally`). */
  cacheStatuses: Record<string, number>
}

/**
 * @param run the configuration, its answers (trace order) with the objects' sizes, wall time
 *   and the origin's count
 */
export function summarize(run: {
  name: string
  host: string
  tieredCache: boolean
  fetched: Fetched[]
  expectedBytes: number[]
  requestedBytes: number
  wallS: number
  originRequests: number
  originBytes: number
}): ConfigResult {
  const answers = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<AnswerClass, number>
  const times = new Map<AnswerClass, number[]>()
  let bytes = 0
  let tierUnavailable = 0
  run.fetched.forEach((f, i) => {
    const kind = classify(f, run.expectedBytes[i] ?? -1)
    const l1 = parseCacheStatus(f.cacheStatus).find((e) => e.cache === L1_CACHE_NAME)
    if (l1?.detail === 'tier-unavailable') tierUnavailable++
    answers[kind]++
    if (kind !== 'error') bytes += f.bytes
    const list = times.get(kind) ?? []
    list.push(f.ms)
    times.set(kind, list)
  })
  const requests = run.fetched.length
  const l1Misses = requests - answers['l1-hit'] - answers.error
  return {
    name: run.name,
    host: run.host,
    tieredCache: run.tieredCache,
    requests,
    bytes,
    wallS: run.wallS,
    reqPerSec: requests / run.wallS,
    originRequests: run.originRequests,
    originBytes: run.originBytes,
    offload: 1 - run.originRequests / requests,
    byteOffload: 1 - run.originBytes / run.requestedBytes,
    answers,
    l1HitRatio: answers['l1-hit'] / requests,
    tierHitRatio: answers['tier-hit'] / requests,
    tierHitRatioOfL1Misses: l1Misses > 0 ? answers['tier-hit'] / l1Misses : 0,
    tierUnavailable,
    latency: {
      ...latency(run.fetched.map((f) => f.ms)),
      byClass: Object.fromEntries([...times].map(([kind, ms]) => [kind, latency(ms)])),
    },
    cacheStatuses: tally(run.fetched),
  }
}

export interface OffloadResults {
  date: string
  machine: { nproc: number; cpuModel: string; memTotalMiB: number; kernel: string }
  versions: Record<string, string>
  workload: {
    objects: number
    alpha: number
    requestsPerConfiguration: number
    seed: number
    concurrency: number
    pops: readonly Pop[]
    sizes: { medianBytes: number; sigma: number; minBytes: number; maxBytes: number }
    /** Requested objects of at least 100 KiB, and at the 1 MiB bound. */
    objectsOver100KiB: number
    objectsAt1MiB: number
  }
  bounds: Bounds
  configurations: ConfigResult[]
  notes: string[]
}

const f = (n: number, digits = 1) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–'
const pct = (n: number) => `${f(100 * n, 1)}%`
const mib = (bytes: number) => `${f(bytes / 2 ** 20, 1)} MiB`
const ms = (l: Latency | undefined) => (l ? `${f(l.p50Ms, 0)} / ${f(l.p99Ms, 0)}` : '–')

/** The results as markdown: the workload, the offload table and latency by answer class. */
export function report(r: OffloadResults): string {
  const w = r.workload
  const b = r.bounds
  const requests = w.requestsPerConfiguration
  const pops = w.pops.map((p) => `${p.colo}×${p.weight}`).join(' ')
  const lines = [
    `Run ${r.date} on ${r.machine.nproc} × ${r.machine.cpuModel}; Node ${r.versions.node}, ` +
      `wrangler ${r.versions.wrangler}. ${f(requests, 0)} requests per configuration ` +
      `(${w.concurrency} in flight) over ${f(w.objects, 0)} objects, Zipf α ${w.alpha}, seed ` +
      `${w.seed}; sizes lognormal (median ${f(w.sizes.medianBytes / 1024, 0)} KiB, σ ` +
      `${w.sizes.sigma}, ${f(w.sizes.minBytes, 0)} B–${mib(w.sizes.maxBytes)}); requested: ` +
      `${f(b.distinctObjects, 0)} distinct objects (${mib(b.distinctBytes)}), ` +
      `${w.objectsOver100KiB} of them ≥ 100 KiB, ${w.objectsAt1MiB} at 1 MiB; ` +
      `${mib(b.requestedBytes)} requested in all. PoPs (one region, eu; weight): ${pops}.`,
    '',
    '| configuration | requests | origin requests | offload | origin bytes | byte offload | L1 hit ratio | tier hit ratio (of L1 misses) | p50 / p99 ms | req/s | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const c of r.configurations) {
    lines.push(
      `| ${c.tieredCache ? 'tier on: L1 → tier → origin' : 'tier off (`tieredCache: false`): L1 → origin'} | ` +
        `${f(c.requests, 0)} | **${f(c.originRequests, 0)}** | **${pct(c.offload)}** | ` +
        `${mib(c.originBytes)} | ${pct(c.byteOffload)} | ${pct(c.l1HitRatio)} | ` +
        `${c.tieredCache ? `${pct(c.tierHitRatio)} (${pct(c.tierHitRatioOfL1Misses)})` : '–'} | ` +
        `${ms(c.latency)} | ${f(c.reqPerSec, 0)} | ${c.answers.error} |`
    )
  }
  const ideal = (label: string, fetches: number, bytes: number) =>
    `| ${label} | ${f(requests, 0)} | ${f(fetches, 0)} | ${pct(1 - fetches / requests)} | ` +
    `${mib(bytes)} | ${pct(1 - bytes / b.requestedBytes)} | | | | | |`
  lines.push(
    ideal('floor, shared tier: one fetch per distinct object', b.distinctObjects, b.distinctBytes),
    ideal(
      'floor, L1 only: one fetch per distinct (PoP, object)',
      b.distinctPopObjects,
      b.distinctPopBytes
    ),
    '',
    'Latency by where the answer came from (requests · p50 / p99 ms):',
    '',
    '| configuration | L1 hit | tier hit | tier collapsed | origin | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |'
  )
  for (const c of r.configurations) {
    const cell = (kind: AnswerClass) => {
      const l = c.latency.byClass[kind]
      return l ? `${f(l.n, 0)} · ${ms(l)}` : '–'
    }
    lines.push(
      `| ${c.tieredCache ? 'tier on' : 'tier off'} | ${cell('l1-hit')} | ${cell('tier-hit')} | ` +
        `${cell('tier-collapsed')} | ${cell('origin')} | ${cell('error')} |`
    )
  }
  for (const c of r.configurations) {
    const failed = Object.entries(c.cacheStatuses).filter(([kind]) => !kind.startsWith('200 '))
    if (c.tierUnavailable > 0 || failed.length > 0) {
      const parts = failed.map(([kind, n]) =>
        kind.endsWith(' ') ? `${n} × ${kind.trim()} without Cache-Status` : `${n} × \`${kind}\``
      )
      if (c.tierUnavailable > 0) {
        parts.push(`${c.tierUnavailable} answers from the origin because the tier call failed`)
      }
      lines.push('', `Note: ${c.tieredCache ? 'tier on' : 'tier off'}: ${parts.join('; ')}.`)
    }
  }
  for (const note of r.notes) lines.push('', `Note: ${note}`)
  return `${lines.join('\n')}\n`
}
