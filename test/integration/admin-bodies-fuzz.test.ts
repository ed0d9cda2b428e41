/**
 * Malformed requests to the admin API's write endpoints, through the real Worker: fast-check
 * generates invalid JSON text, JSON that is not an object, non-JSON payloads under other
 * Content-Types, oversized bodies, bodies of the wrong shape and names that are not names. Each
 * answer must be a 4xx envelope whose errors name the problem (never a 500), and nothing may be
 * written: the zones, their records, tokens, audit rows and purge log stay as they were.
 */
import { env, exports } from 'cloudflare:workers'
import fc from 'fast-check'
import { beforeAll, describe, type ExpectStatic, inject, it } from 'vitest'
import { purgeLogName } from '../../edge-cache/purge/purge-log'
import { type ApiEnvelope, createTokenSchema } from '../../schemas/api/admin'
import {
  originSpecSchema,
  residencyRuleSpecSchema,
  routeSpecSchema,
  zoneSpecSchema,
} from '../../schemas/api/config'
import { purgeBodySchema } from '../../schemas/api/purge'
import { admin, bootstrapToken } from '../support/admin'

const originUrl = inject('originUrl')
const ZONE = 'fuzz'
/** The request body bound of workers/routes/admin/request.ts. */
const MAX_BODY_BYTES = 64 * 1024

interface Endpoint {
  method: 'PUT' | 'POST'
  path: string
  /** The prefix of field paths in its 400 messages. */
  resource: string
  schema: { safeParse(input: unknown): { success: boolean } }
}

const ENDPOINTS: Endpoint[] = [
  { method: 'PUT', path: '/zones/fuzz-new', resource: 'zones', schema: zoneSpecSchema },
  { method: 'PUT', path: `/zones/${ZONE}`, resource: 'zones', schema: zoneSpecSchema },
  {
    method: 'PUT',
    path: `/zones/${ZONE}/origins/o2`,
    resource: 'origins',
    schema: originSpecSchema,
  },
  { method: 'PUT', path: `/zones/${ZONE}/routes/r2`, resource: 'routes', schema: routeSpecSchema },
  {
    method: 'PUT',
    path: `/zones/${ZONE}/residency-rules/eu`,
    resource: 'residency-rules',
    schema: residencyRuleSpecSchema,
  },
  { method: 'POST', path: `/zones/${ZONE}/tokens`, resource: 'tokens', schema: createTokenSchema },
  {
    method: 'POST',
    path: `/zones/${ZONE}/purge_cache`,
    resource: 'purge',
    schema: purgeBodySchema,
  },
]

interface Sent {
  status: number
  contentType: string | null
  text: string
}

async function send(
  method: string,
  path: string,
  body: string,
  contentType: string | undefined
): Promise<Sent> {
  const headers = new Headers({
    authorization: `Bearer ${bootstrapToken()}`,
    'cf-connecting-ip': '192.0.2.77',
  })
  if (contentType !== undefined) headers.set('content-type', contentType)
  const res = await exports.default.fetch(
    new Request(`https://admin.test/_admin${path}`, { method, headers, body })
  )
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    text: await res.text(),
  }
}

/** Everything a write to the fuzzed zones could touch, as one comparable string. */
async function writtenState(): Promise<string> {
  const db = env.CONFIG_DB
  const zones = `('${ZONE}', 'fuzz-new')`
  const rows = await db.batch([
    db.prepare(`SELECT * FROM zones WHERE name IN ${zones} ORDER BY name`),
    db.prepare(`SELECT * FROM origins WHERE zone IN ${zones} ORDER BY zone, name`),
    db.prepare(`SELECT * FROM routes WHERE zone IN ${zones} ORDER BY zone, name`),
    db.prepare(`SELECT * FROM residency_rules WHERE zone IN ${zones} ORDER BY zone, name`),
    db.prepare(`SELECT * FROM api_tokens WHERE zones LIKE '%"fuzz%' ORDER BY id`),
    db.prepare(`SELECT * FROM audit_log WHERE zone IN ${zones} ORDER BY id`),
  ])
  const log = env.PURGE_LOG.get(env.PURGE_LOG.idFromName(purgeLogName(ZONE)))
  const { seq } = await log.snapshot(0)
  return JSON.stringify({ tables: rows.map((r) => r.results), purgeSeq: seq })
}

/**
 * Sends one malformed request and checks the answer: the status, a JSON envelope whose every
 * error carries the expected code (and, for field errors, the resource's name), and no write.
 */
async function expectRefused(
  expect: ExpectStatic,
  endpoint: Endpoint,
  body: string,
  contentType: string | undefined,
  want: { status: number; code: string }
): Promise<void> {
  const before = await writtenState()
  const res = await send(endpoint.method, endpoint.path, body, contentType)
  const what = `${endpoint.method} ${endpoint.path} (${contentType}): ${body.slice(0, 120)}`
  expect(res.status, what).toBe(want.status)
  expect(res.contentType, what).toMatch(/^application\/json/)
  const envelope = JSON.parse(res.text) as ApiEnvelope<unknown>
  expect(envelope.success, what).toBe(false)
  expect(envelope.result, what).toBeNull()
  expect(envelope.errors.length, what).toBeGreaterThan(0)
  for (const error of envelope.errors) {
    expect(error.code, what).toBe(want.code)
    if (want.code === 'invalid_body') {
      expect(error.message, what).toMatch(new RegExp(`^${endpoint.resource}[.:]`))
    }
  }
  expect(await writtenState(), what).toBe(before)
}

const endpoint = fc.constantFrom(...ENDPOINTS)
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml'
)

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Text that JSON.parse refuses: noise, JSON cut short or with garbage after it, near-JSON. */
const invalidJson = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1 }),
    fc
      .jsonValue()
      .map((v) => JSON.stringify(v))
      .chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((n) => t.slice(0, n))),
    fc.tuple(fc.json(), fc.constantFrom(',', '}', ']', 'x', '{', '"')).map(([t, g]) => `${t}${g}`),
    fc.constantFrom(
      "{'hosts': ['a.test']}",
      '{"hosts": ["a.test"],}',
      '{hosts: ["a.test"]}',
      'hosts=a.test',
      '<zone><hosts>a.test</hosts></zone>',
      '--x\r\nContent-Disposition: form-data; name="hosts"\r\n\r\na.test\r\n--x--',
      'NaN',
      'undefined'
    )
  )
  // The body is read as UTF-8, which drops a leading byte order mark.
  .filter((text) => !isJson(text.replace(/^\uFEFF/, '')))

/** JSON whose top level is not an object. */
const nonObjectJson = fc
  .oneof(
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null)
  )
  .map((value) => JSON.stringify(value))

/** Over the bound in bytes, though not always in characters (`é` is two bytes). */
const oversized = fc
  .tuple(
    fc.integer({ min: MAX_BODY_BYTES / 2 + 1, max: MAX_BODY_BYTES * 2 }),
    fc.constantFrom('a', 'é'),
    fc.boolean()
  )
  .filter(([n, unit]) => n * new TextEncoder().encode(unit).length > MAX_BODY_BYTES)
  .map(([n, unit, json]) =>
    json ? `{"hosts":["${unit.repeat(n)}"]}` : `not json ${unit.repeat(n)}`
  )

beforeAll(async () => {
  const zone = await admin('PUT', `/zones/${ZONE}`, { body: { hosts: ['fuzz.admin.test'] } })
  const web = await admin('PUT', `/zones/${ZONE}/origins/web`, {
    body: { kind: 'http', url: originUrl },
  })
  if (zone.status !== 201 || web.status !== 201) throw new Error('fuzz zone setup failed')
})

describe('malformed admin bodies through the Worker', () => {
  it('answers 400 malformed_json to text that is not JSON, whatever its Content-Type', async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(endpoint, invalidJson, contentType, (e, body, type) =>
        expectRefused(expect, e, body, type, { status: 400, code: 'malformed_json' })
      ),
      { numRuns: 8 }
    )
  })

  it('answers 400 invalid_body naming the resource to JSON that is not an object', async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(endpoint, nonObjectJson, contentType, (e, body, type) =>
        expectRefused(expect, e, body, type, { status: 400, code: 'invalid_body' })
      ),
      { numRuns: 6 }
    )
  })

  it('answers 400 invalid_body naming the fields of an object of the wrong shape', async ({
    expect,
  }) => {
    const wrongShape = endpoint.chain((e) =>
      fc
        .dictionary(
          fc.constantFrom('hosts', 'kind', 'url', 'origin', 'region', 'mode', 'scopes', 'tags'),
          fc.jsonValue({ maxDepth: 2 }),
          { maxKeys: 4 }
        )
        .filter((body) => !e.schema.safeParse(body).success)
        .map((body) => [e, JSON.stringify(body)] as const)
    )
    await fc.assert(
      fc.asyncProperty(wrongShape, ([e, body]) =>
        expectRefused(expect, e, body, 'application/json', { status: 400, code: 'invalid_body' })
      ),
      { numRuns: 6 }
    )
  })

  it('answers 413 body_too_large to a body over 64 KiB, before reading it as JSON', async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(endpoint, oversized, contentType, (e, body, type) =>
        expectRefused(expect, e, body, type, { status: 413, code: 'body_too_large' })
      ),
      { numRuns: 4 }
    )
  })

  it('answers 400 invalid_body naming the name to a zone or record name that is not one', async ({
    expect,
  }) => {
    const badName = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 80 })
      .filter((s) => !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(s) && s !== '.' && s !== '..')
    const target = fc.constantFrom(
      { path: (n: string) => `/zones/${n}`, resource: 'zones.name', body: { hosts: ['x.test'] } },
      {
        path: (n: string) => `/zones/${ZONE}/routes/${n}`,
        resource: 'routes.name',
        body: { origin: 'web' },
      }
    )
    await fc.assert(
      fc.asyncProperty(target, badName, async (t, name) => {
        const before = await writtenState()
        const res = await admin('PUT', t.path(encodeURIComponent(name)), { body: t.body })
        expect(res.status, name).toBe(400)
        expect(res.body.errors[0]?.code, name).toBe('invalid_body')
        expect(res.body.errors[0]?.message, name).toMatch(new RegExp(`^${t.resource}: `))
        expect(await writtenState(), name).toBe(before)
      }),
      { numRuns: 6 }
    )
  })
})

describe('surrogate keys in the purge path', () => {
  it('purges exactly the key sent, percent signs included, and never answers 500', async ({
    expect,
  }) => {
    const keys = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }).filter((k) => k !== '.' && k !== '..'),
      fc.constantFrom('50%off', '%ZZ', '100%', 'a%20b', '%E0%A4%A'),
      fc.stringMatching(/^[a-z]{1,4}%[0-9A-Za-z]{0,2}$/)
    )
    const log = env.PURGE_LOG.get(env.PURGE_LOG.idFromName(purgeLogName(ZONE)))
    await fc.assert(
      fc.asyncProperty(keys, async (key) => {
        const { seq } = await log.snapshot(0)
        const res = await send(
          'POST',
          `/zones/${ZONE}/purge/${encodeURIComponent(key)}`,
          '',
          undefined
        )
        expect(res.status, key).toBe(200)
        expect(JSON.parse(res.text), key).toEqual({ status: 'ok', id: `${ZONE}-${seq + 1}` })
        const { records } = await log.snapshot(seq)
        expect(
          records.map((r) => [r.kind, r.value]),
          key
        ).toEqual([['tag', key]])
      }),
      { numRuns: 8 }
    )
  })
})
