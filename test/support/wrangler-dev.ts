/**
 * Starts the platform the way `npm start` does — local D1 migrated, then `wrangler dev` — on a
 * free port with its own state directory, and stops it again.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort, stopProcessGroup, waitForHttp } from './processes'

const run = promisify(execFile)
const WRANGLER = join(process.cwd(), 'node_modules/.bin/wrangler')
const QUIET_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

export interface RunningEdge {
  url: string
  /** Process group of wrangler and the workerd processes it started. */
  pgid: number
  /** The Worker's V8 inspector (Chrome DevTools Protocol), e.g. to force a GC in a benchmark. */
  inspectorUrl: string
  stop(): Promise<void>
}

export interface WranglerDevOptions {
  vars?: Record<string, string>
  /** A wrangler config other than the project's. */
  config?: string
  /** Apply the project's D1 migrations to the fresh state first. */
  migrate?: boolean
  /** Called with each piece of wrangler's (and the Worker's) stdout and stderr, as it comes. */
  onOutput?: (text: string) => void
  /** Where to run wrangler, e.g. a snapshot of the sources (test/bench/snapshot.ts). */
  cwd?: string
  /** Runs with the state directory before `wrangler dev` starts, e.g. to put local R2 objects. */
  prepare?: (state: string) => Promise<void>
}

/** The platform as `npm start` runs it: local D1 migrated, then `wrangler dev`. */
export function startEdge(
  options: Pick<WranglerDevOptions, 'vars' | 'onOutput' | 'cwd' | 'prepare'>
): Promise<RunningEdge> {
  return startWranglerDev({ ...options, migrate: true })
}

/**
 * `wrangler dev` on free ports with its own temporary state directory, ready when it answers.
 * @returns the running server; `stop` kills its process group and removes the state
 */
export async function startWranglerDev(options: WranglerDevOptions): Promise<RunningEdge> {
  const state = await mkdtemp(join(tmpdir(), 'edge-cdn-dev-'))
  const config = options.config ? ['--config', options.config] : []
  if (options.migrate) {
    await run(
      WRANGLER,
      ['d1', 'migrations', 'apply', 'CONFIG_DB', '--local', '--persist-to', state, ...config],
      { env: QUIET_ENV, cwd: options.cwd }
    )
  }
  await options.prepare?.(state)
  const port = await freePort()
  const inspector = await freePort()
  // workerd has no Durable Object jurisdictions (wrangler.toml turns them on for deploys).
  const local = { TIER_JURISDICTIONS: 'off', ...options.vars }
  const vars = Object.entries(local).flatMap(([k, v]) => ['--var', `${k}:${v}`])
  const child = spawn(
    WRANGLER,
    [
      'dev',
      ...config,
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspector),
      '--persist-to',
      state,
      '--log-level',
      'warn',
      ...vars,
    ],
    { env: QUIET_ENV, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true }
  )
  let output = ''
  const collect = (d: Buffer) => {
    output += d.toString()
    options.onOutput?.(d.toString())
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${url}/__ready`, child, 90_000)
  } catch (error) {
    await stopProcessGroup(child)
    throw new Error(`wrangler dev did not start: ${String(error)}\n${output}`)
  }
  return {
    url,
    pgid: child.pid ?? 0,
    inspectorUrl: `http://127.0.0.1:${inspector}`,
    async stop() {
      await stopProcessGroup(child)
      await rm(state, { recursive: true, force: true })
    },
  }
}
