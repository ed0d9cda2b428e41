/**
 * @module bench/monitor-load
 * Load model of the active health monitor Durable Object (origin/health-monitor.ts): requests/s
 * on the busiest object at network scale, printed for the figures below (change them with
 * flags). Run: `node --experimental-strip-types --import ./test/bench/register.mjs
 * test/bench/monitor-load.ts [--shards 64]
 * [--view-ms 1000] [--monitored 20] [--interval 10] [--admin-rps 1]`.
 *
 * Who calls one `health:<zone>:<region>` object:
 * - tier shards of the region, for pools with monitored members: each reads the zone's down
 *   list at most once per `viewMs` (the view is cached in the shard, whatever its traffic);
 *   edge isolates never call it (their own origin requests use passive health only), so the
 *   330 PoPs × ~10 isolates of a busy zone do not reach it;
 * - its own alarm: one run per probe interval, probing every monitored origin of the zone (the
 *   probes are outbound subrequests, not requests to the object);
 * - the admin API's `GET …/origins/:name/health`, by operators.
 */
import { parseArgs } from 'node:util'
import { MOST_REGION_SHARDS } from '../../schemas/regions'

const { values } = parseArgs({
  options: {
    shards: { type: 'string', default: String(MOST_REGION_SHARDS) },
    'view-ms': { type: 'string', default: '1000' },
    monitored: { type: 'string', default: '20' },
    interval: { type: 'string', default: '10' },
    'admin-rps': { type: 'string', default: '1' },
  },
})
const shards = Number(values.shards)
const viewMs = Number(values['view-ms'])
const monitored = Number(values.monitored)
const interval = Number(values.interval)
const adminRps = Number(values['admin-rps'])

const fromShards = shards * (1000 / viewMs)
const alarmRuns = 1 / interval
const total = fromShards + alarmRuns + adminRps
const probesPerSecond = monitored / interval
console.log(`busiest monitor object (one zone, one region; edge isolates: 330 PoPs × 10, none call it)
  tier shards reading the down list: ${shards} × ${(1000 / viewMs).toFixed(2)}/s = ${fromShards.toFixed(2)} req/s
  alarm runs:                        ${alarmRuns.toFixed(2)} /s (${probesPerSecond.toFixed(2)} outbound probes/s)
  admin health reads:                ${adminRps.toFixed(2)} req/s
  total:                             ${total.toFixed(2)} req/s (ceiling ~1,000 req/s: ${((total / 1000) * 100).toFixed(2)} %)`)
