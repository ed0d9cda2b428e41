// `npm run config:apply -- <file.json> [--dry-run]`: config as code. Validates the file with the
// admin API's own zod schemas (schemas/api/config-file.ts), reads what the API holds, and PUTs
// what is new or differs and DELETEs what the file no longer lists, printing each change.
// Idempotent: a second run changes nothing. Zones the file does not list are deleted too.
//
// EDGE_ADMIN_URL (default http://localhost:8787) names the Worker; ADMIN_TOKEN (or, failing
// that, the ADMIN_TOKEN line of .dev.vars) authenticates. The token is never printed.
import { existsSync, readFileSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { resolve } from 'node:path'

// The schemas are TypeScript with extensionless relative imports (bundler resolution); Node
// strips the types, and this hook finds `./config` as `./config.ts`.
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context)
    } catch (error) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../')
      if (!relative || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
      return nextResolve(`${specifier}.ts`, context)
    }
  },
})
const { configFileSchema, describeIssues } = await import('../schemas/api/config-file.ts')
const { planApply, RECORD_KINDS } = await import('../schemas/api/config-plan.ts')

const args = process.argv.slice(2)
const dryRun = args.includes('--dry-run')
const files = args.filter((a) => !a.startsWith('--'))
if (files.length !== 1) fail('usage: npm run config:apply -- <file.json> [--dry-run]', 2)
// npm runs scripts from the package root; a relative path means the caller's directory.
const file = resolve(process.env.INIT_CWD ?? process.cwd(), files[0])
const baseUrl = (process.env.EDGE_ADMIN_URL || 'http://localhost:8787').replace(/\/+$/, '')
const token = adminToken()

let json
try {
  json = JSON.parse(readFileSync(file, 'utf8'))
} catch (error) {
  fail(`${file}: ${error.message}`)
}
const parsed = configFileSchema.safeParse(json)
if (!parsed.success)
  fail(`${file} is invalid:\n  ${describeIssues(parsed.error.issues).join('\n  ')}`)

const current = await currentState(Object.keys(parsed.data.zones))
const steps = planApply(parsed.data, current)
if (steps.length === 0) {
  console.log(`› ${baseUrl} already matches ${files[0]}: no changes`)
  process.exit(0)
}
const marks = { create: '+', update: '~', delete: '-' }
for (const step of steps) {
  console.log(`${marks[step.change]} ${step.what}`)
  if (!dryRun) await call(step.method, step.path, step.body)
}
console.log(
  `› ${steps.length} change(s) ${dryRun ? 'planned (dry run: nothing applied)' : 'applied'}`
)

/** Reads every zone, and the records of the zones the file lists. */
async function currentState(wanted) {
  const zones = {}
  for (const zone of await call('GET', '/zones')) {
    const state = { hosts: zone.hosts, origins: {}, routes: {}, residencyRules: {} }
    if (wanted.includes(zone.name)) {
      for (const kind of RECORD_KINDS) {
        for (const record of await call('GET', `/zones/${zone.name}/${kind.segment}`)) {
          state[kind.key][record.name] = record.spec
        }
      }
    }
    zones[zone.name] = state
  }
  return { zones }
}

async function call(method, path, body) {
  let res
  try {
    res = await fetch(`${baseUrl}/_admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (error) {
    fail(`${method} ${baseUrl}/_admin${path}: ${error.cause?.message ?? error.message}`)
  }
  const envelope = await res.json().catch(() => undefined)
  if (!res.ok || !envelope?.success) {
    const errors = envelope?.errors?.map((e) => `${e.code}: ${e.message}`) ?? []
    fail(`${method} /_admin${path} answered ${res.status}\n  ${errors.join('\n  ')}`)
  }
  return envelope.result
}

function adminToken() {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN
  const devVars = resolve(import.meta.dirname, '..', '.dev.vars')
  const line = existsSync(devVars)
    ? readFileSync(devVars, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('ADMIN_TOKEN='))
    : undefined
  const value = line
    ?.slice('ADMIN_TOKEN='.length)
    .trim()
    .replace(/^"(.*)"$/, '$1')
  if (!value) fail('set ADMIN_TOKEN (the bootstrap token or an API token with config scopes)', 2)
  return value
}

function fail(message, code = 1) {
  console.error(`✗ ${message}`)
  process.exit(code)
}
