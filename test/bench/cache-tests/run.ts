/**
 * @module bench/cache-tests/run
 * Runs the HTTP caching conformance suite of cache-tests.fyi (`http-cache-tests` on npm, Mark
 * Nottingham's tests that browsers, CDNs and proxies are scored with) against the platform in
 * proxy mode: the suite's own server is the origin, its client sends every request through
 * `wrangler dev`. Prints our counts next to those the package ships for other caches and
 * writes `.bench/cache-tests-<date>.json` with every result. The suite is installed into
 * `.tools/cache-tests` by .scripts/cache-tests.sh (not a project dependency).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, stopProcessGroup, waitForHttp } from '../../support/processes'
import { startEdge } from '../../support/wrangler-dev'
import { snapshotSources } from '../snapshot'

const SUITE = join(process.cwd(), '.tools/cache-tests/node_modules/http-cache-tests')
/** The caches whose published results the package carries, to compare with. */
const OTHERS = ['nginx', 'squid', 'trafficserver', 'varnish', 'apache', 'fastly']

type Result = true | [string, string] | false | undefined
interface SuiteTest {
  id: string
  kind?: 'required' | 'optimal' | 'check'
}

const log = (message: string) => process.stderr.write(`› ${message}\n`)
const TOKEN = 'cache-tests-admin-token'

/**
 * One zone for the edge's own host, the suite's server as its origin, with the platform's
 * defaults: no resilience override. The suite sends application 5xx on purpose, many in a row;
 * the default breaker passes them through and never counts them (origin/circuit-breaker.ts).
 */
async function configure(edgeUrl: string, originUrl: string) {
  const host = new URL(edgeUrl).hostname
  const calls: Array<[string, unknown]> = [
    ['/zones/conformance', { hosts: [host] }],
    ['/zones/conformance/origins/suite', { kind: 'http', url: originUrl }],
    ['/zones/conformance/routes/all', { pathPrefix: '/', origin: 'suite' }],
  ]
  for (const [path, body] of calls) {
    const res = await fetch(`${edgeUrl}/_admin${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`PUT ${path} answered ${res.status}: ${await res.text()}`)
  }
  // The zone is served once the isolate renews its config snapshot (CONFIG_TTL_MS, 5 s by
  // default): until then the edge answers its own 404 `no_zone`. Paths no test uses.
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${edgeUrl}/__harness-zone-ready/${i}`)
    if (!(await res.text()).includes('"no_zone"')) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error('the conformance zone was never served')
}

async function main() {
  const port = await freePort()
  const pidfile = join('/tmp', `cache-tests-${port}.pid`)
  const server = spawn('node', ['server/server.mjs'], {
    cwd: SUITE,
    env: {
      ...process.env,
      npm_config_protocol: 'http',
      npm_config_port: String(port),
      npm_config_pidfile: pidfile,
    },
    stdio: 'ignore',
    detached: true,
  })
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, server, 10_000).catch(() => undefined)
    log(`suite server on ${port}; starting the platform`)
    // From a copy of the sources: edits made during the run do not reload wrangler dev.
    const work = await mkdtemp(join(tmpdir(), 'edge-cdn-cache-tests-'))
    const cwd = await snapshotSources(work)
    // Defaults only: the admin token is a secret the run needs, not a setting.
    const edge = await startEdge({ vars: { ADMIN_TOKEN: TOKEN }, cwd })
    try {
      await configure(edge.url, `http://127.0.0.1:${port}`)
      log('running the suite through the edge (a few minutes)')
      const ours = await runClient(edge.url)
      const tests = await suiteTests()
      const table = [summary('ours (this platform, wrangler dev)', ours, tests)]
      for (const name of OTHERS) {
        const theirs = JSON.parse(await readFile(join(SUITE, 'results', `${name}.json`), 'utf8'))
        table.push(summary(`${name} (published with the suite)`, theirs, tests))
      }
      const stamp = new Date().toISOString().replace(/\..*/, 'Z').replace(/:/g, '-')
      await mkdir('.bench', { recursive: true })
      await writeFile(
        `.bench/cache-tests-${stamp}.json`,
        JSON.stringify({ results: ours, table }, null, 2)
      )
      console.log(
        [
          '| cache | required: pass / fail | optimal: pass / not | checks: yes / no | harness or setup failures |',
          '| --- | ---: | ---: | ---: | ---: |',
          ...table.map(
            (r) =>
              `| ${r.name} | ${r.required.pass} / ${r.required.fail} | ${r.optimal.pass} / ${r.optimal.fail} | ${r.check.pass} / ${r.check.fail} | ${r.other} |`
          ),
        ].join('\n')
      )
      // Listed as the table counts them: a setup failure is not a required failure.
      const required = Object.entries(ours).filter(
        ([id, result]) => result !== true && kindOf(tests, id) === 'required'
      )
      const line = ([id, result]: [string, Result]) =>
        `- ${id}: ${Array.isArray(result) ? result.join(': ') : String(result)}`
      const failed = required.filter(([, result]) => !isSetupFailure(result)).map(line)
      const setup = required.filter(([, result]) => isSetupFailure(result)).map(line)
      console.log(`\nRequired tests we fail (${failed.length}):\n${failed.join('\n')}`)
      console.log(`\nRequired tests whose setup failed (${setup.length}):\n${setup.join('\n')}`)
      console.log(`\nresults: .bench/cache-tests-${stamp}.json`)
    } finally {
      await edge.stop()
      await rm(work, { recursive: true, force: true })
    }
  } finally {
    await stopProcessGroup(server)
  }
}

function runClient(base: string): Promise<Record<string, Result>> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('node', ['--no-warnings', 'cli.mjs'], {
      cwd: SUITE,
      env: { ...process.env, npm_config_base: base, npm_config_id: '', npm_package_config_id: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out.slice(out.indexOf('{'))) as Record<string, Result>)
      } catch (error) {
        reject(
          new Error(`the suite's client exited ${code} without JSON results: ${String(error)}`)
        )
      }
    })
  })
}

async function suiteTests(): Promise<SuiteTest[]> {
  const index = (await import(join(SUITE, 'tests/index.mjs'))) as {
    default: { tests: SuiteTest[] }[]
  }
  const surrogate = (await import(join(SUITE, 'tests/surrogate-control.mjs'))) as {
    default: { tests: SuiteTest[] }
  }
  return [...index.default, surrogate.default].flatMap((suite) => suite.tests)
}

function kindOf(tests: SuiteTest[], id: string): string {
  return tests.find((t) => t.id === id)?.kind ?? 'required'
}

/** A result the suite blames on its setup or harness, not on the cache under test. */
function isSetupFailure(result: Result): boolean {
  return Array.isArray(result) && (result[0] === 'Setup' || result[0] === 'Harness')
}

/** Counts as cache-tests.fyi does: required pass/fail, optimal pass/not, checks yes/no. */
function summary(name: string, results: Record<string, Result>, tests: SuiteTest[]) {
  const row = {
    name,
    required: { pass: 0, fail: 0 },
    optimal: { pass: 0, fail: 0 },
    check: { pass: 0, fail: 0 },
    other: 0,
  }
  for (const test of tests) {
    const result = results[test.id]
    if (result === undefined) continue
    if (isSetupFailure(result)) {
      row.other++
      continue
    }
    const bucket = row[(test.kind ?? 'required') as 'required' | 'optimal' | 'check']
    if (result === true) bucket.pass++
    else bucket.fail++
  }
  return row
}

await main()
