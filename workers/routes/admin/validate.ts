/**
 * @module routes/admin/validate
 * The admin API's error contract for what `zValidator` (from `@hono/zod-validator`) refuses, in
 * one place: a body over 64 KiB is a 413 `body_too_large` (before it is read as JSON), text that
 * is not JSON a 400 `malformed_json`, and a body, query or path parameter the schema refuses a
 * 400 with one `invalid_body` error per issue, `<resource>.<path>: <message>`.
 */
import { zValidator } from '@hono/zod-validator'
import { bodyLimit } from 'hono/body-limit'
import { type ZodType, z } from 'zod'
import { failure } from '../../admin/envelope'

/** Admin bodies are small records; anything larger is a mistake or an attack. */
const MAX_BODY_BYTES = 64 * 1024

interface Issue {
  path: readonly PropertyKey[]
  message: string
}

/** What every zValidator hook is given, narrowed to what these hooks read. */
type Validated = { success: true } | { success: false; error: { issues: readonly Issue[] } }

/**
 * A zValidator hook for a body or a query.
 * @param resource prefixes field paths in messages, e.g. `routes` gives `routes.pathPrefix: …`
 * @returns the hook: a 400 envelope when the value is refused, nothing (go on) otherwise
 */
export function invalidAs(resource: string) {
  return (result: Validated): Response | undefined =>
    result.success ? undefined : invalid(resource, result.error.issues)
}

/**
 * A zValidator hook for path parameters, `z.object({ zone: … })`. Parameters are checked in the
 * order given and only the first one refused is reported, under its field path.
 * @param resources each parameter's field path in messages, e.g. `{ zone: 'zones.name' }`
 * @returns the hook: a 400 envelope when a parameter is refused, nothing (go on) otherwise
 */
export function invalidParamsAs(resources: Readonly<Record<string, string>>) {
  return (result: Validated): Response | undefined => {
    if (result.success) return undefined
    const { issues } = result.error
    for (const [param, resource] of Object.entries(resources)) {
      const refused = issues.filter((issue) => issue.path[0] === param)
      if (refused.length > 0) {
        return invalid(
          resource,
          refused.map((issue) => ({ ...issue, path: issue.path.slice(1) }))
        )
      }
    }
    return invalid('params', issues)
  }
}

/**
 * `zValidator('param', …)` for one path parameter, its refusal named `resource`.
 * @param name the parameter, e.g. `zone`
 * @param schema its schema
 * @param resource its field path in messages, e.g. `zones.name`
 * @returns the middleware; the handler reads the value with `c.req.valid('param')[name]`
 */
export function validParam<K extends string, S extends ZodType>(
  name: K,
  schema: S,
  resource: string
) {
  const shape = { [name]: schema } as { [P in K]: S }
  return zValidator('param', z.object(shape), invalidParamsAs({ [name]: resource }))
}

const limit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () =>
    failure(413, {
      code: 'body_too_large',
      message: `request body exceeds ${MAX_BODY_BYTES} bytes`,
    }),
})

/**
 * `zValidator('json', schema, invalidAs(resource))` behind Hono's `bodyLimit`, reading the body
 * as JSON whatever its Content-Type claims (the admin API speaks nothing else, and zValidator
 * reads only a body labelled JSON).
 * @param schema the body's schema
 * @param resource prefixes field paths in messages
 * @returns the middleware; the handler reads the body with `c.req.valid('json')`
 */
export function validJson<S extends ZodType>(schema: S, resource: string) {
  const validate = zValidator('json', schema, invalidAs(resource))
  const middleware: typeof validate = async (c, next) => {
    let within = false
    const tooLarge = await limit(c, async () => {
      within = true
    })
    if (!within) return tooLarge ?? undefined
    const headers = new Headers(c.req.raw.headers)
    headers.set('content-type', 'application/json')
    c.req.raw = new Request(c.req.raw, { headers })
    try {
      // Hono keeps the parse: zValidator reads it, not the body again.
      await c.req.json()
    } catch {
      return failure(400, { code: 'malformed_json', message: 'request body is not valid JSON' })
    }
    return validate(c, next)
  }
  return middleware
}

/**
 * @param resource the prefix of every field path
 * @param issues zod's issues
 * @returns a 400 envelope with one `invalid_body` error per issue, `<resource>.<path>: <message>`
 */
function invalid(resource: string, issues: readonly Issue[]): Response {
  return failure(
    400,
    issues.map((issue) => ({
      code: 'invalid_body',
      message: `${[resource, ...issue.path.map(String)].join('.')}: ${issue.message}`,
    }))
  )
}
