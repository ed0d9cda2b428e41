/**
 * @module bench/hit-ratio/window-sweep
 * Measures W-TinyLFU's admission window (edge-cache/tier/window.ts) against the tier's policy
 * before it (TinyLFU), on the simulator's traces: per row, each variant's object and byte hit
 * ratio and its change from TinyLFU's, then each variant's worst change on the rows whose popularity holds.
 *
 * Run: node --experimental-strip-types --import ./test/bench/register.mjs \
 *   test/bench/hit-ratio/window-sweep.ts [--objects 100000] [--requests 1000000] [--seed 1]
 * optionally with VARIANTS='[["name", {WindowOptions}], …]' in the environment instead of
 * the variants README reports.
 */
import { SHARD_MINIATURES } from '../../../edge-cache/tier/miniatures'
import { lru, type Policy, tinyLfu, type WindowOptions, windowedTier } from './policies'
import { makeTrace, parse, WORKLOADS } from './traces'

/**
 * The variants README's "Tier admission: hit ratio" reports: Caffeine's climber, a fixed 1%
 * window, and the window chosen by miniatures as the shard runs them (SHARD_MINIATURES).
 */
const REPORTED: [string, WindowOptions][] = [
  ['Caffeine', {}],
  ['fixed 1%', { fixedShare: 0.01 }],
  ['period 100', { periodPerEntry: 100 }],
  ['repeats only', { repeatsOnly: true }],
  ['miniatures', { miniatures: SHARD_MINIATURES }],
]

const variants = process.env.VARIANTS
  ? (JSON.parse(process.env.VARIANTS) as [string, WindowOptions][])
  : REPORTED

const POLICIES: [string, Policy][] = [
  ['TinyLFU', tinyLfu],
  ['LRU', lru],
  ...variants.map(([name, options]): [string, Policy] => [name, windowedTier(options)]),
]

const ratio = (part: number, whole: number) => (100 * part) / Math.max(whole, 1)
const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(2)}`

function main(): void {
  const options = parse(process.argv.slice(2))
  const worst = variants.map(() => ({ objects: Infinity, bytes: Infinity }))
  const names = POLICIES.map(([name]) => name)
  console.log(`| workload | cache | ${names.join(' | ')} |`)
  // ROWS='1,4' keeps those workloads only, FRACTIONS='0.005' those cache sizes (exploring).
  const rows = process.env.ROWS?.split(',').map(Number)
  const fractions = process.env.FRACTIONS?.split(',').map(Number)
  for (const workload of WORKLOADS.filter((_, i) => !rows || rows.includes(i))) {
    const trace = makeTrace(options, workload)
    const warm = Math.floor(options.requests * options.warmup)
    for (const fraction of options.fractions.filter((f) => !fractions || fractions.includes(f))) {
      const runs = POLICIES.map(([, p]) => p(trace, trace.catalogueBytes * fraction, warm))
      const objects = runs.map((run) => ratio(run.hits, run.requests))
      const bytes = runs.map((run) => ratio(run.hitBytes, run.bytes))
      const [o0 = 0, b0 = 0] = [objects[0], bytes[0]]
      const cells = runs.map((_, i) => {
        const o = objects[i] ?? 0
        const b = bytes[i] ?? 0
        if (i < 2) return `${o.toFixed(2)} / ${b.toFixed(2)}`
        const low = worst[i - 2]
        if (low && !workload.shiftShare) {
          low.objects = Math.min(low.objects, o - o0)
          low.bytes = Math.min(low.bytes, b - b0)
        }
        return `${o.toFixed(2)} (${signed(o - o0)}) / ${b.toFixed(2)} (${signed(b - b0)})`
      })
      console.log(`| ${workload.name} | ${fraction * 100}% | ${cells.join(' | ')} |`)
    }
  }
  const lows = variants.map(([name], i) => {
    const low = worst[i] ?? { objects: 0, bytes: 0 }
    return `${name} ${signed(low.objects)} / ${signed(low.bytes)}`
  })
  console.log(`\nworst change where popularity holds (objects / bytes): ${lows.join('; ')}`)
}

main()
