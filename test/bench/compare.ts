/**
 * `npm run bench:compare -- <revision> [rounds]`: the platform's CPU per request now and at an
 * earlier revision, measured alternately in one run (A B, B A, …) so the shared machine's drift
 * falls on both sides. Each round starts `wrangler dev` from a snapshot of each side in turn
 * (the revision's sources with this tree's node_modules: one runtime) and drives the rows of
 * `npm run bench` with wrk: L1 hit, tier hit, miss → origin, at 1 KiB and 1 MiB. CPU is
 * workerd's, over the measured phase, divided by the requests wrk completed.
 *
 * Tunables (env): BENCH_DURATION_S (8), BENCH_WARMUP_S (2), BENCH_CONNECTIONS (16), and
 * BENCH_VARS, a JSON object of `[vars]` both sides run with instead of their defaults (to tell a
 * setting's cost from the code's, e.g. `{"PURGE_STALENESS_MS":"5000"}`), and BENCH_ROWS, the
 * rows to run (comma-separated ids, e.g. `l1-hit 1k,tier-hit 1k`; all six when unset).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startOrigin } from '../support/origin'
import { originControl } from '../support/origin-control'
import { startEdge } from '../support/wrangler-dev'
import { getBody, pop } from './clients'
import { cpuMs, groupPids, wranglerGroup } from './procs'
import { snapshotRevision, snapshotSources } from './snapshot'
import { type Shape, wrk } from './wrk'

const [revision = '', roundsArg = '3'] = process.argv.slice(2)
const rounds = Number(roundsArg)
if (revision === '' || !(rounds >= 1)) {
  process.stderr.write('usage: npm run bench:compare -- <revision> [rounds]\n')
  process.exit(2)
}
const seconds = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const durationS = seconds('BENCH_DURATION_S', 8)
const warmupS = seconds('BENCH_WARMUP_S', 2)
const connections = seconds('BENCH_CONNECTIONS', 16)
const vars = JSON.parse(process.env.BENCH_VARS ?? '{}') as Record<string, string>
const onlyRows = process.env.BENCH_ROWS?.split(',').map((id) => id.trim())

const SIZES = [
  { slug: '1k', bytes: 1024, tierObjects: 200 },
  { slug: '1m', bytes: 1024 * 1024, tierObjects: 64 },
]
const HOME = pop('FRA')
const log = (message: string) => process.stderr.write(`› ${message}\n`)

interface Row {
  id: string
  path: string
  shape: (phase: string) => Shape
  /** Brings the row's objects where the row expects them (L1 or the tier). */
  prepare(edgeUrl: string): Promise<void>
}

function rows(stamp: string): Row[] {
  const all = allRows(stamp)
  if (!onlyRows) return all
  const unknown = onlyRows.filter((id) => !all.some((row) => row.id === id))
  if (unknown.length > 0) throw new Error(`BENCH_ROWS: no row ${unknown.join(', ')}`)
  return all.filter((row) => onlyRows.includes(row.id))
}

function allRows(stamp: string): Row[] {
  return SIZES.flatMap((size) => [
    {
      id: `l1-hit ${size.slug}`,
      path: `/bench/obj-${size.slug}`,
      shape: () => ({ kind: 'static' }),
      // L1 admits large bodies from their second request: ask until it answers.
      prepare: async (edgeUrl) => {
        for (let i = 0; i < 5; i++) {
          const seen = await getBody(`${edgeUrl}/bench/obj-${size.slug}`, HOME)
          if (seen.cacheStatus.startsWith('edge-l1; hit')) return
        }
        throw new Error(`obj-${size.slug} never became an L1 hit`)
      },
    },
    {
      id: `tier-hit ${size.slug}`,
      path: `/bench/tier-${size.slug}`,
      shape: (phase) => ({
        kind: 'tier',
        objects: size.tierObjects,
        coloPrefix: `B${stamp}${phase}`,
        country: 'DE',
        continent: 'EU',
      }),
      prepare: async (edgeUrl) => {
        for (let i = 0; i < size.tierObjects; i++) {
          await getBody(`${edgeUrl}/bench/tier-${size.slug}?i=${i}`, HOME)
        }
      },
    },
    {
      id: `miss ${size.slug}`,
      path: `/bench/miss-${size.slug}`,
      shape: (phase) => ({ kind: 'unique', runId: `${stamp}${phase}` }),
      prepare: async () => undefined,
    },
  ])
}

/** One side's figures: CPU ms per request of each row, one entry per round. */
type Figures = Map<string, number[]>

async function measureSide(dir: string, originUrl: string, work: string, into: Figures) {
  const edge = await startEdge({ vars: { ...vars, ORIGIN_URL: originUrl }, cwd: dir })
  try {
    const group = wranglerGroup(Number(new URL(edge.url).port))
    const stamp = `${Date.now().toString(36)}`
    for (const row of rows(stamp)) {
      await row.prepare(edge.url)
      const base = { url: edge.url, path: row.path, headers: HOME, connections, threads: 1 }
      const options = { ...base, dir: work, countStatuses: true }
      const name = row.id.replace(' ', '-')
      await wrk({ ...options, shape: row.shape('w'), durationS: warmupS }, `${name}-w`)
      const pids = groupPids(group, 'workerd')
      const before = cpuMs(pids)
      const result = await wrk({ ...options, shape: row.shape('r'), durationS }, name)
      const perRequest = (cpuMs(pids) - before) / result.requests
      into.set(row.id, [...(into.get(row.id) ?? []), perRequest])
      log(`${row.id}: ${perRequest.toFixed(2)} ms CPU/request (${result.requests} requests)`)
    }
  } finally {
    await edge.stop()
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length

function table(before: Figures, after: Figures): string {
  const lines = [
    `| row | ${revision}: CPU ms/request (each round) | now | now / ${revision} |`,
    '| --- | --- | --- | --- |',
  ]
  for (const [id, was] of before) {
    const now = after.get(id) ?? []
    const each = (values: number[]) =>
      `${mean(values).toFixed(2)} (${values.map((v) => v.toFixed(2)).join(', ')})`
    lines.push(`| ${id} | ${each(was)} | ${each(now)} | ${(mean(now) / mean(was)).toFixed(3)} |`)
  }
  return lines.join('\n')
}

async function main() {
  rows('') // an unknown BENCH_ROWS id fails before anything starts
  const work = await mkdtemp(join(tmpdir(), 'edge-cdn-compare-'))
  const origin = await startOrigin()
  try {
    const control = originControl(origin.url)
    const headers = {
      'content-type': 'application/octet-stream',
      'cache-control': 'public, max-age=86400',
    }
    for (const size of SIZES) {
      for (const kind of ['obj', 'tier', 'miss']) {
        await control.script(`/bench/${kind}-${size.slug}`, { bytes: size.bytes, headers })
      }
    }
    const sides = {
      before: { dir: await snapshotRevision(work, revision, 'before'), figures: new Map() },
      now: { dir: await snapshotSources(work), figures: new Map() },
    }
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? (['before', 'now'] as const) : (['now', 'before'] as const)
      for (const side of order) {
        log(`round ${round}/${rounds}: ${side === 'before' ? revision : 'now'}`)
        await measureSide(sides[side].dir, origin.url, work, sides[side].figures)
      }
    }
    process.stdout.write(`${table(sides.before.figures, sides.now.figures)}\n`)
  } finally {
    await origin.close()
    await rm(work, { recursive: true, force: true })
  }
}

await main()
