/**
 * The residency audit against the shipped wrangler.toml, and against copies of it with one
 * residency guarantee removed; the CLI is run as `npm run residency:check` runs it.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parse } from 'smol-toml'
import { describe, it } from 'vitest'
import { auditEnvironment, environmentNames, failures } from '../../.scripts/residency-audit'
import { REGIONS } from '../../schemas/regions'

const root = fileURLToPath(new URL('../..', import.meta.url))
const shipped = readFileSync(join(root, 'wrangler.toml'), 'utf8')
const EU_BUCKET = `binding = "TIER_BUCKET_EU"
bucket_name = "edge-cdn-tier-eu"
jurisdiction = "eu"`

/** The shipped file with `from` replaced. */
function withProduction(from: string, to: string): string {
  if (!shipped.includes(from)) throw new Error(`wrangler.toml has no ${from}`)
  return shipped.replace(from, to)
}

/** A deployable `[env.staging]` section: wrangler inherits no bindings into it. */
const STAGING = `
[env.staging]
vars = { TIER_JURISDICTIONS = "on" }
durable_objects.bindings = [{ name = "CACHE_TIER", class_name = "CacheTier" }]
r2_buckets = [{ binding = "TIER_BUCKET_EU", bucket_name = "staging-tier-eu" }]
`

function audit(toml: string, env = '') {
  return auditEnvironment(parse(toml), env, REGIONS)
}

async function runCheck(toml: string): Promise<{ code: number; output: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'residency-')), 'wrangler.toml')
  writeFileSync(file, toml)
  const args = [
    '--experimental-strip-types',
    '--no-warnings',
    '--import',
    './test/bench/register.mjs',
    '.scripts/residency-check.ts',
    '--config',
    file,
  ]
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: root })
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string }
    return { code, output: stdout + stderr }
  }
}

describe('residency audit of wrangler.toml', () => {
  it('passes the shipped file, what `wrangler deploy` deploys: EU shards and bucket in eu', ({
    expect,
  }) => {
    expect(environmentNames(parse(shipped))).toEqual([''])
    const result = audit(shipped)
    expect(failures(result)).toEqual([])
    const eu = result.rows.filter((row) => row.region === 'eu')
    expect(eu.map((row) => [row.binding, row.placement, row.verdict])).toEqual([
      ['CACHE_TIER', 'jurisdiction eu', 'ok'],
      ['TIER_BUCKET_EU (edge-cdn-tier-eu)', 'jurisdiction eu', 'ok'],
    ])
  })

  it('fails naming the binding when the EU tier bucket loses its jurisdiction', ({ expect }) => {
    const toml = withProduction(EU_BUCKET, EU_BUCKET.replace('\njurisdiction = "eu"', ''))
    expect(failures(audit(toml))).toMatchObject([
      { region: 'eu', binding: 'TIER_BUCKET_EU (edge-cdn-tier-eu)', placement: 'no jurisdiction' },
    ])
  })

  it('fails when the EU tier bucket is in another jurisdiction', ({ expect }) => {
    const toml = withProduction(EU_BUCKET, EU_BUCKET.replace('"eu"', '"fedramp"'))
    expect(failures(audit(toml)).map((row) => row.placement)).toEqual(['jurisdiction fedramp'])
  })

  it('fails when the tier shards are not put in their jurisdiction', ({ expect }) => {
    const toml = withProduction('TIER_JURISDICTIONS = "on"', 'TIER_JURISDICTIONS = "off"')
    expect(failures(audit(toml))).toMatchObject([{ region: 'eu', binding: 'CACHE_TIER' }])
  })

  it('audits an [env.*] section a user deploys, naming the binding it lacks', ({ expect }) => {
    const staging = failures(audit(shipped + STAGING, 'staging'))
    expect(staging.map((row) => row.binding)).toEqual(['TIER_BUCKET_EU (staging-tier-eu)'])
  })

  it('warns, without failing, about stores holding URLs of EU content (no bodies)', ({
    expect,
  }) => {
    const warned = audit(shipped).rows.filter((row) => row.verdict === 'warn')
    expect(warned.map((row) => row.binding).sort()).toEqual(['ANALYTICS', 'CONFIG_DB', 'PURGE_LOG'])
  })

  it('refuses an environment the file does not declare', ({ expect }) => {
    expect(() => audit(shipped, 'staging')).toThrow(/"staging"/)
  })
})

describe('npm run residency:check', () => {
  it('prints the table and exits 0 on the shipped file', async ({ expect }) => {
    const { code, output } = await runCheck(shipped)
    expect(code).toBe(0)
    expect(output).toMatch(/^eu +TIER_BUCKET_EU \(edge-cdn-tier-eu\) +jurisdiction eu +OK/m)
    expect(output).toContain('residency check passed (top level')
  })

  it('exits 1 on a deployable environment that fails', async ({ expect }) => {
    const { code, output } = await runCheck(shipped + STAGING)
    expect(code).toBe(1)
    expect(output).toContain('env.staging:')
  })

  it('exits 1 naming TIER_BUCKET_EU when its jurisdiction is removed', async ({ expect }) => {
    const toml = withProduction(EU_BUCKET, EU_BUCKET.replace('\njurisdiction = "eu"', ''))
    const { code, output } = await runCheck(toml)
    expect(code).toBe(1)
    expect(output).toMatch(/FAIL: TIER_BUCKET_EU \(edge-cdn-tier-eu\): must declare jurisdiction/)
  })
})
