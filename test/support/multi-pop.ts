/**
 * A local topology that behaves like the network for purge: one Worker (its own isolate) per
 * simulated PoP, and the Durable Objects (tier shards, purge logs, relays) in a Worker of their
 * own, all in one workerd through Miniflare's multi-worker options. Unlike `wrangler dev`, where
 * every "PoP" and every object share one isolate and its module-level purge views, no state is
 * shared here that production would not share. The Worker is the project's own bundle
 * (`wrangler deploy --dry-run`), with the bindings and defaults of wrangler.toml.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from 'miniflare'
import { unstable_getMiniflareWorkerOptions } from 'wrangler'

const run = promisify(execFile)
const ROOT = process.cwd()
const DOS_WORKER = 'durable-objects'
/** Every Durable Object class of wrangler.toml, by binding: all live in the objects' Worker. */
const DO_CLASSES = {
  CACHE_TIER: 'CacheTier',
  PURGE_LOG: 'PurgeLog',
  PURGE_RELAY: 'PurgeRelay',
  HEALTH_MONITOR: 'HealthMonitor',
  ANALYTICS_STORE: 'AnalyticsStore',
}

export interface MultiPop {
  /** Sends a request into the Worker of one PoP, with `request.cf` set as Cloudflare would. */
  fetchAt(colo: string, url: string, init?: RequestInit): Promise<Response>
  stop(): Promise<void>
}

/**
 * @param pops the simulated PoPs: one Worker each
 * @param vars Worker vars beyond wrangler.toml's (e.g. ADMIN_TOKEN, ORIGIN_URL)
 */
export async function startMultiPop(
  pops: readonly { colo: string; country: string; continent: string }[],
  vars: Record<string, string>
): Promise<MultiPop> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-cdn-multi-'))
  await run(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', dir], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, 'wrangler.toml'))
  const modules = await bundleModules(dir)
  // wrangler hands out Miniflare 4's flat worker options; Miniflare 5 converts them.
  type V4Worker = Extract<V4MiniflareOptions, { workers: unknown[] }>['workers'][number]
  const flat = workerOptions as unknown as V4Worker & { bindings?: Record<string, unknown> }
  const base = {
    ...flat,
    rootPath: dir,
    modules,
    // workerd has no Durable Object jurisdictions (wrangler.toml turns them on for deploys).
    bindings: { ...flat.bindings, TIER_JURISDICTIONS: 'off', ...vars },
  } as V4Worker
  const remote = Object.fromEntries(
    Object.entries(DO_CLASSES).map(([binding, className]) => [
      binding,
      { className, scriptName: DOS_WORKER, useSQLite: true },
    ])
  )
  const local = Object.fromEntries(
    Object.entries(DO_CLASSES).map(([binding, className]) => [
      binding,
      { className, useSQLite: true },
    ])
  )
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      workers: [
        // The first Worker is Miniflare's entry; each PoP is reached through getWorker.
        ...pops.map((pop) => ({ ...base, name: `pop-${pop.colo}`, durableObjects: remote })),
        { ...base, name: DOS_WORKER, durableObjects: local },
      ],
      defaultPersistRoot: join(dir, 'state'),
    })
  )
  await mf.ready
  const db = await mf.getD1Database('CONFIG_DB', `pop-${pops[0]?.colo}`)
  for (const file of (await readdir(join(ROOT, 'schemas/config/migrations'))).sort()) {
    if (!file.endsWith('.sql')) continue
    const sql = await readFile(join(ROOT, 'schemas/config/migrations', file), 'utf8')
    for (const statement of sql.split('--> statement-breakpoint')) {
      if (statement.trim()) await db.prepare(statement).run()
    }
  }
  const workers = new Map(
    await Promise.all(
      pops.map(
        async (pop) => [pop.colo, { pop, worker: await mf.getWorker(`pop-${pop.colo}`) }] as const
      )
    )
  )
  return {
    async fetchAt(colo, url, init = {}) {
      const at = workers.get(colo)
      if (!at) throw new TypeError(`no PoP ${colo}`)
      // Miniflare's fetcher carries `cf` as Cloudflare's edge would set it.
      return (await at.worker.fetch(url, { ...init, cf: at.pop } as never)) as unknown as Response
    },
    async stop() {
      await mf.dispose()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The bundle's modules as Miniflare takes them: the entry first. */
async function bundleModules(dir: string) {
  const all = await readdir(dir)
  const files = all.filter((f) => f.endsWith('.js'))
  const entry = files.includes('index.js') ? 'index.js' : files[0]
  if (!entry) throw new Error(`wrangler produced no bundle in ${dir}`)
  return [
    { type: 'ESModule' as const, path: join(dir, entry) },
    ...files
      .filter((f) => f !== entry)
      .map((f) => ({ type: 'ESModule' as const, path: join(dir, f) })),
    // The Durable Objects' migrations, which wrangler.toml's Text rule bundles beside the script.
    ...all
      .filter((f) => f.endsWith('.sql'))
      .map((f) => ({ type: 'Text' as const, path: join(dir, f) })),
  ]
}
