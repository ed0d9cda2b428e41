/**
 * @module scripts/residency-check
 * `npm run residency:check [-- --config FILE] [-- --env NAME ...]`: audits the deployable
 * configuration and prints, per environment, a table of region → storage binding → where it
 * lives. Exits 1 when any audited environment fails (.scripts/residency-audit.ts says what fails).
 *
 * Audited by default: the top level (what `wrangler deploy` deploys) and every `[env.*]`
 * section a user may deploy with `--env`.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { parse } from 'smol-toml'
import { REGIONS } from '../schemas/regions'
import {
  type AuditRow,
  auditEnvironment,
  type EnvironmentAudit,
  environmentNames,
  failures,
} from './residency-audit'

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'wrangler.toml' },
    env: { type: 'string', multiple: true },
  },
})

const config = parse(readFileSync(values.config, 'utf8'))
const declared = environmentNames(config)
const audited = values.env ?? declared
let failed = 0
for (const env of audited) {
  const audit = auditEnvironment(config, env, REGIONS)
  console.log(render(audit))
  failed += failures(audit).length
}
if (failed > 0) {
  console.error(`residency check failed: ${failed} store(s) outside their region's jurisdiction`)
  process.exit(1)
}
console.log(`residency check passed (${audited.map(label).join(', ')} of ${values.config})`)

function label(env: string): string {
  return env === '' ? 'top level' : `env.${env}`
}

/** A plain-text table, then each failure and warning with its reason. */
function render(audit: EnvironmentAudit): string {
  const header: AuditRow = {
    region: 'region',
    store: 'store',
    binding: 'binding',
    holds: 'holds',
    placement: 'jurisdiction / location',
    verdict: 'info',
  }
  const cells = (row: AuditRow, verdict: string) => [
    row.region,
    row.binding,
    row.placement,
    verdict,
    row.store,
  ]
  const table = [
    cells(header, 'verdict'),
    ...audit.rows.map((row) => cells(row, row.verdict.toUpperCase())),
  ]
  const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => r[i]?.length ?? 0))) ?? []
  const lines = table.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  )
  const notes = audit.rows
    .filter((row) => row.reason)
    .map((row) => `  ${row.verdict.toUpperCase()}: ${row.binding}: ${row.reason}`)
  return [`\n${label(audit.env)}:`, ...lines, ...notes].join('\n')
}
