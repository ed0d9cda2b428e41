/**
 * Purge latency under steady traffic: every simulated PoP asks for the object all the time;
 * the origin switches to v2, a purge lands at a random instant, and the time from the admin
 * API's 200 until the purge is in force at every PoP is measured (from then on every request a
 * PoP is sent gets v2), beside the time until those first v2 answers are complete. Also counts
 * purged (v1) answers to requests sent after the bound. Two topologies, platform defaults (wrangler.toml) in both, proxy mode's zone `default`:
 * - multi: one Worker (isolate) per PoP, Durable Objects in their own Worker (Miniflare);
 * - single: `wrangler dev`, where PoPs and objects share one isolate (the flattering figure).
 * Prints a table and writes .bench/purge-<date>.json. Run: npm run bench:purge
 * (PURGES=100 by default; TOPOLOGY=multi|single|both, default both).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { startMultiPop } from '../../support/multi-pop'
import { startOrigin } from '../../support/origin'
import { originControl } from '../../support/origin-control'
import { AMS, DFW, FRA, ORD, type Pop, SIN } from '../../support/pops'
import { startEdge } from '../../support/wrangler-dev'

const PURGES = Number(process.env.PURGES ?? 100)
const TOPOLOGIES =
  (process.env.TOPOLOGY ?? 'both') === 'both'
    ? ['multi', 'single']
    : [process.env.TOPOLOGY ?? 'multi']
const TOKEN = 'bench-admin-token'
const HOST = 'purge-bench.test'
/** The edge's purge bound (PURGE_STALENESS_MS, 50 ms) plus 250 ms for push, poll and refill. */
const BOUND_MS = 300
const POPS: Pop[] = [FRA, AMS, DFW, ORD, SIN]

type FetchAt = (colo: string, path: string, init?: RequestInit) => Promise<Response>

interface Served {
  colo: string
  path: string
  sentAt: number
  doneAt: number
  body: string
}

async function measure(fetchAt: FetchAt, control: ReturnType<typeof originControl>, host: string) {
  const served: Served[] = []
  let path = '/warmup'
  let running = true
  const traffic = POPS.map(async ({ colo }) => {
    while (running) {
      const asked = path
      const sentAt = performance.now()
      const res = await fetchAt(colo, asked).catch(() => undefined)
      const body = res ? await res.text() : ''
      served.push({ colo, path: asked, sentAt, doneAt: performance.now(), body })
    }
  })
  const latencies: number[] = []
  const completed: number[] = []
  let purgedAfterBound = 0
  try {
    for (let n = 0; n < PURGES; n++) {
      const next = `/object-${n}.css`
      await control.script(next, { body: 'v1' })
      path = next
      await until(() => POPS.every(({ colo }) => lastOf(served, colo, next)?.body === 'v1'))
      await control.script(next, { body: 'v2' })
      await sleep(Math.random() * 200)
      const res = await fetchAt(POPS[0]?.colo ?? 'FRA', '/_admin/zones/default/purge_cache', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ files: [`http://${host}${next}`] }),
      })
      const ack = performance.now()
      if (res.status !== 200) throw new Error(`purge failed: ${res.status} ${await res.text()}`)
      await until(() =>
        POPS.every(({ colo }) => {
          const last = lastOf(served, colo, next)
          return last !== undefined && last.sentAt > ack && last.body === 'v2'
        })
      )
      const after = served.filter((s) => s.path === next && s.sentAt > ack)
      // Per PoP, the first request of its final run of v2 answers: from when it was sent, the
      // purge is in force there (requests run back to back, so the switch happened between the
      // last v1 request's sending and this one's); and when its answer was complete (that adds
      // the miss's own fetch from the tier or origin).
      const firstNew = POPS.map(({ colo }) => {
        const mine = after.filter((s) => s.colo === colo)
        return mine[mine.findLastIndex((s) => s.body !== 'v2') + 1]
      })
      latencies.push(Math.max(...firstNew.map((s) => Math.max(0, (s?.sentAt ?? ack) - ack))))
      completed.push(Math.max(...firstNew.map((s) => (s?.doneAt ?? ack) - ack)))
      purgedAfterBound += after.filter((s) => s.body === 'v1' && s.sentAt > ack + BOUND_MS).length
      served.length = 0
    }
  } finally {
    running = false
    await Promise.all(traffic)
  }
  const quantile = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b)
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
  }
  return {
    purges: latencies.length,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: quantile(latencies, 1),
    completedP50Ms: quantile(completed, 0.5),
    completedP99Ms: quantile(completed, 0.99),
    purgedAfterBound,
    latencies,
    completed,
  }
}

function lastOf(served: Served[], colo: string, path: string): Served | undefined {
  return served.findLast((s) => s.colo === colo && s.path === path)
}

async function until(check: () => boolean, ms = 30_000) {
  const end = performance.now() + ms
  while (!check()) {
    if (performance.now() > end) throw new Error('timed out waiting for the PoPs')
    await sleep(5)
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms))
}

const origin = await startOrigin()
const control = originControl(origin.url)
const vars = { ADMIN_TOKEN: TOKEN, ORIGIN_URL: origin.url }
const results: Record<string, Awaited<ReturnType<typeof measure>>> = {}
try {
  for (const topology of TOPOLOGIES) {
    if (topology === 'multi') {
      const multi = await startMultiPop(POPS, vars)
      try {
        results.multi = await measure(
          (colo, path, init) => multi.fetchAt(colo, `http://${HOST}${path}`, init),
          control,
          HOST
        )
      } finally {
        await multi.stop()
      }
    } else {
      const edge = await startEdge({ vars })
      try {
        const fetchAt: FetchAt = (colo, path, init = {}) => {
          const pop = POPS.find((p) => p.colo === colo)
          const headers = new Headers(init.headers)
          headers.set('mf-cf-blob', JSON.stringify(pop))
          return fetch(`${edge.url}${path}`, { ...init, headers })
        }
        results.single = await measure(fetchAt, control, new URL(edge.url).host)
      } finally {
        await edge.stop()
      }
    }
  }
} finally {
  await origin.close()
}

const date = new Date().toISOString()
await mkdir('.bench', { recursive: true })
await writeFile(
  `.bench/purge-${date.replaceAll(':', '-')}.json`,
  JSON.stringify({ date, pops: POPS.map((p) => p.colo), boundMs: BOUND_MS, results }, null, 2)
)
console.log(
  '| topology | purges | in force everywhere p50 | p99 | max | first new answer complete p50 / p99 | purged answers after the bound |'
)
console.log('| --- | --- | --- | --- | --- | --- | --- |')
for (const [topology, r] of Object.entries(results)) {
  const name = topology === 'multi' ? 'one isolate per PoP, DOs apart' : 'wrangler dev, one isolate'
  console.log(
    `| ${name} | ${r.purges} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.maxMs} ms | ${r.completedP50Ms} / ${r.completedP99Ms} ms | ${r.purgedAfterBound} (bound ${BOUND_MS} ms) |`
  )
}
