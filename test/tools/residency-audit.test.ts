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
import { REGIONS } from '../../schemas/regions'
import { auditEnvironment, environmentNames, failures } from '../../tools/residency/audit'

const root = fileURLToPath(new URL('../..', import.meta.url))
const shipped = readFileSync(join(root, 'wrangler.toml'), 'utf8')
const EU_BUCKET = `binding = "TIER_BUCKET_EU"
bucket_name = "edge-cdn-tier-eu"
jurisdiction = "eu"`

/** The shipped file with `from` replaced in the `[env.production]` section only. */
function withProduction(from: string, to: string): string {
  const at = shipped.indexOf('[env.production]')
  const section = shipped.slice(at)
  if (!section.includes(from)) throw new Error(`the production section has no ${from}`)
  return shipped.slice(0, at) + section.replace(from, to)
}

function audit(toml: string, env = 'production') {
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
    'tools/residency/check.ts',
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
  it('passes the shipped production environment: EU shards and EU bucket in jurisdiction eu', ({
    expect,
  }) => {
    expect(environmentNames(parse(shipped))).toEqual(['', 'production'])
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

  it('fails the top level, which `wrangler dev` runs without jurisdictions', ({ expect }) => {
    expect(failures(audit(shipped, '')).map((row) => row.binding)).toEqual(['CACHE_TIER'])
  })

  it('warns, without failing, about stores holding URLs of EU content (no bodies)', ({
    expect,
  }) => {
    const warned = audit(shipped).rows.filter((row) => row.verdict === 'warn')
    expect(warned.map((row) => row.binding).sort()).toEqual(['CONFIG_DB', 'PURGE_LOG'])
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
    expect(output).toContain('residency check passed (env.production')
  })

  it('exits 1 naming TIER_BUCKET_EU when its jurisdiction is removed', async ({ expect }) => {
    const toml = withProduction(EU_BUCKET, EU_BUCKET.replace('\njurisdiction = "eu"', ''))
    const { code, output } = await runCheck(toml)
    expect(code).toBe(1)
    expect(output).toMatch(/FAIL: TIER_BUCKET_EU \(edge-cdn-tier-eu\): must declare jurisdiction/)
  })
})
