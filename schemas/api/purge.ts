/**
 * @module api/purge
 * The purge API's bodies, in the shapes of Cloudflare's `purge_cache` (one kind per request:
 * `files`, `tags`, `prefixes`, `hosts` or `purge_everything`), plus `soft` for Fastly-style soft
 * purge. Limits follow Cloudflare's: at most 100 items per request, tags of 1 to 1024 printable
 * ASCII characters.
 */
import { z } from 'zod'

export const MAX_PURGE_ITEMS = 100

const printable = /^[\x20-\x7e]+$/
const tag = z.string().min(1).max(1024).regex(printable, 'printable ASCII only')
const url = z
  .string()
  .max(4096)
  .regex(/^https?:\/\/[^\s/]+/i, 'an absolute http(s) URL')
const fileSchema = z.union([
  url,
  // Cloudflare accepts headers to select a variant; every variant of the URL is purged here.
  z.object({ url, headers: z.record(z.string(), z.string()).optional() }),
])
const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9.-]+(:\d+)?$/i, 'a host name')
const prefix = z
  .string()
  .min(1)
  .max(4096)
  // The part before the first `/` is a host name, as for `hosts`: `https://h/x` has no place here.
  .regex(/^[a-z0-9.-]+(:\d+)?\/\S*$/i, 'host/path, without a scheme (e.g. www.example.com/assets/)')

const items = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(MAX_PURGE_ITEMS)
const KINDS = ['files', 'tags', 'prefixes', 'hosts', 'purge_everything'] as const

export const purgeBodySchema = z
  .strictObject({
    files: items(fileSchema).optional(),
    tags: items(tag).optional(),
    prefixes: items(prefix).optional(),
    hosts: items(hostname).optional(),
    purge_everything: z.literal(true).optional(),
    soft: z.boolean().optional(),
  })
  .refine((body) => KINDS.filter((kind) => body[kind] !== undefined).length === 1, {
    message: `exactly one of ${KINDS.join(', ')}`,
  })
export type PurgeBody = z.infer<typeof purgeBodySchema>

/** A surrogate key in the Fastly-style path: a tag. */
export const surrogateKeySchema = tag
