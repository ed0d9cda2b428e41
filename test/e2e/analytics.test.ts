/**
 * Network-wide analytics through `wrangler dev` with its default flush interval: traffic from
 * four PoPs in two regions, each response's answering layer read from its own `Cache-Status`,
 * and the analytics API must report exactly those counts per layer and region, adding up to the
 * requests sent.
 */
import { spawnSync } from 'node:child_process'
import { describe, it } from 'vitest'
import { eventually } from '../support/eventually'
import { layerOf } from '../support/layers'
import { AMS, FRA, IAD, LAX } from '../support/pops'
import { useProxyEdge } from '../support/proxy-edge'

/** Prometheus's own linter (Debian: `apt-get install prometheus`; `.ci/run` installs it). */
const PROMTOOL = spawnSync('promtool', ['--version']).status === 0
if (!PROMTOOL) {
  console.warn(
    'promtool not found: the Prometheus exposition check skips (apt-get install prometheus)'
  )
}

const ADMIN_TOKEN = `ecdn_admin_e2e_${crypto.randomUUID()}`
const edge = useProxyEdge({ ADMIN_TOKEN })

const POPS = [
  { ...FRA, region: 'eu' },
  { ...AMS, region: 'eu' },
  { ...IAD, region: 'us' },
  { ...LAX, region: 'us' },
]

interface Report {
  totals: {
    requests: number
    byLayer: Record<string, number>
    byRegion: Record<string, { requests: number; byLayer: Record<string, number> }>
    byColo: Record<string, number>
  }
  top: { urls: { url: string; requests: number }[]; missingUrls: { url: string }[] }
  costSaved: { rows: { region: string; bytesAvoided: { l1: number; tier: number } }[] }
}

async function report(): Promise<Report> {
  const res = await fetch(`${edge.url}/_admin/zones/default/analytics?since=-1h&by=region`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  if (res.status !== 200) throw new Error(`analytics: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { result: Report }).result
}

describe('analytics across the network', () => {
  it('counts every request exactly, per layer and region, across four PoPs', async ({ expect }) => {
    const paths = ['/a.css', '/b.js', '/c.png']
    for (const path of paths) {
      await edge.control.script(path, {
        headers: { 'cache-control': 'public, max-age=600', 'content-type': 'text/plain' },
        body: `body of ${path}`,
      })
    }
    const expected: Record<string, Record<string, number>> = {}
    let sent = 0
    for (const pop of POPS) {
      for (const path of paths) {
        for (let i = 0; i < 2; i++) {
          const res = await fetch(`${edge.url}${path}`, {
            headers: { 'mf-cf-blob': JSON.stringify(pop) },
          })
          expect(res.status).toBe(200)
          await res.arrayBuffer()
          const layer = layerOf(res.headers.get('cache-status'))
          const region = expected[pop.region] ?? {}
          region[layer] = (region[layer] ?? 0) + 1
          expected[pop.region] = region
          sent++
        }
      }
    }
    // Every layer took part, so the breakdown is not trivially one bucket.
    expect(expected.eu?.origin).toBeGreaterThan(0)
    expect(expected.eu?.l1).toBeGreaterThan(0)
    expect((expected.eu?.tier ?? 0) + (expected.us?.tier ?? 0)).toBeGreaterThan(0)

    // Isolates flush every ANALYTICS_FLUSH_MS (10 s by default): poll until all have arrived.
    // The harness's readiness probe (`/__ready`) is traffic of the proxy zone too: wrangler dev
    // gives a request without MF-CF-Blob the colo DFW (region us), and it goes to the origin.
    const probesOf = (r: Report) =>
      r.top.urls.find((u) => u.url.endsWith('/__ready'))?.requests ?? 0
    let seen = await report()
    await eventually(
      async () => {
        seen = await report()
        return seen.totals.requests - probesOf(seen) >= sent
      },
      { timeoutMs: 40_000, intervalMs: 500 }
    )
    const probes = probesOf(seen)
    expect(seen.totals.requests).toBe(sent + probes)
    expect(seen.totals.byRegion.eu?.byLayer).toEqual(expected.eu)
    const us = expected.us ?? {}
    expect(seen.totals.byRegion.us?.byLayer).toEqual({ ...us, origin: (us.origin ?? 0) + probes })
    const layers = Object.values(seen.totals.byLayer).reduce((a, b) => a + b, 0)
    expect(layers).toBe(sent + probes)
    expect(seen.totals.byColo).toEqual({ FRA: 6, AMS: 6, IAD: 6, LAX: 6, DFW: probes })
    const ours = seen.top.urls.filter((u) => paths.some((p) => u.url.endsWith(p)))
    expect(ours.map((u) => u.requests)).toEqual([8, 8, 8])
    const euSaved = seen.costSaved.rows.find((r) => r.region === 'eu')
    expect((euSaved?.bytesAvoided.l1 ?? 0) + (euSaved?.bytesAvoided.tier ?? 0)).toBeGreaterThan(0)
  })
})

describe('/_admin/metrics', () => {
  it.skipIf(!PROMTOOL)(
    'passes promtool check metrics with the network-wide figures',
    async ({ expect }) => {
      const res = await fetch(`${edge.url}/_admin/metrics`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
      expect(res.status).toBe(200)
      const text = await res.text()
      // The figures of the traffic above, from every isolate: histograms and counters present.
      expect(text).toMatch(
        /^edge_requests_total\{zone="default",region="eu",layer="l1",colo="FRA",status_class="2xx"\} 3$/m
      )
      expect(text).toMatch(/^edge_request_duration_seconds_bucket\{.*le="\+Inf"\} \d+$/m)
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
      expect(`${check.stdout}${check.stderr}`).toBe('')
      expect(check.status).toBe(0)
    }
  )
})
