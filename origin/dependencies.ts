/**
 * @module origin/dependencies
 * What a zone's origins may use of the Worker's bindings. Two gates, both required:
 * - the deployment's allow-list (`ORIGIN_SECRETS`, `ORIGIN_BUCKETS`, `ORIGIN_CERTIFICATES` in
 *   wrangler.toml): the only
 *   names any config may ever use; the platform's own bindings are struck from it whatever it says;
 * - the zone's grants (D1 `grants`, written with the bootstrap token only): which of those names
 *   this zone may use.
 * The adapters get a map built from exactly those names, never the whole `Env`, so an origin
 * record that names `ADMIN_TOKEN` or `TIER_BUCKET` resolves nothing, whoever wrote it.
 */
import { settingsOf } from '../schemas/settings'
import { NotGrantedError } from './errors'
import { isFetcher } from './mtls'
import { isR2Bucket } from './r2'
import type { GrantKind } from './references'

/**
 * Bindings the platform keeps for itself: its bootstrap token, config D1, Durable Objects and
 * tier buckets. Never nameable by config, even when an allow-list or a grant names one.
 */
const PLATFORM_BINDINGS: ReadonlySet<string> = new Set([
  'ADMIN_TOKEN',
  'CONFIG_DB',
  'CACHE_TIER',
  'PURGE_LOG',
  'ORIGIN_SECRETS',
  'ORIGIN_BUCKETS',
  'ORIGIN_CERTIFICATES',
])
/** Every `TIER_*` binding or variable is the tier's (buckets per region, settings). */
const PLATFORM_PREFIXES = ['TIER_']

/** @returns whether `name` is one of the platform's own bindings */
export function isPlatformBinding(name: string): boolean {
  return PLATFORM_BINDINGS.has(name) || PLATFORM_PREFIXES.some((p) => name.startsWith(p))
}

/** The names a deployment lets config use at all. */
export type AllowList = Record<GrantKind, ReadonlySet<string>>

/** The variable listing each kind's names. */
const ALLOW_LIST_VARS = {
  secret: 'ORIGIN_SECRETS',
  bucket: 'ORIGIN_BUCKETS',
  certificate: 'ORIGIN_CERTIFICATES',
} as const

/**
 * @param bindings the Worker's env: its settings `ORIGIN_SECRETS`, `ORIGIN_BUCKETS`,
 *   `ORIGIN_CERTIFICATES` (schemas/settings.ts `originAllowList`)
 * @returns the allow-list, without any platform binding it names
 * @throws SettingsError when a setting is malformed
 */
export function allowList(bindings: object): AllowList {
  const listed = settingsOf(bindings).originAllowList
  return {
    secret: nameSet(listed.secret),
    bucket: nameSet(listed.bucket),
    certificate: nameSet(listed.certificate),
  }
}

function nameSet(names: readonly string[]): ReadonlySet<string> {
  return new Set(names.filter((name) => !isPlatformBinding(name)))
}

/**
 * Why a name may not be granted, or undefined when it may.
 * @param allowed the deployment's allow-list
 */
export function grantRefusal(
  kind: GrantKind,
  name: string,
  allowed: AllowList
): { code: 'platform_binding' | 'not_allow_listed'; message: string } | undefined {
  if (isPlatformBinding(name)) {
    return { code: 'platform_binding', message: `${name} is a binding of the platform itself` }
  }
  if (!allowed[kind].has(name)) {
    const list = ALLOW_LIST_VARS[kind]
    return { code: 'not_allow_listed', message: `${name} is not in the deployment's ${list}` }
  }
  return undefined
}

/** The names one zone may use: its grants. */
export type ZoneGrants = Record<GrantKind, readonly string[]>

export const NO_GRANTS: ZoneGrants = { secret: [], bucket: [], certificate: [] }

export interface OriginDependencies {
  /** Resolves an R2 binding name from config to the binding. */
  bucket(binding: string): R2Bucket
  /** Resolves a Worker secret named by config (S3 keys, signing keys). */
  secret(name: string): string
  /** Resolves an `mtls_certificates` binding named by config (origin/mtls.ts). */
  mtls(binding: string): Fetcher
  /** Default connect + first-byte timeout when the origin sets none. */
  timeoutMs: number
}

/**
 * Builds the dependencies of one zone's origins from the Worker's bindings.
 * @param bindings the Worker's env (read here only, for the granted names)
 * @param grants the zone's grants
 * @param timeoutMs the default origin timeout
 * @returns resolvers that throw `NotGrantedError` for a name the zone may not use, and
 *   TypeError for a granted name that is not bound (or not an R2 bucket)
 */
export function originDependencies(
  bindings: object,
  grants: ZoneGrants,
  timeoutMs: number
): OriginDependencies {
  const allowed = allowList(bindings)
  const usable = (kind: GrantKind, name: string) =>
    grants[kind].includes(name) && grantRefusal(kind, name, allowed) === undefined
  return {
    bucket(binding) {
      if (!usable('bucket', binding)) throw new NotGrantedError('bucket', binding)
      const candidate: unknown = Reflect.get(bindings, binding)
      if (!isR2Bucket(candidate)) {
        throw new TypeError(`expected binding ${binding} to be an R2 bucket`)
      }
      return candidate
    },
    secret(name) {
      if (!usable('secret', name)) throw new NotGrantedError('secret', name)
      const value = stringBinding(bindings, name)
      // The message names the secret, never a value.
      if (value === undefined || value === '') {
        throw new TypeError(`expected the Worker secret ${name} to be set`)
      }
      return value
    },
    mtls(binding) {
      if (!usable('certificate', binding)) throw new NotGrantedError('certificate', binding)
      const candidate: unknown = Reflect.get(bindings, binding)
      if (!isFetcher(candidate)) {
        throw new TypeError(
          `expected binding ${binding} to be an mtls_certificates binding (production only)`
        )
      }
      return candidate
    },
    timeoutMs,
  }
}

function stringBinding(bindings: object, name: string): string | undefined {
  const value: unknown = Reflect.get(bindings, name)
  return typeof value === 'string' ? value : undefined
}
