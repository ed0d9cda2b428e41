/**
 * Purge latency: the time from the admin API's 200 until no simulated PoP (five, in three
 * regions) and no tier serves the purged version any more. Runs `wrangler dev` with the
 * default purge bound (PURGE_STALENESS_MS = 1000) against a loopback origin, then repeats:
 * cache v1 at every PoP, switch the origin to v2, purge, poll every PoP until all serve v2.
 * Prints p50 / p99 / max over PURGES purges (default 100) and writes .bench/purge-<date>.json.
 * Run: npm run bench:purge
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { startOrigin } from '../../support/origin'
import { originControl } from '../../support/origin-control'
import { startEdge } from '../../support/wrangler-dev'

const PURGES = Number(process.env.PURGES ?? 100)
const TOKEN = 'bench-admin-token'
const HOST = 'purge-bench.test'
const POPS = [
  { colo: 'FRA', country: 'DE', continent: 'EU' },
  { colo: 'AMS', country: 'NL', continent: 'EU' },
  { colo: 'DFW', country: 'US', continent: 'NA' },
  { colo: 'ORD', country: 'US', continent: 'NA' },
  { colo: 'SIN', country: 'SG', continent: 'AS' },
]

const origin = await startOrigin()
const control = originControl(origin.url)
const edge = await startEdge({ vars: { ADMIN_TOKEN: TOKEN } })
const base = new URL(edge.url)

/** An HTTP request with any Host header (fetch forbids setting it). */
function call(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method, path, headers, agent: false },
      (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString()
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

const admin = (method: string, path: string, body: unknown) =>
  call(
    method,
    `/_admin${path}`,
    { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    JSON.stringify(body)
  )

async function servedAt(path: string): Promise<string[]> {
  return Promise.all(
    POPS.map(
      async (pop) =>
        (
          await call('GET', path, {
            host: HOST,
            'accept-encoding': 'identity',
            'mf-cf-blob': JSON.stringify(pop),
          })
        ).body
    )
  )
}

try {
  await admin('PUT', '/zones/bench', { hosts: [HOST] })
  await admin('PUT', '/zones/bench/origins/web', { kind: 'http', url: origin.url })
  await admin('PUT', '/zones/bench/routes/all', { pathPrefix: '/', origin: 'web' })
  // Let the config snapshot (CONFIG_TTL_MS = 5 s) pick the zone up.
  for (let i = 0; i < 100 && (await servedAt('/warmup'))[0] !== 'origin body for /warmup'; i++) {
    await new Promise((r) => setTimeout(r, 200))
  }
  const latencies: number[] = []
  for (let n = 0; n < PURGES; n++) {
    const path = `/object-${n}.css`
    await control.script(path, { body: 'v1' })
    await servedAt(path)
    const warm = await servedAt(path)
    if (warm.some((b) => b !== 'v1')) throw new Error(`warm-up of ${path} failed: ${warm}`)
    await control.script(path, { body: 'v2' })
    const purge = await admin('POST', '/zones/bench/purge_cache', {
      files: [`http://${HOST}${path}`],
    })
    const acknowledged = performance.now()
    if (purge.status !== 200) throw new Error(`purge failed: ${purge.status} ${purge.body}`)
    for (;;) {
      const bodies = await servedAt(path)
      if (bodies.every((b) => b === 'v2')) break
    }
    latencies.push(performance.now() - acknowledged)
  }
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  const result = {
    date: new Date().toISOString(),
    purges: latencies.length,
    pops: POPS.map((p) => p.colo),
    purgeStalenessMs: 1000,
    p50Ms: Math.round(at(0.5)),
    p99Ms: Math.round(at(0.99)),
    maxMs: Math.round(latencies.at(-1) ?? 0),
  }
  await mkdir('.bench', { recursive: true })
  await writeFile(
    `.bench/purge-${result.date.replaceAll(':', '-')}.json`,
    JSON.stringify({ ...result, latencies }, null, 2)
  )
  console.log('| purges | PoPs | bound | p50 | p99 | max |')
  console.log('| --- | --- | --- | --- | --- | --- |')
  console.log(
    `| ${result.purges} | ${result.pops.join(' ')} (+ eu/us/apac tiers) | 1000 ms | ${result.p50Ms} ms | ${result.p99Ms} ms | ${result.maxMs} ms |`
  )
} finally {
  await edge.stop()
  await origin.close()
}
