/**
 * @module api/config
 * zod schemas for configuration records: origins, routes and zones. The admin API validates
 * request bodies with them and the edge validates what it reads from D1 with them.
 */
import { z } from 'zod'

const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -, starting alphanumeric')

const keyPrefix = z
  .string()
  .max(512)
  .refine((p) => !p.split('/').includes('..'), 'must not contain a `..` segment')

export const r2OriginSchema = z.object({
  kind: z.literal('r2'),
  /** Name of the R2 bucket binding in wrangler.toml. */
  binding: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  prefix: keyPrefix.default(''),
})

export const httpOriginSchema = z.object({
  kind: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }),
  /** Connect + first byte, in milliseconds. */
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
})

export const originSpecSchema = z.discriminatedUnion('kind', [r2OriginSchema, httpOriginSchema])
export type OriginSpec = z.infer<typeof originSpecSchema>

export const routeSpecSchema = z.object({
  /** Requests whose path starts with this prefix take this route; the longest prefix wins. */
  pathPrefix: z.string().startsWith('/').max(1024).default('/'),
  origin: name,
  /** Skip every cache: requests go straight to the origin. */
  bypass: z.boolean().default(false),
  /** Store responses carrying Set-Cookie (the cookie itself is never stored). */
  allowSetCookie: z.boolean().default(false),
})
export type RouteSpec = z.infer<typeof routeSpecSchema>

export const zoneSpecSchema = z.object({
  hosts: z.array(z.string().min(1).max(253).toLowerCase()).min(1),
})
export type ZoneSpec = z.infer<typeof zoneSpecSchema>

export { name as configNameSchema }
