/**
 * @module api/admin
 * zod schemas the admin API alone uses: API tokens, the audit query, and the response envelope
 * (Cloudflare's `{ success, errors, messages, result }`).
 */
import { z } from 'zod'
import { configNameSchema } from './config'

/**
 * What a token may do: purge a zone's content, read its config, change its config, read its
 * analytics (config:read reads them too), run chaos drills (`chaos`: held only by tokens it was
 * granted to, never by the bootstrap token).
 */
export const TOKEN_SCOPES = [
  'purge',
  'config:read',
  'config:write',
  'analytics:read',
  'chaos',
] as const
export const tokenScopeSchema = z.enum(TOKEN_SCOPES)
export type TokenScope = z.infer<typeof tokenScopeSchema>

/** `POST /_admin/zones/:zone/tokens`. `zones` defaults to the zone in the path. */
export const createTokenSchema = z.object({
  scopes: z
    .array(tokenScopeSchema)
    .min(1)
    .transform((scopes) => [...new Set(scopes)].sort()),
  zones: z
    .array(configNameSchema)
    .min(1)
    .max(100)
    .transform((zones) => [...new Set(zones)].sort())
    .optional(),
  description: z.string().max(256).optional(),
})
export type CreateToken = z.infer<typeof createTokenSchema>

/** A grant's kind as the path spells it (`/grants/secrets/NAME`, `buckets`, `certificates`), as the store spells it. */
export const grantKindSchema = z
  .enum(['secrets', 'buckets', 'certificates'])
  .transform((kind) => kind.slice(0, -1) as 'secret' | 'bucket' | 'certificate')

/** `GET /_admin/audit?zone=&limit=` */
export const auditQuerySchema = z.object({
  zone: configNameSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
})

/** One entry of an envelope's `errors`. */
export interface ApiError {
  code: string
  message: string
}

/** Every admin answer, success or not, in the shape of Cloudflare's API. */
export interface ApiEnvelope<T> {
  success: boolean
  errors: ApiError[]
  messages: string[]
  result: T | null
}
