/**
 * @module schemas/settings
 * Every `[vars]` setting of wrangler.toml, parsed once by one zod schema into a typed object that
 * the Worker and every Durable Object read. An empty or absent variable takes its default; a
 * malformed one is an error that names it (never a silent fallback: `PURGE_STALENESS_MS=5O` is a
 * typo, not "use the default"). Secrets are not settings and stay bindings.
 */
import { z } from 'zod'

const MINUTE_MS = 60_000
const DAY_MS = 24 * 60 * MINUTE_MS

/** A whole number within [min, max]; `""` and absent mean `fallback`. */
function integer(fallback: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return fallback
      const value = Number(text)
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a whole number in [${min}, ${max}], got ${JSON.stringify(text)}`,
        })
        return z.NEVER
      }
      return value
    })
}

/** Names separated by commas or white space. */
const nameList = z
  .string()
  .optional()
  .transform((text) => (text ?? '').split(/[\s,]+/).filter((name) => name !== ''))

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return fallback
      if (!(values as readonly string[]).includes(text)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected one of ${values.join(', ')}, got ${JSON.stringify(text)}`,
        })
        return z.NEVER
      }
      return text as T[number]
    })
}

const optionalUrl = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text.trim() === '') return undefined
    if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected an http(s) URL, got ${JSON.stringify(text)}`,
      })
      return z.NEVER
    }
    return text
  })

const optionalText = z
  .string()
  .optional()
  .transform((text) => (text === undefined || text.trim() === '' ? undefined : text.trim()))

/** `kind=rate` or `zone/origin=rate` entries, USD per GB (workers/analytics/cost.ts). */
const egressRates = z
  .string()
  .optional()
  .transform((text, ctx) => {
    const rates = new Map<string, number>()
    for (const entry of (text ?? '').split(',')) {
      if (entry.trim() === '') continue
      const [key, value] = entry.split('=').map((part) => part.trim())
      const rate = Number(value)
      if (!key || value === undefined || value === '' || !Number.isFinite(rate) || rate < 0) {
        ctx.addIssue({
          code: 'custom',
          message: `expected entries like s3=0.09, got ${JSON.stringify(entry)}`,
        })
        return z.NEVER
      }
      rates.set(key, rate)
    }
    return rates as ReadonlyMap<string, number>
  })

const settingsSchema = z.object({
  ORIGIN_URL: optionalUrl,
  ORIGIN_SECRETS: nameList,
  ORIGIN_BUCKETS: nameList,
  ORIGIN_CERTIFICATES: nameList,
  CONFIG_TTL_MS: integer(5000, 0, 5 * MINUTE_MS),
  ORIGIN_TIMEOUT_MS: integer(10_000, 1, 5 * MINUTE_MS),
  TIER_JURISDICTIONS: oneOf(['on', 'off'], 'on'),
  PURGE_STALENESS_MS: integer(50, 0, MINUTE_MS),
  PURGE_FORWARDED_STALENESS_MS: integer(30_000, 0, 10 * MINUTE_MS),
  PURGE_TIER_LEASE_MS: integer(1000, 0, MINUTE_MS),
  CLOUDFLARE_ZONE_ID: optionalText,
  CLOUDFLARE_API_BASE_URL: optionalUrl.transform(
    (url) => url ?? 'https://api.cloudflare.com/client/v4'
  ),
  TIER_SHARD_BUDGET_BYTES: integer(1 << 30, 0, Number.MAX_SAFE_INTEGER),
  TIER_R2_THRESHOLD_BYTES: integer(8 << 20, 0, Number.MAX_SAFE_INTEGER),
  TIER_L1_SECOND_HIT_BYTES: integer(1 << 20, 0, Number.MAX_SAFE_INTEGER),
  ANALYTICS_FLUSH_MS: integer(10_000, 1, 10 * MINUTE_MS),
  ANALYTICS_SOURCE: oneOf(['stores', 'engine'], 'stores'),
  ANALYTICS_RETENTION_DAYS: integer(7, 1, 366),
  ORIGIN_EGRESS_USD_PER_GB: egressRates,
})

/** The parsed settings, named for what they mean. */
export interface Settings {
  /** Proxy mode's origin (catch-all zone `default`), if set. */
  readonly proxyOrigin: string | undefined
  /** What origin config may name at all (origin/dependencies.ts), before platform names are struck. */
  readonly originAllowList: {
    readonly secret: readonly string[]
    readonly bucket: readonly string[]
    readonly certificate: readonly string[]
  }
  readonly configTtlMs: number
  readonly originTimeoutMs: number
  /** Whether regulated regions' tier shards live in their Durable Object jurisdiction. */
  readonly tierJurisdictions: boolean
  /** How stale an edge isolate's purge view may be when purges are not forwarded. */
  readonly purgeStalenessMs: number
  /** The same bound when they are forwarded to Cloudflare. */
  readonly purgeForwardedStalenessMs: number
  /** A tier shard that heard no push for this long reads the purge log itself. */
  readonly purgeTierLeaseMs: number
  readonly cloudflareZoneId: string | undefined
  readonly cloudflareApiBaseUrl: string
  readonly tierShardBudgetBytes: number
  readonly tierR2ThresholdBytes: number
  readonly tierL1SecondHitBytes: number
  readonly analyticsFlushMs: number
  readonly analyticsSource: 'stores' | 'engine'
  readonly analyticsRetentionMs: number
  readonly originEgressUsdPerGb: ReadonlyMap<string, number>
}

/** A setting that does not parse: the deployment is misconfigured. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError'
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(`invalid settings: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`)
  }
}

/**
 * @param vars the Worker's env (only its `[vars]` are read)
 * @returns the settings
 * @throws SettingsError naming every malformed variable
 */
export function parseSettings(vars: Readonly<Record<string, unknown>>): Settings {
  const strings: Record<string, string | undefined> = {}
  for (const key of Object.keys(settingsSchema.shape)) {
    const value = vars[key]
    strings[key] = typeof value === 'string' ? value : undefined
  }
  const parsed = settingsSchema.safeParse(strings)
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0]),
        message: issue.message,
      }))
    )
  }
  const s = parsed.data
  return {
    proxyOrigin: s.ORIGIN_URL,
    originAllowList: {
      secret: s.ORIGIN_SECRETS,
      bucket: s.ORIGIN_BUCKETS,
      certificate: s.ORIGIN_CERTIFICATES,
    },
    configTtlMs: s.CONFIG_TTL_MS,
    originTimeoutMs: s.ORIGIN_TIMEOUT_MS,
    tierJurisdictions: s.TIER_JURISDICTIONS === 'on',
    purgeStalenessMs: s.PURGE_STALENESS_MS,
    purgeForwardedStalenessMs: s.PURGE_FORWARDED_STALENESS_MS,
    purgeTierLeaseMs: s.PURGE_TIER_LEASE_MS,
    cloudflareZoneId: s.CLOUDFLARE_ZONE_ID,
    cloudflareApiBaseUrl: s.CLOUDFLARE_API_BASE_URL,
    tierShardBudgetBytes: s.TIER_SHARD_BUDGET_BYTES,
    tierR2ThresholdBytes: s.TIER_R2_THRESHOLD_BYTES,
    tierL1SecondHitBytes: s.TIER_L1_SECOND_HIT_BYTES,
    analyticsFlushMs: s.ANALYTICS_FLUSH_MS,
    analyticsSource: s.ANALYTICS_SOURCE,
    analyticsRetentionMs: s.ANALYTICS_RETENTION_DAYS * DAY_MS,
    originEgressUsdPerGb: s.ORIGIN_EGRESS_USD_PER_GB,
  }
}

const parsedByEnv = new WeakMap<object, Settings>()

/**
 * The settings of this env, parsed on first use. Every caller shares one object per env (the
 * Worker's env object lives as long as its isolate, a Durable Object's as long as the object).
 * @throws SettingsError when a variable is malformed
 */
export function settingsOf(env: object): Settings {
  let settings = parsedByEnv.get(env)
  if (!settings) {
    settings = parseSettings(env as Record<string, unknown>)
    parsedByEnv.set(env, settings)
  }
  return settings
}

/** The variables the schema reads, for the table test and the docs. */
export const SETTING_VARIABLES: readonly string[] = Object.keys(settingsSchema.shape)
