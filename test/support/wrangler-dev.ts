/**
 * Starts the platform the way `npm start` does — local D1 migrated, then `wrangler dev` — on a
 * free port with its own state directory, and stops it again.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const WRANGLER = join(process.cwd(), 'node_modules/.bin/wrangler')
const QUIET_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }

export interface RunningEdge {
  url: string
  stop(): Promise<void>
}

export async function startEdge(options: { vars?: Record<string, string> }): Promise<RunningEdge> {
  const state = await mkdtemp(join(tmpdir(), 'edge-cdn-e2e-'))
  await run(WRANGLER, ['d1', 'migrations', 'apply', 'CONFIG_DB', '--local', '--persist-to', state], {
    env: QUIET_ENV,
  })
  const port = await freePort()
  const inspector = await freePort()
  const vars = Object.entries(options.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`])
  const child = spawn(
    WRANGLER,
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector),
      '--persist-to', state, '--log-level', 'warn', ...vars],
    { env: QUIET_ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true }
  )
  let output = ''
  child.stdout?.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { output += d.toString() })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForReady(url, child)
  } catch (error) {
    await kill(child)
    throw new Error(`wrangler dev did not start: ${String(error)}\n${output}`)
  }
  return {
    url,
    async stop() {
      await kill(child)
      await rm(state, { recursive: true, force: true })
    },
  }
}

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`)
    try {
      const res = await fetch(`${url}/__ready`, { signal: AbortSignal.timeout(2000) })
      await res.arrayBuffer()
      return
    } catch {
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  throw new Error('timed out')
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(-child.pid, 'SIGTERM')
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
