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
import { belady, lru, type Policy, type Result, staticOracle, type Trace, tier } from './policies'
import { makeTrace, parse, WORKLOADS, type Workload } from './traces'

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
