/**
 * `npm run bench:purge-model`: prints the purge load model (model.ts) for 330 PoPs × 10
 * isolates × {1, 100, 1,000} zones × {1, 50} purges/s per zone: requests/s on the busiest
 * Durable Object, subrequests per purge and the bound, for the first design, the pushed one and
 * the relay matrix that replaced it. The comfortable ceiling per object is ~1,000 requests/s;
 * the target is ≤ 500.
 */
import { ASSUMPTIONS, type Load, matrix, pushed, type Scenario, SHARDS, today } from './model'

const TARGET_RPS = 500
const rows: string[] = []
for (const zones of [1, 100, 1000]) {
  for (const purgesPerSecond of [1, 50]) {
    const scenario: Scenario = { pops: 330, isolatesPerPop: 10, zones, purgesPerSecond }
    const loads = [
      today(scenario),
      pushed(scenario, true),
      pushed(scenario, false),
      matrix(scenario, true),
      matrix(scenario, false),
    ]
    for (const load of loads) rows.push(row(scenario, load))
  }
}

function row(s: Scenario, load: Load): string {
  const rps = Math.round(load.busiest.rps)
  const verdict = rps <= TARGET_RPS ? 'ok' : 'OVER'
  const others = Object.entries(load.perObject)
    .map(([object, value]) => `${object} ${Math.round(value).toLocaleString('en')}`)
    .join('; ')
  const bound =
    load.purgeBoundMs === undefined ? '–' : `${load.purgeBoundMs.toLocaleString('en')} ms`
  const out =
    load.leadCallsOut === undefined ? '–' : Math.round(load.leadCallsOut).toLocaleString('en')
  return `| ${s.zones} | ${s.purgesPerSecond} | ${load.design} | ${rps.toLocaleString('en')} (${load.busiest.object}) ${verdict} | ${others} | ${load.subrequestsPerPurge} | ${bound} | ${Math.round(load.boundMs.l1)} ms / ${Math.round(load.boundMs.tier)} ms | ${out} |`
}

const popsInGroup = matrix(
  { pops: 330, isolatesPerPop: 10, zones: 1, purgesPerSecond: 1 },
  false
).popsInBusiestGroup
console.log(
  `330 PoPs × 10 isolates; ${SHARDS.tier} tier shards; ${SHARDS.relays} relay shards (zone groups) per region; matrix: ${SHARDS.popGroups} PoP groups per region, ${popsInGroup} PoPs in the busiest region's fullest group (of ${Math.round(330 * ASSUMPTIONS.busiestRegionShare)}); assumptions: ${JSON.stringify(ASSUMPTIONS)}\n`
)
console.log(
  '| zones | purges/s per zone | design | busiest object, req/s | every object, req/s | subrequests per purge | edge purge bound | in force at L1 / tier | busiest lead, calls out/s |'
)
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
for (const line of rows) console.log(line)
