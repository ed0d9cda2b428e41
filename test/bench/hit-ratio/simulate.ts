/**
 * @module bench/hit-ratio/simulate
 * Hit-ratio trace simulator: replays workloads with lognormal object sizes and a share of
 * one-hit wonders through the tier's real admission and eviction code (policies.ts: the
 * frequency sketch and `planAdmission`, as a tier shard runs them), plain LRU,
 * Belady's furthest-next-use rule and a static frequency oracle, at several cache sizes, and
 * prints object and byte hit ratios as a markdown table. Workloads: Zipf at three skews, Zipf
 * with periodic scans (one-time keys in a row), and Zipf whose popular set moves over time.
 *
 * Run: node --experimental-strip-types --import ./test/bench/register.mjs \
 *   test/bench/hit-ratio/simulate.ts [--objects 100000] [--requests 1000000] [--seed 1]
 *
 * Belady for variable sizes is NP-hard; furthest-next-use with bypass (the newcomer itself may
 * be the one evicted) is the usual stand-in ceiling, not a strict bound on byte hit ratio.
 * @see https://arxiv.org/abs/1512.00727 (TinyLFU)
 * @see https://doi.org/10.1147/sj.52.0078 (Belady, 1966)
 */
import { lognormalSize, random, zipf } from '../workload'
import { belady, lru, type Policy, type Result, staticOracle, type Trace, tier } from './policies'

interface Options {
  objects: number
  requests: number
  seed: number
  /** Cache sizes as fractions of the catalogue's bytes. */
  fractions: number[]
  /** Share of requests for objects asked for once only. */
  oneHitShare: number
  /** Requests counted only after this share of the trace (warm-up). */
  warmup: number
}

/** How a workload picks the object of request r (before one-hit wonders are mixed in). */
interface Workload {
  name: string
  alpha: number
  /** 10 times over the trace, this share of its requests go to one-time keys in a row. */
  scanShare?: number
  /** 20 times over the trace, the popularity ranks move by this share of the catalogue. */
  shiftShare?: number
}

const WORKLOADS: Workload[] = [
  { name: 'Zipf α 0.6', alpha: 0.6 },
  { name: 'Zipf α 0.8', alpha: 0.8 },
  { name: 'Zipf α 1.0', alpha: 1.0 },
  { name: 'α 0.8 + 10 scans (10% of requests)', alpha: 0.8, scanShare: 0.1 },
  { name: 'α 0.8, popular set moving 5% 20 times', alpha: 0.8, shiftShare: 0.05 },
]

function makeTrace(options: Options, workload: Workload): Trace {
  const rand = random(options.seed * 7919 + Math.round(workload.alpha * 100))
  const n = options.objects
  const pick = zipf(n, workload.alpha)
  const wonders = Math.round(options.requests * options.oneHitShare)
  const scanEvery = Math.ceil(options.requests / 10)
  const scanLength = Math.floor((options.requests * (workload.scanShare ?? 0)) / 10)
  const scanned = 10 * scanLength
  const shiftEvery = Math.ceil(options.requests / 20)
  const shiftStep = Math.floor(n * (workload.shiftShare ?? 0))
  const keys: string[] = []
  const sizes = new Float64Array(n + wonders + scanned)
  let catalogueBytes = 0
  for (let i = 0; i < n; i++) {
    keys.push(`o${i}`)
    sizes[i] = lognormalSize(rand)
    catalogueBytes += sizes[i] ?? 0
  }
  for (let i = 0; i < wonders + scanned; i++) {
    keys.push(`w${i}`)
    sizes[n + i] = lognormalSize(rand)
  }
  const ids = new Int32Array(options.requests)
  let once = n
  for (let r = 0; r < options.requests; r++) {
    if (r % scanEvery < scanLength && once < n + wonders + scanned) {
      ids[r] = once++
      continue
    }
    if (once < n + wonders + scanned && rand() < options.oneHitShare) {
      ids[r] = once++
      continue
    }
    ids[r] = (pick(rand()) + Math.floor(r / shiftEvery) * shiftStep) % n
  }
  return { keys, sizes, ids, catalogueBytes }
}

function parse(argv: string[]): Options {
  const arg = (name: string, fallback: number) => {
    const at = argv.indexOf(`--${name}`)
    const value = at >= 0 ? Number(argv[at + 1]) : Number.NaN
    return Number.isFinite(value) && value > 0 ? value : fallback
  }
  const objects = arg('objects', 100_000)
  return {
    objects,
    requests: arg('requests', 10 * objects),
    seed: arg('seed', 1),
    fractions: [0.005, 0.02, 0.1],
    oneHitShare: 0.2,
    warmup: 0.1,
  }
}

const ratio = (part: number, whole: number) => (100 * part) / Math.max(whole, 1)

const POLICIES: [string, Policy][] = [
  ['tier', tier],
  ['LRU', lru],
  ['Belady', belady],
  ['static oracle', staticOracle(true)],
  ['static oracle (bytes)', staticOracle(false)],
]

/** One table row: every policy's object and byte hit ratio, and the tier's share of Belady. */
function row(workload: Workload, fraction: number, trace: Trace, runs: Result[]): string {
  const objects = runs.map((run) => ratio(run.hits, run.requests))
  const bytes = runs.map((run) => ratio(run.hitBytes, run.bytes))
  const [now = 0, plain = 0, ceiling = 0, oracle = 0] = objects
  const [nowB = 0, plainB = 0, ceilingB = 0, , oracleB = 0] = bytes
  const f = (n: number) => n.toFixed(1)
  const share = (a: number, b: number) => `${Math.round((100 * a) / Math.max(b, 1e-9))}%`
  const budget = (trace.catalogueBytes * fraction) / 2 ** 20
  return (
    `| ${workload.name} | ${(fraction * 100).toFixed(1)}% (${budget.toFixed(0)} MiB) ` +
    `| ${[now, plain, ceiling, oracle].map(f).join(' / ')} ` +
    `| ${share(now, ceiling)} / ${share(now, oracle)} ` +
    `| ${[nowB, plainB, ceilingB, oracleB].map(f).join(' / ')} ` +
    `| ${share(nowB, ceilingB)} / ${share(nowB, oracleB)} |`
  )
}

function main(): void {
  const options = parse(process.argv.slice(2))
  const started = Date.now()
  const lines = [
    `Hit ratio, ${options.objects.toLocaleString('en')} objects, ` +
      `${options.requests.toLocaleString('en')} requests (${options.oneHitShare * 100}% one-hit ` +
      `wonders, lognormal sizes, median 32 KiB), first ${options.warmup * 100}% as warm-up. ` +
      'Hit ratios in % as tier / LRU / Belady / static oracle (by count per ' +
      'byte for objects, by count for bytes); then the tier as a share of Belady / of the oracle.',
    '',
    '| workload | cache (of catalogue bytes) | objects: tier / LRU / Belady / oracle | tier of Belady / oracle | bytes: tier / LRU / Belady / oracle | tier of Belady / oracle |',
    '| --- | --- | --- | --- | --- | --- |',
  ]
  for (const workload of WORKLOADS) {
    const trace = makeTrace(options, workload)
    const warm = Math.floor(options.requests * options.warmup)
    for (const fraction of options.fractions) {
      const budget = trace.catalogueBytes * fraction
      const runs = POLICIES.map(([, policy]) => policy(trace, budget, warm))
      lines.push(row(workload, fraction, trace, runs))
    }
  }
  lines.push('', `(${((Date.now() - started) / 1000).toFixed(1)} s)`)
  console.log(lines.join('\n'))
}

main()
