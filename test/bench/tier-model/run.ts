/**
 * `npm run bench:tier-model`: prints the tier's load model (model.ts): requests per second on
 * the busiest tier shard under steady traffic at several network rates, and the load one hot
 * key puts on its shard. The comfortable ceiling per Durable Object is ~1,000 requests/s; the
 * target is ≤ 500.
 */

import { MOST_REGION_SHARDS } from '../../../schemas/regions'
import { ASSUMPTIONS, busiestShardShare, hotKeyLoad, steadyLoad } from './model'

const TARGET_RPS = 500
const verdict = (rps: number) => (rps <= TARGET_RPS ? 'ok' : rps <= 1000 ? 'over target' : 'OVER')
const n = (value: number) => Math.round(value).toLocaleString('en')

const a = ASSUMPTIONS
const lines = [
  `Assumptions: ${a.pops} PoPs, ${a.busiestRegionShare * 100}% of them and of requests in the busiest region, L1 hit ratio ${a.l1HitRatio * 100}%, ${a.isolatesPerPop} isolates per PoP, refill ${a.refillMs} ms, fill-claim race ${a.claimRaceMs} ms, misses spread evenly over ${n(a.keys)} keys (the shards' imbalance is the hash's).`,
  '',
  '| network edge req/s | shards in the region | busiest region L1 misses/s | busiest shard share | busiest shard req/s | verdict |',
  '| ---: | ---: | ---: | ---: | ---: | --- |',
]
const shares = new Map<number, number>()
for (const edgeRps of [100_000, 1_000_000, 10_000_000]) {
  for (const shards of [...new Set([4, 16, 64, 256, MOST_REGION_SHARDS])].sort((x, y) => x - y)) {
    if (!shares.has(shards)) shares.set(shards, busiestShardShare(shards))
    const load = steadyLoad(edgeRps, shares.get(shards) ?? 1)
    const current = shards === MOST_REGION_SHARDS ? ' (the code)' : ''
    lines.push(
      `| ${n(edgeRps)} | ${shards}${current} | ${n(load.regionMisses)} | ${(load.share * 100).toFixed(1)}% | ${n(load.busiestRps)} | ${verdict(load.busiestRps)} |`
    )
  }
}
lines.push(
  '',
  '| one hot key: req/s per PoP | freshness | PoPs | misses per PoP per expiry: isolates alone / one refill per PoP (now) | its shard, req/s: isolates alone / one refill per PoP (now) | verdict (now) |',
  '| ---: | ---: | ---: | ---: | ---: | --- |'
)
for (const popRps of [10, 100, 1000]) {
  for (const ttlS of [1, 10, 60]) {
    const { pops, isolatesAlone, popRefill } = hotKeyLoad(popRps, ttlS)
    lines.push(
      `| ${n(popRps)} | ${ttlS} s | ${pops} | ${isolatesAlone.missesPerPop.toFixed(1)} / ${popRefill.missesPerPop.toFixed(1)} | ${n(isolatesAlone.rps)} / ${n(popRefill.rps)} | ${verdict(popRefill.rps)} |`
    )
  }
}
process.stdout.write(`${lines.join('\n')}\n`)
