/**
 * Load model of the analytics stores (`npm run bench:analytics-load`): requests per second on
 * the busiest store object when a zone is busy everywhere (330 PoPs × 10 isolates by default).
 *
 * A store object is per zone and region. An isolate runs in one PoP, and a PoP belongs to one
 * region, so an isolate writes to one store per zone it serves, at most once per flush interval
 * however many requests it served (the batch is counters, not events). The busiest object is
 * the region holding the most PoPs; the worst case puts all of them in one region.
 *
 *   writes/s on a store = PoPs in its region × isolates per PoP ÷ flush interval (s)
 *
 * Usage: model.ts [pops=330] [isolatesPerPop=10] [flushMs=10000] [ceiling=500]
 */

interface Model {
  pops: number
  isolatesPerPop: number
  flushMs: number
}

/** @returns flushes per second reaching one store object */
export function storeWritesPerSecond(model: Model, popsInRegion: number): number {
  return (Math.min(popsInRegion, model.pops) * model.isolatesPerPop) / (model.flushMs / 1000)
}

const [pops = 330, isolatesPerPop = 10, flushMs = 10_000, ceiling = 500] = process.argv
  .slice(2)
  .map(Number)
const model = { pops, isolatesPerPop, flushMs }
// Shares of Cloudflare's PoPs by region, rounded (eu ~ Europe, us ~ the Americas, apac, the
// rest global); the worst case is every PoP in one region.
const shares = { eu: 0.3, us: 0.3, apac: 0.25, global: 0.15 }
console.log(
  `analytics store load: ${pops} PoPs x ${isolatesPerPop} isolates, flush every ${flushMs} ms`
)
for (const [region, share] of Object.entries(shares)) {
  const rate = storeWritesPerSecond(model, Math.round(pops * share))
  console.log(`  ${region.padEnd(7)} ${rate.toFixed(0).padStart(5)} req/s`)
}
const worst = storeWritesPerSecond(model, pops)
console.log(`  worst case (every PoP in one region): ${worst.toFixed(0)} req/s`)
console.log(`  ceiling ${ceiling} req/s: ${worst <= ceiling ? 'within' : 'EXCEEDED'}`)
if (worst > ceiling) process.exitCode = 1
