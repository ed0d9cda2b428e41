/**
 * @module scripts/residency-audit
 * The residency audit of a deployable Worker configuration: for every region, every store that
 * can hold its content and where that store lives. A test suite on one machine cannot see where
 * a bucket or a Durable Object lives, so the guarantee is checked where it is declared: in
 * `wrangler.toml`, environment by environment (Wrangler inherits neither vars nor bindings into
 * an `[env.*]` section, so each is read on its own). Pure: takes the parsed TOML, returns rows.
 *
 * What fails: a regulated region (one with a jurisdiction in schemas/regions.ts) whose tier
 * shards are not put in its jurisdiction (`TIER_JURISDICTIONS` not `on`), or whose tier bucket
 * binding does not declare that jurisdiction. What warns: stores that hold identifiers of
 * resident content (URLs, tags) but no bodies, outside any jurisdiction: the purge log, the
 * config database's purge audit, Analytics Engine datasets; and a region's tier bucket that is
 * not bound (resident content then stays out of R2, which is safe but slower).
 */
import { type RegionDefinition, SHARED_TIER_BUCKET } from '../schemas/regions'

export type Verdict = 'ok' | 'fail' | 'warn' | 'info'

export interface AuditRow {
  region: string
  store: string
  binding: string
  holds: string
  placement: string
  verdict: Verdict
  /** Why it fails or warns (the binding is named beside it). */
  reason?: string
}

export interface EnvironmentAudit {
  /** `production` for `[env.production]`, '' for the top level. */
  env: string
  rows: AuditRow[]
}

interface R2Binding {
  binding: string
  bucket_name?: string
  jurisdiction?: string
}

interface DoBinding {
  name: string
  class_name?: string
  script_name?: string
}

/** One environment as Wrangler deploys it. */
interface Environment {
  vars: Record<string, unknown>
  r2: R2Binding[]
  durableObjects: DoBinding[]
  d1: { binding: string; database_name?: string }[]
  analytics: { binding: string; dataset?: string }[]
}

/**
 * The environments a config declares: the top level ('') and each `[env.NAME]`.
 * @param config the parsed `wrangler.toml`
 */
export function environmentNames(config: Record<string, unknown>): string[] {
  return ['', ...Object.keys(record(config.env))]
}

/**
 * Audits one environment of a parsed `wrangler.toml`.
 * @param config the parsed TOML
 * @param env '' for the top level, else the name of an `[env.NAME]` section
 * @param regions the region definitions (schemas/regions.ts)
 * @throws TypeError for an environment the config does not declare
 */
export function auditEnvironment(
  config: Record<string, unknown>,
  env: string,
  regions: readonly RegionDefinition[]
): EnvironmentAudit {
  const section = env === '' ? config : record(record(config.env)[env])
  if (env !== '' && !(env in record(config.env))) {
    throw new TypeError(`expected an environment of wrangler.toml, got ${JSON.stringify(env)}`)
  }
  const environment = readEnvironment(section)
  const rows: AuditRow[] = []
  for (const region of regions) {
    rows.push(tierShardsRow(environment, region), tierBucketRow(environment, region))
  }
  rows.push(...sharedRows(environment, regions))
  return { env, rows }
}

/** The rows that fail. */
export function failures(audit: EnvironmentAudit): AuditRow[] {
  return audit.rows.filter((row) => row.verdict === 'fail')
}

function tierShardsRow(env: Environment, region: RegionDefinition): AuditRow {
  const binding = env.durableObjects.find((b) => b.class_name === 'CacheTier')
  const row = {
    region: region.name,
    store: `tier shards tier:${region.name}:0..${region.shards - 1}`,
    binding: binding?.name ?? '(none)',
    holds: 'bodies (SQLite) and entries',
  }
  const on = env.vars.TIER_JURISDICTIONS === 'on'
  if (!region.jurisdiction) {
    return { ...row, placement: `location hint ${region.locationHint}`, verdict: 'info' }
  }
  if (!binding) {
    return { ...row, placement: '–', verdict: 'warn', reason: 'no CacheTier binding' }
  }
  return on
    ? { ...row, placement: `jurisdiction ${region.jurisdiction}`, verdict: 'ok' }
    : {
        ...row,
        placement: `location hint ${region.locationHint} only`,
        verdict: 'fail',
        reason: `TIER_JURISDICTIONS is not "on", so tier:${region.name}:* are not in jurisdiction ${region.jurisdiction}`,
      }
}

function tierBucketRow(env: Environment, region: RegionDefinition): AuditRow {
  const wanted = region.tierBucket
  const bound = wanted && env.r2.find((b) => b.binding === wanted.binding)
  const row = {
    region: region.name,
    store: 'tier bucket (bodies >= TIER_R2_THRESHOLD_BYTES)',
    binding: bound ? `${bound.binding} (${bound.bucket_name ?? '?'})` : (wanted?.binding ?? '–'),
    holds: 'large bodies',
  }
  if (!wanted || !bound) {
    const none = 'none: resident large bodies stay out of R2'
    return wanted && region.jurisdiction
      ? { ...row, placement: none, verdict: 'warn', reason: 'not bound' }
      : { ...row, placement: none, verdict: 'info' }
  }
  if (!wanted.jurisdiction) {
    const hint = wanted.location ? `location hint ${wanted.location} (given at creation)` : '–'
    return { ...row, placement: hint, verdict: 'info' }
  }
  if (bound.jurisdiction === wanted.jurisdiction) {
    return { ...row, placement: `jurisdiction ${bound.jurisdiction}`, verdict: 'ok' }
  }
  return {
    ...row,
    placement: bound.jurisdiction ? `jurisdiction ${bound.jurisdiction}` : 'no jurisdiction',
    verdict: 'fail',
    reason: `must declare jurisdiction = "${wanted.jurisdiction}" (region ${region.name})`,
  }
}

/** Stores every region's content passes through, bound once for all regions. */
function sharedRows(env: Environment, regions: readonly RegionDefinition[]): AuditRow[] {
  const regional = new Set(regions.flatMap((r) => (r.tierBucket ? [r.tierBucket.binding] : [])))
  const regulated = regions.filter((r) => r.jurisdiction).map((r) => r.name)
  const identifiers = (binding: string, store: string, holds: string): AuditRow => ({
    region: 'all',
    store,
    binding,
    holds,
    placement: 'no jurisdiction',
    verdict: regulated.length > 0 ? 'warn' : 'info',
    reason: `holds identifiers (not bodies) of ${regulated.join(', ')} content outside its jurisdiction`,
  })
  const rows: AuditRow[] = []
  for (const b of env.r2) {
    if (regional.has(b.binding)) continue
    const placement = b.jurisdiction ? `jurisdiction ${b.jurisdiction}` : 'no jurisdiction'
    const shared = b.binding === SHARED_TIER_BUCKET
    rows.push({
      region: shared ? 'unpinned' : 'origin',
      store: shared ? 'shared tier bucket' : 'R2 bucket (origin records name it)',
      binding: `${b.binding} (${b.bucket_name ?? '?'})`,
      holds: shared
        ? 'large bodies no residency rule pins, from regions without a bucket'
        : 'what the operator stores; resident reads only from origin `regions` buckets',
      placement,
      verdict: 'info',
    })
  }
  for (const b of env.durableObjects.filter((b) => b.class_name === 'PurgeLog')) {
    rows.push(identifiers(b.name, 'purge log (one per zone)', 'purged URLs, prefixes, tags'))
  }
  for (const b of env.d1) {
    rows.push(identifiers(b.binding, 'config database (D1)', 'config, purge audit (URLs)'))
  }
  for (const b of env.analytics) {
    rows.push(identifiers(b.binding, 'Analytics Engine', 'request events'))
  }
  return rows
}

function readEnvironment(section: Record<string, unknown>): Environment {
  return {
    vars: record(section.vars),
    r2: list(section.r2_buckets).filter((b): b is R2Binding & Record<string, unknown> =>
      isNamed(b, 'binding')
    ),
    durableObjects: list(record(section.durable_objects).bindings).filter(
      (b): b is DoBinding & Record<string, unknown> => isNamed(b, 'name')
    ),
    d1: list(section.d1_databases).filter((b): b is { binding: string } => isNamed(b, 'binding')),
    analytics: list(section.analytics_engine_datasets).filter((b): b is { binding: string } =>
      isNamed(b, 'binding')
    ),
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record) : []
}

function isNamed(value: Record<string, unknown>, field: string): boolean {
  return typeof value[field] === 'string'
}
