/**
 * @module routes/admin/request
 * What every admin handler needs from a request: the config db, its `:zone`, its JSON body
 * validated (a failure is a 400 value naming the field), and an audited commit of its change.
 */
import type { BatchItem } from 'drizzle-orm/batch'
import { drizzle } from 'drizzle-orm/d1'
import type { Context } from 'hono'
import type { z } from 'zod'
import { auditQuery } from '../../admin/audit-log'
import type { ConfigDb } from '../../admin/config-store'
import { failure } from '../../admin/envelope'
import type { AdminEnv } from '../../middleware/admin-auth'

/** Admin bodies are small records; anything larger is a mistake or an attack. */
const MAX_BODY_BYTES = 64 * 1024

export type AdminContext = Context<AdminEnv>

/** @returns a drizzle handle on the config D1 */
export function configDb(c: AdminContext): ConfigDb {
  return drizzle(c.env.CONFIG_DB)
}

/**
 * @returns the `:zone` route parameter
 * @throws TypeError when the route has none (a programming error)
 */
export function zoneParam(c: AdminContext): string {
  const zone = c.req.param('zone')
  if (zone === undefined) throw new TypeError(`expected a :zone parameter on ${c.req.path}`)
  return zone
}

/**
 * Reads the body as JSON (whatever its Content-Type claims) and validates it.
 * @param schema the record's schema
 * @param resource prefixes field paths in messages, e.g. `routes` gives `routes.pathPrefix: …`
 * @returns the parsed value, or a 400 (413 when too large) envelope to answer with
 */
export async function readBody<S extends z.ZodType>(
  c: AdminContext,
  schema: S,
  resource: string
): Promise<{ ok: true; data: z.output<S> } | { ok: false; response: Response }> {
  const text = await c.req.text()
  if (new TextEncoder().encode(text).byteLength > MAX_BODY_BYTES) {
    return {
      ok: false,
      response: failure(413, {
        code: 'body_too_large',
        message: `request body exceeds ${MAX_BODY_BYTES} bytes`,
      }),
    }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return {
      ok: false,
      response: failure(400, { code: 'malformed_json', message: 'request body is not valid JSON' }),
    }
  }
  const parsed = schema.safeParse(json)
  if (parsed.success) return { ok: true, data: parsed.data }
  return { ok: false, response: invalid(resource, parsed.error.issues) }
}

/**
 * @param resource the prefix of every field path
 * @param issues zod's issues
 * @returns a 400 envelope with one `invalid_body` error per issue, `<resource>.<path>: <message>`
 */
export function invalid(
  resource: string,
  issues: readonly { path: readonly PropertyKey[]; message: string }[]
): Response {
  return failure(
    400,
    issues.map((issue) => ({
      code: 'invalid_body',
      message: `${[resource, ...issue.path.map(String)].join('.')}: ${issue.message}`,
    }))
  )
}

/**
 * Commits a change and its audit row in one D1 batch: both happen or neither does.
 * @param change the unexecuted write
 * @param zone the zone it concerns, if any
 * @param summary what changed, for the audit row: never a token value or a secret
 */
export async function commitAudited(
  c: AdminContext,
  change: BatchItem<'sqlite'>,
  zone: string | null,
  summary: unknown
): Promise<void> {
  const db = configDb(c)
  await db.batch([change, auditQuery(db, auditEntry(c, zone, summary), new Date())])
}

/**
 * Records a refused write: who tried what. The refusal changes nothing else.
 * @param summary what was refused and why: never a secret value
 */
export async function auditRefusal(
  c: AdminContext,
  zone: string | null,
  summary: unknown
): Promise<void> {
  const db = configDb(c)
  await auditQuery(db, auditEntry(c, zone, summary), new Date())
}

/** Who did what to which zone, from the request. */
function auditEntry(c: AdminContext, zone: string | null, summary: unknown) {
  return { actor: c.get('principal').id, zone, method: c.req.method, path: c.req.path, summary }
}

/** @returns a 404 envelope for a missing zone */
export function zoneNotFound(zone: string): Response {
  return failure(404, { code: 'zone_not_found', message: `zone ${zone} does not exist` })
}
