/**
 * `npm run bench`: measures the platform over loopback, side by side in one run, against the
 * runtime's ceiling (a bare Worker answering from the Cache API) and nginx `proxy_cache`, then
 * writes `.bench/results-<date>.json` (+ `.md`) and prints the tables.
 *
 * Tunables (env): BENCH_DURATION_S (10), BENCH_WARMUP_S (3), BENCH_CONNECTIONS (16),
 * BENCH_THREADS (1), BENCH_BIG_BYTES (1 GiB), BENCH_SLOW_READ_BPS (20e6),
 * BENCH_COLLAPSE_N (1000), BENCH_COLLAPSE_DELAY_MS (250), BENCH_NGINX_WORKERS (auto),
 * BENCH_SKIP (comma list of: nginx, bare, throughput, compressed, collapse, memory, bundle).
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { startOrigin } from '../support/origin'
import { originControl } from '../support/origin-control'
import { type RunningEdge, startEdge } from '../support/wrangler-dev'
import { type Fetched, getBody, pop, tally } from './clients'
import { compressedText } from './compressed'
import { cpuMs, groupPids, machine, rssBytes, startedAtMs, wranglerGroup } from './procs'
import { type Config, type Results, report, type Scenario } from './report'
import { nginxBinary, type RunningServer, startBareWorker, startNginx, versionOf } from './servers'
import { snapshotSources } from './snapshot'
import { connectHeapProbe } from './soak/heap'
import { runtimeVersions } from './versions'
import { type Shape, wrk } from './wrk'

const execFileAsync = promisify(execFile)
const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  return Number.isFinite(value) ? value : fallback
}
const config: Config = {
  durationS: num('BENCH_DURATION_S', 10),
  warmupS: num('BENCH_WARMUP_S', 3),
  connections: num('BENCH_CONNECTIONS', 16),
  threads: num('BENCH_THREADS', 1),
  bigBytes: num('BENCH_BIG_BYTES', 2 ** 30),
  slowReadBps: num('BENCH_SLOW_READ_BPS', 20e6),
  collapseN: num('BENCH_COLLAPSE_N', 1000),
  collapseDelayMs: num('BENCH_COLLAPSE_DELAY_MS', 250),
  nginxWorkers: process.env.BENCH_NGINX_WORKERS ?? 'auto',
}
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean))

const SIZES = [
  { label: '1 KiB', slug: '1k', bytes: 1024, tierObjects: 200 },
  { label: '1 MiB', slug: '1m', bytes: 1024 * 1024, tierObjects: 64 },
] as const
/** Long-lived and public: nothing goes stale during a run. */
const OBJECT_HEADERS = {
  'content-type': 'application/octet-stream',
  'cache-control': 'public, max-age=86400',
}
const HOME = pop('FRA')
const EU_COLOS = ['FRA', 'AMS', 'CDG', 'LHR', 'MAD', 'MXP', 'ARN', 'VIE', 'WAW', 'DUB']
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const log = (message: string) => process.stderr.write(`› ${message}\n`)

/** byte i of a generated body is i mod 251 (test/support/origin.ts). */
const checkGenerated = (offset: number, chunk: Buffer) =>
  chunk.length === 0 || chunk[0] === offset % 251

async function main() {
  const started = new Date()
  const work = await mkdtemp(join(tmpdir(), 'edge-cdn-bench-'))
  const results: Results = {
    date: started.toISOString(),
    machine: machine(),
    versions: await versions(),
    config,
    notes: [],
    scenarios: [],
  }
  const stops: Array<() => Promise<void>> = []
  try {
    // wrangler dev rebuilds and restarts workerd whenever a source file changes; a snapshot of
    // the sources taken now keeps edits made during the run from reloading the Worker mid-row.
    const snapshot = await snapshotSources(work)
    results.notes.push(
      'The platform ran from a snapshot of workers/, edge-cache/, origin/, schemas/ and wrangler.toml taken when the run started.'
    )
    if (!skip.has('bundle')) results.bundle = await bundleSize(work, snapshot)

    const origin = await startOrigin()
    stops.push(() => origin.close())
    const control = originControl(origin.url)
    const originRequests = async () => {
      const res = await fetch(`${origin.url}/__origin/stats`)
      return ((await res.json()) as { requests: number }).requests
    }
    const originTargets = async (from: number) => {
      const res = await fetch(`${origin.url}/__origin/stats?from=${from}`)
      return ((await res.json()) as { targets: string[] }).targets
    }
    for (const size of SIZES) {
      for (const kind of ['obj', 'tier', 'miss']) {
        await control.script(`/bench/${kind}-${size.slug}`, {
          bytes: size.bytes,
          headers: OBJECT_HEADERS,
        })
      }
    }

    log('starting the platform (wrangler dev, proxy mode)')
    const edgeStart = Date.now()
    const edge = await startEdge({ vars: { ORIGIN_URL: origin.url }, cwd: snapshot })
    const edgeReady = Date.now()
    stops.push(() => edge.stop())
    const edgeGroup = wranglerGroup(Number(new URL(edge.url).port))
    results.startup = {
      edge: {
        spawnToFirstAnswerMs: edgeReady - startedAtMs(edgeGroup),
        withMigrationsMs: edgeReady - edgeStart,
      },
    }
    const targets: Record<string, Target> = {
      edge: { name: 'edge', url: edge.url, pgid: edgeGroup, processes: 'workerd' },
    }

    if (!skip.has('bare')) {
      log('starting the bare Worker (wrangler dev)')
      const bare = await startBareWorker(origin.url)
      const bareReady = Date.now()
      stops.push(() => bare.stop())
      results.startup.bare = { spawnToFirstAnswerMs: bareReady - startedAtMs(bare.pgid) }
      targets.bare = { name: 'bare', url: bare.url, pgid: bare.pgid, processes: 'workerd' }
    }

    const nginx = nginxBinary()
    if (skip.has('nginx')) results.notes.push('nginx comparison skipped (BENCH_SKIP).')
    else if (!nginx) {
      results.notes.push('nginx is not installed and could not be installed: comparison skipped.')
    } else {
      log('starting nginx proxy_cache')
      const server: RunningServer = await startNginx(nginx, origin.url, config.nginxWorkers)
      stops.push(() => server.stop())
      results.versions.nginx = versionOf(nginx, /nginx\/(\S+)/)
      targets.nginx = { name: 'nginx', url: server.url, pgid: server.pgid }
    }

    // First, while the platform is fresh: its baseline RSS is then that of a started edge.
    if (!skip.has('memory')) {
      results.memory = await memory(edge, edgeGroup, control, originRequests)
    }
    if (!skip.has('throughput')) {
      for (const size of SIZES) {
        results.scenarios.push(
          ...(await throughput(size, targets, work, originRequests, originTargets))
        )
      }
    }
    if (!skip.has('compressed')) {
      if (nginx) results.scenarios.push(...(await compressedText(config, work, snapshot, log)))
      else results.notes.push('nginx is not installed: the compressed-text rows were skipped.')
    }
    if (!skip.has('collapse')) {
      results.collapse = []
      for (const size of SIZES) {
        results.collapse.push(await collapse(size, edge.url, control))
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  }

  const markdown = report(results)
  await mkdir('.bench', { recursive: true })
  const stamp = results.date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')
  await writeFile(`.bench/results-${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`)
  await writeFile(`.bench/results-${stamp}.md`, markdown)
  process.stdout.write(`${markdown}\nresults: .bench/results-${stamp}.json\n`)
}

interface Target {
  name: 'edge' | 'bare' | 'nginx'
  url: string
  pgid: number
  /** Count CPU of these processes (by comm) of the group; all of them when absent. */
  processes?: string
}

async function throughput(
  size: (typeof SIZES)[number],
  targets: Record<string, Target>,
  work: string,
  originRequests: () => Promise<number>,
  originTargets: (from: number) => Promise<string[]>
): Promise<Scenario[]> {
  const out: Scenario[] = []
  const measure = async (
    id: string,
    target: Target,
    path: string,
    shape: (phase: string) => Shape,
    probe: { url: string; headers: Record<string, string> }
  ) => {
    log(`${id} (${size.label}) on ${target.name}`)
    const seen = await getBody(probe.url, probe.headers, 0, checkGenerated)
    const base = {
      url: target.url,
      path,
      headers: HOME,
      connections: config.connections,
      threads: config.threads,
      dir: work,
      countStatuses: target.name !== 'nginx',
    }
    if (config.warmupS > 0) {
      await wrk({ ...base, shape: shape('w'), durationS: config.warmupS }, `${id}-${size.slug}-w`)
    }
    const pids = groupPids(target.pgid, target.processes)
    const all = groupPids(target.pgid)
    const cpuBefore = cpuMs(pids)
    const allBefore = cpuMs(all)
    const originBefore = await originRequests()
    const result = await wrk(
      { ...base, shape: shape('r'), durationS: config.durationS },
      `${id}-${size.slug}`
    )
    const cpu = cpuMs(pids) - cpuBefore
    const cpuAll = cpuMs(all) - allBefore
    const after = groupPids(target.pgid, target.processes)
    // A restarted process (e.g. wrangler reloading) takes its CPU time with it: say so.
    const restarted = after.length !== pids.length || after.some((pid) => !pids.includes(pid))
    out.push({
      id,
      target: target.name,
      size: size.label,
      ...result,
      cpuMsPerRequest: cpu / result.requests,
      groupCpuMsPerRequest: cpuAll / result.requests,
      cpuProcesses: target.processes ?? 'all',
      ...(restarted ? { restarted: true } : {}),
      originRequests: (await originRequests()) - originBefore,
      originTargets: await originTargets(originBefore),
      probe: {
        status: seen.status,
        cacheStatus: seen.cacheStatus,
        bytes: seen.bytes,
        intact: seen.intact,
      },
    })
  }
  const at = (target: Target, path: string) => `${target.url}${path}`
  const obj = `/bench/obj-${size.slug}`
  const miss = `/bench/miss-${size.slug}`
  const tier = `/bench/tier-${size.slug}`
  const stamp = Date.now().toString(36)
  const edge = targets.edge
  if (!edge) throw new Error('no edge')

  // L1 hit: the same PoP asks for the same object again and again. L1 may admit an object
  // only on a later request (admission policy): ask until it answers from L1.
  for (let i = 0; i < 5; i++) {
    const seen = await getBody(at(edge, obj), HOME)
    if (/^edge-l1; hit/.test(seen.cacheStatus)) break
    await sleep(300)
  }
  await measure('l1-hit', edge, obj, () => ({ kind: 'static' }), {
    url: at(edge, obj),
    headers: HOME,
  })

  // Tier hit: fill `tierObjects` URLs into the EU tier from FRA, then each request comes from
  // an EU PoP that has never seen that URL (see wrk.ts), so L1 misses and the tier answers.
  for (let i = 0; i < size.tierObjects; i += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, size.tierObjects - i) }, (_, k) =>
        getBody(at(edge, `${tier}?i=${i + k}`), HOME)
      )
    )
  }
  await measure(
    'tier-hit',
    edge,
    tier,
    (phase) => ({
      kind: 'tier',
      objects: size.tierObjects,
      coloPrefix: `B${stamp}${phase}`,
      country: 'DE',
      continent: 'EU',
    }),
    { url: at(edge, `${tier}?i=0`), headers: pop(`B${stamp}probe`) }
  )

  // Miss to origin: a URL nobody asked for, every time (stored in tier and L1 as a real miss is).
  await measure('miss', edge, miss, (phase) => ({ kind: 'unique', runId: `${stamp}${phase}` }), {
    url: at(edge, `${miss}?n=probe-${stamp}`),
    headers: HOME,
  })

  const bare = targets.bare
  if (bare) {
    await getBody(at(bare, obj), HOME)
    await sleep(300)
    await measure('bare-hit', bare, obj, () => ({ kind: 'static' }), {
      url: at(bare, obj),
      headers: HOME,
    })
  }
  const nginx = targets.nginx
  if (nginx) {
    await getBody(at(nginx, obj), HOME)
    await sleep(300)
    await measure('nginx-hit', nginx, obj, () => ({ kind: 'static' }), {
      url: at(nginx, obj),
      headers: HOME,
    })
    await measure(
      'nginx-miss',
      nginx,
      miss,
      (phase) => ({ kind: 'unique', runId: `x${stamp}${phase}` }),
      { url: at(nginx, `${miss}?n=probe-x${stamp}`), headers: HOME }
    )
  }
  return out
}

/** N concurrent cold requests for one key from 10 PoPs of one region vs one cold request. */
async function collapse(
  size: (typeof SIZES)[number],
  edgeUrl: string,
  control: ReturnType<typeof originControl>
) {
  const path = `/bench/collapse-${size.slug}`
  log(`collapsing: ${config.collapseN} concurrent cold requests (${size.label})`)
  await control.script(path, {
    bytes: size.bytes,
    delayMs: config.collapseDelayMs,
    headers: OBJECT_HEADERS,
  })
  const stamp = Date.now().toString(36)
  const single = await getBody(`${edgeUrl}${path}?k=single-${stamp}`, HOME, 0, checkGenerated)
  const key = `${path}?k=all-${stamp}`
  const start = performance.now()
  const all: Array<Fetched & { intact: boolean }> = await Promise.all(
    Array.from({ length: config.collapseN }, (_, i) =>
      getBody(`${edgeUrl}${key}`, pop(EU_COLOS[i % EU_COLOS.length] ?? 'FRA'), 0, checkGenerated)
    )
  )
  const lastByteMs = Math.max(...all.map((r) => r.endAt)) - start
  const times = all.map((r) => r.ms).sort((a, b) => a - b)
  return {
    size: size.label,
    requests: config.collapseN,
    pops: EU_COLOS.length,
    originDelayMs: config.collapseDelayMs,
    originFetches: (await control.hits(key)).length,
    singleRequestMs: single.ms,
    singleOriginFetches: (await control.hits(`${path}?k=single-${stamp}`)).length,
    lastByteMs,
    p50Ms: times[Math.floor(times.length / 2)] ?? 0,
    complete: all.filter((r) => r.status === 200 && r.bytes === size.bytes && r.intact).length,
    answers: tally(all),
  }
}

/**
 * Peak workerd RSS while two throttled clients stream a BENCH_BIG_BYTES object; then the same
 * for another cold copy while a GC is forced once a second, to see what is live.
 */
async function memory(
  edge: RunningEdge,
  pgid: number,
  control: ReturnType<typeof originControl>,
  originRequests: () => Promise<number>
) {
  const path = '/bench/big'
  log(
    `memory: ${config.bigBytes} bytes to two clients at ${config.slowReadBps / 1e6} MB/s each (~${Math.round(config.bigBytes / config.slowReadBps)} s, twice)`
  )
  await control.script(path, { bytes: config.bigBytes, headers: OBJECT_HEADERS })
  const pids = groupPids(pgid, 'workerd')
  const baseline: number[] = []
  for (let i = 0; i < 10; i++) {
    baseline.push(rssBytes(pids))
    await sleep(100)
  }
  const baselineBytes = Math.max(...baseline)
  let peakBytes = baselineBytes
  const sampler = setInterval(() => {
    peakBytes = Math.max(peakBytes, rssBytes(pids))
  }, 100)
  const originBefore = await originRequests()
  const stream = (run: string) => {
    const url = `${edge.url}${path}?run=${run}`
    return Promise.all([
      getBody(url, pop('FRA'), config.slowReadBps, checkGenerated),
      getBody(url, pop('AMS', 'NL'), config.slowReadBps, checkGenerated),
    ])
  }
  const clients = await stream(`a${Date.now().toString(36)}`)
  clearInterval(sampler)
  peakBytes = Math.max(peakBytes, rssBytes(pids))
  const originFetches = (await originRequests()) - originBefore
  const live = await liveMemory(edge, pids, () => stream(`b${Date.now().toString(36)}`))
  return {
    objectBytes: config.bigBytes,
    readBps: config.slowReadBps,
    workerdProcesses: pids.length,
    baselineRssBytes: baselineBytes,
    peakRssBytes: peakBytes,
    live,
    originFetches,
    clients: clients.map((c) => ({
      status: c.status,
      cacheStatus: c.cacheStatus,
      bytes: c.bytes,
      intact: c.intact && c.bytes === config.bigBytes,
      seconds: c.ms / 1000,
      error: c.error,
    })),
  }
}

/** `wrangler deploy --dry-run`: the bundle Cloudflare would receive, raw and gzipped. */
async function bundleSize(work: string, snapshot: string) {
  log('bundle: wrangler deploy --dry-run')
  const outdir = join(work, 'dist')
  await execFileAsync(
    join(process.cwd(), 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '--outdir', outdir],
    {
      cwd: snapshot,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      maxBuffer: 16 * 1024 * 1024,
    }
  )
  const files = (await readdir(outdir)).filter((f) => /\.(m?js|wasm)$/.test(f))
  let raw = 0
  let gzip = 0
  for (const file of files) {
    const bytes = await readFile(join(outdir, file))
    raw += bytes.length
    gzip += gzipSync(bytes).length
  }
  return { files, rawBytes: raw, gzipBytes: gzip }
}

async function versions(): Promise<Results['versions']> {
  return { ...(await runtimeVersions()), wrk: versionOf('wrk', /wrk (\S+)/) }
}

await main()

/**
 * The Worker isolate's memory after a forced GC, polled once a second while `streaming` runs:
 * the V8 heap in use (what JavaScript holds) and ArrayBuffer backing stores (which workerd
 * frees some time after the GC), then both again 5 s after the stream ended.
 */
async function liveMemory(edge: RunningEdge, pids: number[], streaming: () => Promise<unknown>) {
  const probe = await connectHeapProbe(Number(new URL(edge.inspectorUrl).port))
  if (!probe) return undefined
  const before = await probe.usage(true)
  let peakHeapBytes = before?.usedBytes ?? 0
  let peakBackingBytes = before?.backingBytes ?? 0
  let peakRssBytes = rssBytes(pids)
  let samples = 0
  let done = false
  const finished = streaming().finally(() => {
    done = true
  })
  while (!done) {
    const usage = await probe.usage(true)
    if (usage) {
      peakHeapBytes = Math.max(peakHeapBytes, usage.usedBytes)
      peakBackingBytes = Math.max(peakBackingBytes, usage.backingBytes)
      samples++
    }
    peakRssBytes = Math.max(peakRssBytes, rssBytes(pids))
    await sleep(1000)
  }
  await finished
  await sleep(5000)
  const after = await probe.usage(true)
  probe.close()
  return {
    samples,
    heapBeforeBytes: before?.usedBytes ?? 0,
    peakHeapBytes,
    backingBeforeBytes: before?.backingBytes ?? 0,
    peakBackingBytes,
    heapAfterBytes: after?.usedBytes ?? 0,
    backingAfterBytes: after?.backingBytes ?? 0,
    peakRssBytes,
  }
}
