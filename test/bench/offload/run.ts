/**
 * @module bench/offload/run
 * Origin offload end to end (issue #5): one Zipf workload entering at several simulated PoPs of
 * one region, replayed against the real platform (`wrangler dev`) twice, with the regional tier
 * on and with `tieredCache: false` (L1 only), while a loopback origin counts what reaches it.
 * Prints the offload table and writes `.bench/offload-<date>.json` (+ `.md`).
 *
 * Both configurations run in one `wrangler dev`, one after the other (tier on first), with the
 * same trace and origin. Each has its own zone and host, so its cache keys (URL with host) share
 * no entry with the other's in any PoP's L1 or in the tier, and its own origin base path
 * (`/tiered/…`, `/l1-only/…`), so the origin's count is split exactly by configuration.
 *
 * Tunables (env): OFFLOAD_REQUESTS (per configuration, 10000), OFFLOAD_OBJECTS (4000),
 * OFFLOAD_ALPHA (0.9), OFFLOAD_CONCURRENCY (12), OFFLOAD_SEED (1).
 * Run: npm run bench:offload (Node with --experimental-transform-types rather than strip-types:
 * the Cache-Status parser it reuses, edge-cache/policy/cache-status.ts, imports a class with
 * parameter properties).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startOrigin } from '../../support/origin'
import { originControl } from '../../support/origin-control'
import { startEdge } from '../../support/wrangler-dev'
import { type Fetched, getBody, pop } from '../clients'
import { machine } from '../procs'
import { snapshotSources } from '../snapshot'
import { type ConfigResult, type OffloadResults, report, summarize } from './report'
import { bounds, EU_POPS, makeTrace, OFFLOAD_SIZES } from './trace'

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  return Number.isFinite(value) && value > 0 ? value : fallback
}
const REQUESTS = Math.round(num('OFFLOAD_REQUESTS', 10_000))
const OBJECTS = Math.round(num('OFFLOAD_OBJECTS', 4000))
const ALPHA = num('OFFLOAD_ALPHA', 0.9)
const CONCURRENCY = Math.round(num('OFFLOAD_CONCURRENCY', 12))
const SEED = Math.round(num('OFFLOAD_SEED', 1))
const TOKEN = 'bench-admin-token'
/** Long-lived and public: nothing goes stale during a run. */
const OBJECT_HEADERS = {
  'content-type': 'application/octet-stream',
  'cache-control': 'public, max-age=86400',
}
const CONFIGURATIONS = [
  { name: 'tiered', host: 'tiered.offload.test', tieredCache: true },
  { name: 'l1-only', host: 'l1-only.offload.test', tieredCache: false },
] as const
type Configuration = (typeof CONFIGURATIONS)[number]

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const log = (message: string) => process.stderr.write(`› ${message}\n`)
const objectPath = (object: number) => `/o/${object}.bin`

/** Runs `task(i)` for i in 0 … n − 1 with at most `limit` in flight; results in order. */
async function pool<T>(n: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      for (let i = next++; i < n; i = next++) out[i] = await task(i)
    })
  )
  return out
}

async function main() {
  const started = new Date()
  const trace = makeTrace({
    objects: OBJECTS,
    requests: REQUESTS,
    alpha: ALPHA,
    seed: SEED,
    pops: EU_POPS,
  })
  const limits = bounds(trace)
  const requested = [...new Set(trace.requests.map((r) => r.object))]
  const sizeOf = (object: number) => trace.sizes[object] ?? 0
  const work = await mkdtemp(join(tmpdir(), 'edge-cdn-offload-'))
  const stops: Array<() => Promise<void>> = []
  const configurations: ConfigResult[] = []
  const notes: string[] = [
    'Both configurations ran in one `wrangler dev` from a snapshot of the sources taken at the start, one after the other (tier on first), on separate hosts (no cache entry shared) and separate origin base paths (origin requests counted per configuration).',
  ]
  try {
    const snapshot = await snapshotSources(work)
    const origin = await startOrigin()
    stops.push(() => origin.close())
    const control = originControl(origin.url)
    log(`scripting ${requested.length} objects × ${CONFIGURATIONS.length} origin paths`)
    for (const config of CONFIGURATIONS) {
      await pool(requested.length, 16, (i) => {
        const object = requested[i] ?? 0
        return control.script(`/${config.name}${objectPath(object)}`, {
          bytes: sizeOf(object),
          headers: OBJECT_HEADERS,
        })
      })
    }

    log('starting the platform (wrangler dev)')
    const edge = await startEdge({ vars: { ADMIN_TOKEN: TOKEN }, cwd: snapshot })
    stops.push(() => edge.stop())
    for (const config of CONFIGURATIONS) await configure(edge.url, config, origin.url)
    for (const config of CONFIGURATIONS) await untilServed(edge.url, config.host)

    for (const config of CONFIGURATIONS) {
      log(`${config.name}: ${REQUESTS} requests, ${CONCURRENCY} in flight`)
      const from = await originCount(origin.url)
      const t0 = performance.now()
      let done = 0
      const fetched = await pool(REQUESTS, CONCURRENCY, async (i) => {
        const request = trace.requests[i] ?? { object: 0, pop: 0 }
        const at = trace.pops[request.pop] ?? EU_POPS[0]
        const answer = await getBody(`${edge.url}${objectPath(request.object)}`, {
          host: config.host,
          'accept-encoding': 'identity',
          ...pop(at?.colo ?? 'FRA', at?.country, at?.continent),
        })
        if (++done % Math.ceil(REQUESTS / 10) === 0) log(`${config.name}: ${done}/${REQUESTS}`)
        return answer
      })
      const wallS = (performance.now() - t0) / 1000
      // Fills finish in waitUntil after the answer; let them land before counting.
      await sleep(1000)
      const origins = await originRequests(origin.url, from, `/${config.name}/o/`)
      const result = summarize({
        ...config,
        fetched,
        expectedBytes: trace.requests.map((r) => sizeOf(r.object)),
        requestedBytes: limits.requestedBytes,
        wallS,
        originRequests: origins.length,
        originBytes: origins.reduce((sum, target) => sum + sizeOf(objectOf(target)), 0),
      })
      configurations.push(result)
      const tierSeen = fetched.filter((f) => f.cacheStatus.includes('edge-tier')).length
      if (!config.tieredCache && tierSeen > 0) {
        notes.push(`${tierSeen} answers of the tier-off run carried an edge-tier Cache-Status.`)
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  }

  const results: OffloadResults = {
    date: started.toISOString(),
    machine: machine(),
    versions: { node: process.version, wrangler: await packageVersion('wrangler') },
    workload: {
      objects: OBJECTS,
      alpha: ALPHA,
      requestsPerConfiguration: REQUESTS,
      seed: SEED,
      concurrency: CONCURRENCY,
      pops: EU_POPS,
      sizes: OFFLOAD_SIZES,
      objectsOver100KiB: requested.filter((o) => sizeOf(o) >= 100 * 1024).length,
      objectsAt1MiB: requested.filter((o) => sizeOf(o) >= OFFLOAD_SIZES.maxBytes).length,
    },
    bounds: limits,
    configurations,
    notes,
  }
  const markdown = report(results)
  await mkdir('.bench', { recursive: true })
  const stamp = results.date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')
  await writeFile(`.bench/offload-${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`)
  await writeFile(`.bench/offload-${stamp}.md`, markdown)
  process.stdout.write(`${markdown}\nresults: .bench/offload-${stamp}.json\n`)
}

/** A zone per configuration: its host, the origin under its base path, one route for all. */
async function configure(edgeUrl: string, config: Configuration, originUrl: string) {
  const zone = `offload-${config.name}`
  const calls: Array<[string, unknown]> = [
    [`/zones/${zone}`, { hosts: [config.host] }],
    [`/zones/${zone}/origins/web`, { kind: 'http', url: `${originUrl}/${config.name}` }],
    [
      `/zones/${zone}/routes/all`,
      { pathPrefix: '/', origin: 'web', tieredCache: config.tieredCache },
    ],
  ]
  for (const [path, body] of calls) {
    const res = await fetch(`${edgeUrl}/_admin${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`PUT ${path} answered ${res.status}: ${text}`)
  }
}

/** Waits until the edge's config snapshot (CONFIG_TTL_MS) serves `host`. */
async function untilServed(edgeUrl: string, host: string) {
  let last: Fetched | undefined
  for (let i = 0; i < 100; i++) {
    last = await getBody(`${edgeUrl}/ready`, { host, ...pop('FRA') })
    if (last.status === 200) return
    await sleep(200)
  }
  throw new Error(`${host} is not served: last answer ${last?.status} ${last?.error ?? ''}`)
}

async function originCount(originUrl: string): Promise<number> {
  const res = await fetch(`${originUrl}/__origin/stats`)
  return ((await res.json()) as { requests: number }).requests
}

/** The origin's request targets from the `from`th on that start with `prefix`. */
async function originRequests(originUrl: string, from: number, prefix: string) {
  const to = await originCount(originUrl)
  const targets: string[] = []
  // The origin lists up to 20 targets per call.
  for (let n = from; n < to; n += 20) {
    const res = await fetch(`${originUrl}/__origin/stats?from=${n}`)
    targets.push(...((await res.json()) as { targets: string[] }).targets)
  }
  return targets.slice(0, to - from).filter((t) => t.startsWith(prefix))
}

/** `/tiered/o/12.bin` → 12. */
function objectOf(target: string): number {
  return Number(/\/o\/(\d+)\.bin$/.exec(target)?.[1] ?? -1)
}

async function packageVersion(name: string): Promise<string> {
  const json = await readFile(`node_modules/${name}/package.json`, 'utf8')
  return (JSON.parse(json) as { version: string }).version
}

await main()
