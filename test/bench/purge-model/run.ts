/**
 * `npm run bench:purge-model`: prints the purge load model (model.ts) for 330 PoPs × 10
 * isolates × {1, 100, 1,000} zones × {1, 50} purges/s per zone: requests/s on the busiest
 * Durable Object, subrequests per purge and the bound, for today's design and the pushed one.
 * The comfortable ceiling per object is ~1,000 requests/s; the target is ≤ 500.
 */
import { ASSUMPTIONS, type Load, pushed, type Scenario, SHARDS, today } from './model'

const TARGET_RPS = 500
const rows: string[] = []
for (const zones of [1, 100, 1000]) {
  for (const purgesPerSecond of [1, 50]) {
    const scenario: Scenario = { pops: 330, isolatesPerPop: 10, zones, purgesPerSecond }
    for (const load of [today(scenario), pushed(scenario, true), pushed(scenario, false)]) {
      rows.push(row(scenario, load))
    }
  }
}

function row(s: Scenario, load: Load): string {
  const rps = Math.round(load.busiest.rps)
  const verdict = rps <= TARGET_RPS ? 'ok' : 'OVER'
  return `| ${s.zones} | ${s.purgesPerSecond} | ${load.design} | ${rps.toLocaleString('en')} (${load.busiest.object}) ${verdict} | ${load.subrequestsPerPurge} | ${Math.round(load.boundMs.l1)} ms / ${Math.round(load.boundMs.tier)} ms |`
}

console.log(
  `330 PoPs × 10 isolates; ${SHARDS.tier} tier shards, ${SHARDS.relays} relay shards per region; assumptions: ${JSON.stringify(ASSUMPTIONS)}\n`
)
console.log(
  '| zones | purges/s per zone | design | busiest object, req/s | subrequests per purge | bound L1 / tier |'
)
console.log('| --- | --- | --- | --- | --- | --- |')
for (const line of rows) console.log(line)
