/**
 * Active health monitors through the edge: a failover pool whose primary declares a monitor;
 * the region's monitor object probes it from its alarm, the tier shards skip it once it is down
 * and return to it once it is up again. Measures and prints how long traffic took to move each
 * way; the admin API shows the probes and transitions.
 * @see origin/health-monitor.ts
 */
import { exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it } from 'vitest'
import { MONITOR_VIEW_MS } from '../../origin/monitor-view'
import { regionNamed } from '../../schemas/regions'
import { admin } from '../support/admin'
import { eventually } from '../support/eventually'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
const INTERVAL_S = 1
const DOWN_COUNT = 2
const UP_COUNT = 2

async function put(path: string, body: unknown) {
  const res = await admin('PUT', path, { body })
  if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${JSON.stringify(res.body)}`)
}

let n = 0
/** Which member a fresh (cold) URL is served from. */
async function memberNow(): Promise<string | null> {
  const res = await exports.default.fetch(
    new Request(`https://monitored.test/m/${n++}`, { cf: FRA } as RequestInit)
  )
  await res.arrayBuffer()
  return res.headers.get('edge-origin')
}

/**
 * Cold URLs in a row that must reach one member: as many as FRA's region has tier shards, so a
 * streak is not ended early by chance before most shards' views caught up (each URL lands on
 * the shard its key hashes to).
 */
const SETTLED = regionNamed('eu').shards

/**
 * Milliseconds until traffic moved to `member` for good: until the first of SETTLED cold URLs
 * in a row that it served (every shard's view of the monitor caught up), polling every 100 ms.
 * This measures failover end to end, through the monitor's alarms and each tier shard's cached
 * view of it; the monitor's own timing runs on a manual clock in
 * test/integration/schemas/durable/health-monitor.test.ts.
 */
async function timeUntil(member: string, limitMs: number): Promise<number> {
  const started = Date.now()
  let first: number | undefined
  const settled = async () => {
    for (let streak = 0; streak < SETTLED; streak++) {
      if ((await memberNow()) !== member) {
        first = undefined
        return false
      }
      first ??= Date.now() - started
    }
    return true
  }
  const moved = await eventually(settled, { timeoutMs: limitMs, intervalMs: 100 })
  if (!moved || first === undefined)
    throw new Error(`traffic did not settle on ${member} within ${limitMs} ms`)
  return first
}

describe('active health monitors', () => {
  beforeAll(async () => {
    await origin.script('/primary/healthz', {
      body: 'ok',
      headers: { 'cache-control': 'no-store' },
    })
    await put('/zones/monitored', { hosts: ['monitored.test'] })
    await put('/zones/monitored/origins/primary', {
      kind: 'http',
      url: `${originUrl}/primary`,
      monitor: {
        path: '/healthz',
        intervalSeconds: INTERVAL_S,
        timeoutMs: 500,
        expectBody: 'ok',
        upCount: UP_COUNT,
        downCount: DOWN_COUNT,
      },
    })
    await put('/zones/monitored/origins/backup', { kind: 'http', url: `${originUrl}/backup` })
    await put('/zones/monitored/origins/web', {
      kind: 'pool',
      steering: 'failover',
      members: [{ origin: 'primary' }, { origin: 'backup' }],
    })
    await put('/zones/monitored/routes/all', { pathPrefix: '/', origin: 'web' })
  })

  it('moves traffic to the backup when the monitor sees the primary fail, and back when it recovers', async ({
    expect,
  }) => {
    expect(await memberNow()).toBe('primary')
    // the primary still serves content; only its health check fails (passive health sees nothing)
    await origin.script('/primary/healthz', { status: 503, body: 'down' })
    const away = await timeUntil('backup', 30_000)
    await origin.script('/primary/healthz', { body: 'ok' })
    const back = await timeUntil('primary', 30_000)
    const bound = (n: number) => n * INTERVAL_S * 1000 + INTERVAL_S * 1000 + MONITOR_VIEW_MS
    console.log(
      `monitor failover: primary failing → traffic on backup in ${away} ms (bound interval × down count + one interval + view ${bound(DOWN_COUNT)} ms); recovered → back on primary in ${back} ms (bound ${bound(UP_COUNT)} ms)`
    )
    // Loose bounds: timers under a loaded test machine; the figures are printed above.
    expect(away).toBeLessThan(bound(DOWN_COUNT) + 5000)
    expect(back).toBeLessThan(bound(UP_COUNT) + 5000)

    const health = await admin<{
      regions: Record<
        string,
        {
          monitored: boolean
          healthy: boolean
          probes: unknown[]
          transitions: { healthy: boolean; reason?: string }[]
        }
      >
    }>('GET', '/zones/monitored/origins/primary/health')
    expect(health.status).toBe(200)
    const eu = health.body.result?.regions.eu
    expect(eu).toMatchObject({ monitored: true, healthy: true })
    expect(eu?.probes.length).toBeGreaterThanOrEqual(DOWN_COUNT + UP_COUNT)
    expect(eu?.transitions.slice(0, 2)).toEqual([
      { at: expect.any(Number), healthy: true },
      { at: expect.any(Number), healthy: false, reason: 'status 503' },
    ])
    // regions whose tiers never served the zone have started no probes
    expect(health.body.result?.regions.apac).toMatchObject({ healthy: true, probes: [] })
  }, 90_000)

  it('answers 404 for the health of an origin that does not exist', async ({ expect }) => {
    const res = await admin('GET', '/zones/monitored/origins/nope/health')
    expect(res.status).toBe(404)
  })
})
