/**
 * @module api/config
 * zod schemas for configuration records: origins, routes, zones and residency rules. The admin
 * API validates request bodies with them and the edge validates what it reads from D1 with them.
 */
import { z } from 'zod'
import { canonicalZoneHost, ZONE_HOST_FORM } from '../hosts'
import { monitorSpecSchema } from './monitor'

const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -, starting alphanumeric')

const keyPrefix = z
  .string()
  .max(512)
  .refine((p) => !p.split('/').includes('..'), 'must not contain a `..` segment')

/** The regions an origin may keep a bucket in (schemas/regions.ts, without `global`). */
export const bucketRegionSchema = z.enum(['eu', 'us', 'apac'])
export type BucketRegion = z.infer<typeof bucketRegionSchema>

const bindingName = z.string().regex(/^[A-Z][A-Z0-9_]*$/)

/**
 * Retries, backoff and passive health (the circuit breaker) of an origin (origin/resilient.ts,
 * origin/circuit-breaker.ts); every field has a default (`DEFAULT_RESILIENCE`).
 */
export const resilienceSchema = z.object({
  /** Retries of an idempotent request that failed before any response (0: none). */
  retries: z.number().int().min(0).max(5).optional(),
  /** Upper bound of the first jittered wait, doubling per retry, in milliseconds. */
  backoffBaseMs: z.number().int().min(0).max(10_000).optional(),
  backoffMaxMs: z.number().int().min(0).max(60_000).optional(),
  /** Share of failed attempts in the window that opens the breaker. */
  errorRatio: z.number().gt(0).max(1).optional(),
  /** Attempts the window must hold before its error ratio can open the breaker. */
  minRequests: z.number().int().min(1).max(10_000).optional(),
  /** The sliding window the error ratio is measured over, in milliseconds. */
  windowMs: z.number().int().min(1_000).max(600_000).optional(),
  /**
   * Statuses that count as the origin failing, besides transport failures and timeouts (which
   * always count). Default 502, 503, 504: an application's own 500 or 404 is its answer, passed
   * through and never counted unless listed here.
   */
  failureStatuses: z.array(z.number().int().min(400).max(599)).max(100).optional(),
  /**
   * Before the error ratio, the breaker opened after this many consecutive failures. Still
   * accepted: it is read as `minRequests` when that is not set.
   * @deprecated use `minRequests` and `errorRatio`
   */
  failureThreshold: z.number().int().min(1).max(1000).optional(),
  /** How long an open breaker refuses requests before one probe, in milliseconds. */
  coolDownMs: z.number().int().min(10).max(3_600_000).optional(),
})
export type ResilienceSpec = z.infer<typeof resilienceSchema>

export const r2OriginSchema = z.object({
  kind: z.literal('r2'),
  /** Name of the R2 bucket binding in wrangler.toml. */
  binding: bindingName,
  prefix: keyPrefix.default(''),
  /**
   * One bucket per region (e.g. a binding with `jurisdiction = "eu"`). Content resident in a
   * region is read only from that region's bucket; the default `binding` serves the rest.
   */
  regions: z.partialRecord(bucketRegionSchema, z.object({ binding: bindingName })).optional(),
  resilience: resilienceSchema.optional(),
})

export const httpOriginSchema = z.object({
  kind: z.literal('http'),
  url: z
    .url({ protocol: /^https?$/ })
    // Credentials in config would be returned by the admin API and written to its audit log.
    .refine(
      (u) => !/^[a-z]+:\/\/[^/?#]*@/i.test(u) && !hasCredentials(u),
      'must not carry credentials: reference a Worker secret by name instead'
    ),
  /** Connect + first byte, in milliseconds. */
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  /** `forwarded`: send the client's host in X-Forwarded-Host (origin/http.ts). */
  hostHeader: z.enum(['origin', 'forwarded']).optional(),
  resilience: resilienceSchema.optional(),
  /** Authenticated origin pulls: an HMAC signature on every request (origin/signing.ts). */
  signing: z.lazy(() => originSigningSchema).optional(),
  /**
   * The `mtls_certificates` binding whose client certificate the origin requires (mutual TLS;
   * production only: origin/mtls.ts).
   */
  mtlsCertificate: z.lazy(() => secretNameSchema).optional(),
  /** Active health checks from each region (origin/health-monitor.ts). */
  monitor: monitorSpecSchema.optional(),
})

export const s3OriginSchema = z.object({
  kind: z.literal('s3'),
  bucket: z.string().min(3).max(63),
  /** AWS region (or `auto` for R2's S3 endpoint). */
  region: z.string().min(1).max(32),
  /** A custom endpoint (R2's S3 API, any S3-compatible server); omit for AWS. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  forcePathStyle: z.boolean().optional(),
  prefix: keyPrefix.default(''),
  /** Names of the Worker secrets holding the key pair, never the keys themselves. */
  accessKeyIdSecret: z.lazy(() => secretNameSchema),
  secretAccessKeySecret: z.lazy(() => secretNameSchema),
  /** Connect + first byte, in milliseconds. */
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  /**
   * One bucket per region (e.g. EU objects in eu-central-1), same keys and prefix. Content
   * resident in a region is read only from that region's bucket; `region` and `endpoint` default
   * to the origin's own.
   */
  regions: z
    .partialRecord(
      bucketRegionSchema,
      z.object({
        bucket: z.string().min(3).max(63),
        region: z.string().min(1).max(32).optional(),
        endpoint: z.url({ protocol: /^https?$/ }).optional(),
      })
    )
    .optional(),
  resilience: resilienceSchema.optional(),
})

/**
 * @param url a URL that may not parse
 * @returns whether it carries a user name or password as the URL parser (and so `fetch`) reads
 *   it: `http:///user:pw@host` does, though no `@` follows its first `//` directly
 */
function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.username !== '' || parsed.password !== ''
  } catch {
    return false
  }
}

export const originSpecSchema = z.discriminatedUnion('kind', [
  r2OriginSchema,
  httpOriginSchema,
  s3OriginSchema,
])
export type OriginSpec = z.infer<typeof originSpecSchema>
export type HttpOriginSpec = z.infer<typeof httpOriginSchema>

export const routeSpecSchema = z
  .object({
    /** Requests whose path starts with this prefix take this route; the longest prefix wins. */
    pathPrefix: z.string().startsWith('/', 'must start with /').max(1024).default('/'),
    origin: name,
    /** Skip every cache: requests go straight to the origin. */
    bypass: z.boolean().default(false),
    /**
     * Misses climb to the region's tier (true) or go from the PoP straight to the origin (false:
     * L1 only). Archival paths need the tier, which is where their restores are coordinated.
     */
    tieredCache: z.boolean().default(true),
    /** Store responses carrying Set-Cookie (the cookie itself is never stored). */
    allowSetCookie: z.boolean().default(false),
    /**
     * Edge compression (default on): an identity response of a text type is sent br or gzip
     * encoded, by the client's Accept-Encoding. Cached copies stay in the origin's coding.
     */
    compression: z.boolean().optional(),
    /**
     * Archived objects (S3 GLACIER, DEEP_ARCHIVE): how this route restores them, and which paths
     * hold archival data: served from the origin on demand, cached only in the tier (never in a
     * PoP's L1), never pre-warmed.
     */
    archival: z.lazy(() => archivalSpecSchema).optional(),
    /**
     * Request fields the route's origin varies on that the cache keys even when the response
     * does not name them in Vary (a custom cache key): they are forwarded on cacheable requests
     * although origin/poisoning-headers.ts lists them.
     */
    cacheKeyHeaders: z
      .array(z.lazy(() => fieldNameSchema))
      .max(8)
      .optional(),
  })
  .refine((route) => route.tieredCache || route.archival === undefined, {
    message: 'archival paths are cached in the tier: they need tieredCache',
    path: ['tieredCache'],
  })
export type RouteSpec = z.infer<typeof routeSpecSchema>

export const restoreTierSchema = z.enum(['Expedited', 'Standard', 'Bulk'])

export const archivalSpecSchema = z.object({
  /** Request paths (as the client sends them, starting with /) that hold archival data. */
  prefix: z.string().startsWith('/', 'must start with /').max(1024),
  /** How long a restored copy stays readable. */
  restoreDays: z.number().int().min(1).max(365).default(1),
  restoreTier: restoreTierSchema.default('Standard'),
  /** A restore started this long ago may be asked for again, in seconds. */
  restoreWindowSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .optional(),
})
export type ArchivalSpec = z.infer<typeof archivalSpecSchema>

/**
 * A host a zone claims, in canonical form (schemas/hosts.ts): another spelling of a host
 * (`A.example.com.`, an IDN in Unicode) is that host, and so answers 409 if another zone has it.
 */
const zoneHostSchema = z
  .string()
  .min(1)
  .max(253)
  .overwrite((host) => canonicalZoneHost(host) ?? host)
  // Bounded once canonical too (punycode lengthens): what is stored must parse again when the
  // edge reads it back.
  .refine((host) => canonicalZoneHost(host) === host, ZONE_HOST_FORM)

export const zoneSpecSchema = z.object({
  hosts: z.array(zoneHostSchema).min(1).max(100),
})
export type ZoneSpec = z.infer<typeof zoneSpecSchema>

/**
 * The name of a Worker secret (`wrangler secret put NAME`, or `.dev.vars` locally). Config
 * references credentials by such a name, never by value: an origin field like
 * `secretAccessKeySecret` holds a name that the Worker resolves from its env.
 */
export const secretNameSchema = z
  .string()
  .max(128)
  .regex(/^[A-Z][A-Z0-9_]*$/, 'a Worker secret name: upper-case letters, digits and _')

/** An HTTP field name (RFC 9110 §5.1 token), lower-cased. */
const fieldNameSchema = z
  .string()
  .max(64)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP field name')
  .toLowerCase()

/** Request fields a signature must not overwrite. */
const MANAGED_FIELDS = [
  'host',
  'cdn-loop',
  'x-forwarded-for',
  'x-real-ip',
  'true-client-ip',
  'x-forwarded-proto',
  'x-forwarded-host',
  'content-length',
  'transfer-encoding',
  'connection',
  'range',
  'authorization',
]

/**
 * Keys an origin checks requests with. The first signs; the others are the ones a rotation
 * keeps valid at the origin (add the new key second, make it first, then remove the old one).
 */
export const originSigningSchema = z.object({
  keys: z
    .array(
      z.object({
        /** Sent with each signature so the origin knows which secret to check with. */
        id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ and -'),
        /** The name of the Worker secret holding the key, never the key itself. */
        secret: z.lazy(() => secretNameSchema),
      })
    )
    .min(1)
    .max(2)
    .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids must differ'),
  /** The request field carrying the signature; never one the CDN or HTTP itself manages. */
  header: z
    .lazy(() => fieldNameSchema)
    .refine((name) => !MANAGED_FIELDS.includes(name), 'a field the CDN or HTTP already sets')
    .default('edge-signature'),
})
export type OriginSigning = z.infer<typeof originSigningSchema>

/** A cache tag as Cloudflare's purge API bounds it: 1 to 1024 printable ASCII characters. */
const cacheTag = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[\x20-\x7e]+$/, 'printable ASCII only')

/**
 * Pins content of a zone (by path prefix, by cache tag, or both) to a region.
 * `cache-in-region`: stored only in that region's caches, served to everyone through them;
 * `serve-in-region`: refused (451) to clients outside the region.
 */
export const residencyRuleSpecSchema = z
  .object({
    pathPrefix: z.string().startsWith('/', 'must start with /').max(1024).optional(),
    tag: cacheTag.optional(),
    region: z.enum(['eu', 'us', 'apac']),
    mode: z.enum(['cache-in-region', 'serve-in-region']),
  })
  .refine((r) => r.pathPrefix !== undefined || r.tag !== undefined, {
    message: 'pathPrefix or tag is required',
    path: ['pathPrefix'],
  })
export type ResidencyRuleSpec = z.infer<typeof residencyRuleSpecSchema>

export { name as configNameSchema }
