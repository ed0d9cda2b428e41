import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { beforeAll, describe, inject, it } from 'vitest'
import { apiTokensTable, auditLogTable, originsTable } from '../../schemas/config/tables'
import { configSnapshot } from '../../workers/config/snapshot'
import app from '../../workers/index'
import { type AdminAnswer, admin, bootstrapToken, freshIp } from '../support/admin'
import { FRA } from '../support/pops'

const originUrl = inject('originUrl')
const db = drizzle(env.CONFIG_DB)

interface Created {
  id: string
  token: string
  scopes: string[]
  zones: string[]
}

async function zone(name: string, hosts = [`${name}.admin.test`]): Promise<void> {
  const res = await admin('PUT', `/zones/${name}`, { body: { hosts } })
  if (res.status >= 300) throw new Error(`zone ${name}: ${JSON.stringify(res.body)}`)
}

async function token(
  zoneName: string,
  body: { scopes: string[]; zones?: string[]; description?: string },
  as?: string
): Promise<AdminAnswer<Created>> {
  return admin<Created>('POST', `/zones/${zoneName}/tokens`, { body, token: as })
}

async function tokenValue(zoneName: string, scopes: string[], zones?: string[]): Promise<string> {
  const res = await token(zoneName, { scopes, zones })
  if (res.status !== 201 || !res.body.result) throw new Error(JSON.stringify(res.body))
  return res.body.result.token
}

function messages(res: AdminAnswer): string[] {
  return res.body.errors.map((e) => e.message)
}

describe('zones', () => {
  it('creates with 201, replaces with 200 and reads back in the envelope', async ({ expect }) => {
    const created = await admin('PUT', '/zones/z-crud', { body: { hosts: ['Z-Crud.Test'] } })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      success: true,
      errors: [],
      messages: [],
      result: { name: 'z-crud', hosts: ['z-crud.test'] },
    })
    const replaced = await admin('PUT', '/zones/z-crud', { body: { hosts: ['b.z-crud.test'] } })
    expect(replaced.status).toBe(200)
    const read = await admin('GET', '/zones/z-crud')
    expect(read.body.result).toMatchObject({ name: 'z-crud', hosts: ['b.z-crud.test'] })
    const list = await admin<{ name: string }[]>('GET', '/zones')
    expect(list.body.result?.map((z) => z.name)).toContain('z-crud')
    expect((await admin('DELETE', '/zones/z-crud')).status).toBe(200)
    expect((await admin('GET', '/zones/z-crud')).status).toBe(404)
  })

  it('is idempotent: the same PUT twice leaves one identical record', async ({ expect }) => {
    const body = { hosts: ['idem.test'] }
    const first = await admin<{ hosts: string[] }>('PUT', '/zones/idem', { body })
    const second = await admin<{ hosts: string[] }>('PUT', '/zones/idem', { body })
    expect([first.status, second.status]).toEqual([201, 200])
    expect(second.body.result?.hosts).toEqual(first.body.result?.hosts)
    const rows = await env.CONFIG_DB.prepare(
      `SELECT count(*) AS n FROM zones WHERE name = 'idem'`
    ).first<{ n: number }>()
    expect(rows?.n).toBe(1)
  })

  it('answers 404 for an unknown zone and its records', async ({ expect }) => {
    for (const path of ['/zones/nope', '/zones/nope/origins', '/zones/nope/routes/r']) {
      const res = await admin('GET', path)
      expect(res.status, path).toBe(404)
      expect(res.body.success).toBe(false)
      expect(res.body.errors[0]?.code).toBe('zone_not_found')
    }
  })

  it('refuses a host that another zone answers for with 409', async ({ expect }) => {
    await zone('owner', ['shared.test'])
    const res = await admin('PUT', '/zones/thief', { body: { hosts: ['shared.test'] } })
    expect(res.status).toBe(409)
    expect(messages(res)).toEqual(['host shared.test already belongs to zone owner'])
  })

  it('deletes a zone with its origins, routes and residency rules', async ({ expect }) => {
    await zone('doomed')
    await admin('PUT', '/zones/doomed/origins/o', { body: { kind: 'http', url: originUrl } })
    await admin('PUT', '/zones/doomed/routes/r', { body: { origin: 'o' } })
    await admin('PUT', '/zones/doomed/residency-rules/eu', {
      body: { pathPrefix: '/eu/', region: 'eu', mode: 'serve-in-region' },
    })
    expect((await admin('DELETE', '/zones/doomed')).status).toBe(200)
    for (const table of ['origins', 'routes', 'residency_rules']) {
      const row = await env.CONFIG_DB.prepare(
        `SELECT count(*) AS n FROM ${table} WHERE zone = 'doomed'`
      ).first<{ n: number }>()
      expect(row?.n, table).toBe(0)
    }
  })
})

describe('records under a zone', () => {
  beforeAll(async () => {
    await zone('records')
    await admin('PUT', '/zones/records/origins/main', { body: { kind: 'http', url: originUrl } })
    // The r2 origin below names ORIGIN_BUCKET: the operator grants it to the zone first.
    const granted = await admin('PUT', '/zones/records/grants/buckets/ORIGIN_BUCKET')
    if (granted.status !== 201) throw new Error(`grant: ${JSON.stringify(granted.body)}`)
  })

  it.for([
    {
      collection: 'origins',
      create: { kind: 'http', url: 'http://127.0.0.1:9000' },
      replace: { kind: 'r2', binding: 'ORIGIN_BUCKET' },
      stored: { kind: 'r2', binding: 'ORIGIN_BUCKET', prefix: '' },
    },
    {
      collection: 'routes',
      create: { pathPrefix: '/a/', origin: 'main' },
      replace: { pathPrefix: '/b/', origin: 'main', bypass: true },
      stored: { pathPrefix: '/b/', origin: 'main', bypass: true, allowSetCookie: false },
    },
    {
      collection: 'residency-rules',
      create: { pathPrefix: '/eu/', region: 'eu', mode: 'serve-in-region' },
      replace: { tag: 'gdpr', region: 'eu', mode: 'cache-in-region' },
      stored: { tag: 'gdpr', region: 'eu', mode: 'cache-in-region' },
    },
  ])('round-trips $collection: create, read, list, replace, delete', async (row, { expect }) => {
    const path = `/zones/records/${row.collection}/x1`
    const created = await admin('PUT', path, { body: row.create })
    expect(created.status).toBe(201)
    const replaced = await admin('PUT', path, { body: row.replace })
    expect(replaced.status).toBe(200)
    expect(replaced.body.result).toMatchObject({ name: 'x1', spec: row.stored })
    const read = await admin('GET', path)
    expect(read.body.result).toMatchObject({ name: 'x1', spec: row.stored })
    const list = await admin<{ name: string }[]>('GET', `/zones/records/${row.collection}`)
    expect(list.body.result?.map((r) => r.name)).toContain('x1')
    expect((await admin('DELETE', path)).status).toBe(200)
    expect((await admin('GET', path)).status).toBe(404)
    expect((await admin('DELETE', path)).status).toBe(404)
  })

  it.for([
    {
      collection: 'routes',
      body: { pathPrefix: 'static/', origin: 'main' },
      message: 'routes.pathPrefix: must start with /',
    },
    {
      collection: 'residency-rules',
      body: { region: 'eu', mode: 'serve-in-region' },
      message: 'residency-rules.pathPrefix: pathPrefix or tag is required',
    },
    {
      collection: 'residency-rules',
      body: { tag: 'caf\u00e9', region: 'eu', mode: 'cache-in-region' },
      message: 'residency-rules.tag: printable ASCII only',
    },
    {
      collection: 'residency-rules',
      body: { tag: 't'.repeat(1025), region: 'eu', mode: 'cache-in-region' },
      message: 'residency-rules.tag: Too big: expected string to have <=1024 characters',
    },
    {
      collection: 'origins',
      body: { kind: 'http', url: 'https://user:pass@origin.test/' },
      message: 'origins.url: must not carry credentials: reference a Worker secret by name instead',
    },
  ])('answers 400 with "$message"', async (row, { expect }) => {
    const res = await admin('PUT', `/zones/records/${row.collection}/bad`, { body: row.body })
    expect(res.status).toBe(400)
    expect(res.body.success).toBe(false)
    expect(res.body.errors).toContainEqual({ code: 'invalid_body', message: row.message })
  })

  it('names every invalid field, with its path', async ({ expect }) => {
    const res = await admin('PUT', '/zones/records/residency-rules/bad', {
      body: { pathPrefix: '/x', region: 'mars', mode: 'nowhere' },
    })
    expect(res.status).toBe(400)
    expect(messages(res).map((m) => m.split(':')[0])).toEqual([
      'residency-rules.region',
      'residency-rules.mode',
    ])
  })

  it('answers 400 for malformed JSON and for an invalid record name', async ({ expect }) => {
    const malformed = await admin('PUT', '/zones/records/routes/r', { body: '{"origin": "main",' })
    expect(malformed.status).toBe(400)
    expect(malformed.body.errors).toEqual([
      { code: 'malformed_json', message: 'request body is not valid JSON' },
    ])
    const badName = await admin('PUT', '/zones/records/routes/Not_Valid', {
      body: { origin: 'main' },
    })
    expect(badName.status).toBe(400)
    expect(messages(badName)[0]).toMatch(/^routes\.name: /)
  })

  it('refuses a route to an origin the zone does not have', async ({ expect }) => {
    const res = await admin('PUT', '/zones/records/routes/r', { body: { origin: 'ghost' } })
    expect(res.status).toBe(409)
    expect(res.body.errors).toEqual([
      {
        code: 'unknown_origin',
        message: 'route records/r: origin ghost does not exist in zone records: create it first',
      },
    ])
  })

  it('refuses to delete an origin a route still uses', async ({ expect }) => {
    await admin('PUT', '/zones/records/routes/uses-main', { body: { origin: 'main' } })
    const res = await admin('DELETE', '/zones/records/origins/main')
    expect(res.status).toBe(409)
    expect(res.body.errors[0]?.code).toBe('origin_in_use')
    expect(messages(res)[0]).toContain('uses-main')
  })

  it('stores and returns no secret value: unknown fields are dropped', async ({ expect }) => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
    const res = await admin('PUT', '/zones/records/origins/leaky', {
      body: { kind: 'http', url: originUrl, secretAccessKey: secret },
    })
    expect(res.status).toBe(201)
    expect(JSON.stringify(res.body)).not.toContain(secret)
    const rows = await db.select().from(originsTable)
    expect(JSON.stringify(rows)).not.toContain(secret)
    const audit = await db.select().from(auditLogTable)
    expect(JSON.stringify(audit)).not.toContain(secret)
  })
})

describe('authentication and scopes', () => {
  beforeAll(async () => {
    await zone('auth-a')
    await zone('auth-b')
  })

  it('answers 503 admin_disabled when ADMIN_TOKEN is unset, whatever the token', async ({
    expect,
  }) => {
    for (const secret of [undefined, '']) {
      const ctx = createExecutionContext()
      const res = await app.request(
        '/_admin/zones',
        { headers: { authorization: 'Bearer anything', 'cf-connecting-ip': freshIp() } },
        { ...env, ADMIN_TOKEN: secret },
        ctx
      )
      await waitOnExecutionContext(ctx)
      expect(res.status).toBe(503)
      expect(await res.json()).toMatchObject({
        success: false,
        errors: [{ code: 'admin_disabled' }],
      })
    }
  })

  it.for([
    { case: 'no Authorization field', token: () => null, invalid: false },
    { case: 'a wrong token', token: () => 'ecdn_wrong', invalid: true },
    {
      case: 'the bootstrap token and a byte more',
      token: () => `${bootstrapToken()}x`,
      invalid: true,
    },
  ])('answers 401 with WWW-Authenticate for $case', async (row, { expect }) => {
    const res = await admin('GET', '/zones', { token: row.token(), ip: freshIp() })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(
      row.invalid
        ? 'Bearer realm="edge-cdn admin", error="invalid_token"'
        : 'Bearer realm="edge-cdn admin"'
    )
    expect(res.body.errors[0]?.code).toBe('unauthorized')
  })

  it('answers 401 to a scheme other than Bearer', async ({ expect }) => {
    const res = await admin('GET', '/zones', {
      token: null,
      ip: freshIp(),
      headers: { authorization: `Basic ${btoa(`admin:${bootstrapToken()}`)}` },
    })
    expect(res.status).toBe(401)
  })

  it('shows a token once and stores only its SHA-256', async ({ expect }) => {
    const res = await token('auth-a', { scopes: ['config:read'], description: 'ci' })
    expect(res.status).toBe(201)
    const created = res.body.result
    expect(created?.token).toMatch(/^ecdn_[A-Za-z0-9_-]{43}$/)
    expect(created).toMatchObject({ scopes: ['config:read'], zones: ['auth-a'] })
    if (!created) return

    const rows = await db.select().from(apiTokensTable)
    const row = rows.find((r) => r.id === created.id)
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(created.token))
    const expected = btoa(String.fromCharCode(...new Uint8Array(digest)))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '')
    expect(row?.hash).toBe(expected)
    expect(JSON.stringify(rows)).not.toContain(created.token)

    const list = await admin<object[]>('GET', '/zones/auth-a/tokens')
    const listed = list.body.result?.find((t) => Reflect.get(t, 'id') === created.id)
    expect(listed).toMatchObject({ id: created.id, description: 'ci' })
    expect(Object.keys(listed ?? {})).not.toContain('token')
    expect(Object.keys(listed ?? {})).not.toContain('hash')
    expect(JSON.stringify(list.body)).not.toContain(created.token)
  })

  it('lets a token read but not write when it holds only config:read', async ({ expect }) => {
    const reader = await tokenValue('auth-a', ['config:read'])
    expect((await admin('GET', '/zones/auth-a', { token: reader })).status).toBe(200)
    const write = await admin('PUT', '/zones/auth-a', {
      token: reader,
      body: { hosts: ['auth-a.admin.test'] },
    })
    expect(write.status).toBe(403)
    expect(write.body.errors[0]?.code).toBe('forbidden')
    expect(messages(write)[0]).toMatch(/lacks config:write on zone auth-a$/)
  })

  it.for([
    ['GET', '/zones/auth-b', ['config:read', 'config:write']],
    ['PUT', '/zones/auth-b/origins/o', ['config:write']],
    ['GET', '/zones/auth-a/origins', ['purge']],
    ['DELETE', '/zones/auth-a/routes/r', ['config:read', 'purge']],
  ] as const)(
    'answers 403 to %s %s for a token scoped %j on auth-a',
    async ([method, path, scopes], { expect }) => {
      const t = await tokenValue('auth-a', [...scopes])
      const res = await admin(method, path, {
        token: t,
        body: method === 'PUT' ? { kind: 'http', url: originUrl } : undefined,
      })
      expect(res.status).toBe(403)
    }
  )

  it('lists only the zones a token may read', async ({ expect }) => {
    const t = await tokenValue('auth-b', ['config:read'])
    const res = await admin<{ name: string }[]>('GET', '/zones', { token: t })
    expect(res.body.result?.map((z) => z.name)).toEqual(['auth-b'])
  })

  it('grants nothing the creating token does not hold', async ({ expect }) => {
    const writer = await tokenValue('auth-a', ['config:read', 'config:write'])
    const otherZone = await token('auth-a', { scopes: ['config:read'], zones: ['auth-b'] }, writer)
    expect(otherZone.status).toBe(403)
    const purge = await token('auth-a', { scopes: ['purge'] }, writer)
    expect(purge.status).toBe(403)
    const same = await token('auth-a', { scopes: ['config:read'] }, writer)
    expect(same.status).toBe(201)
  })

  it('revokes a token: it stops working and leaves the list', async ({ expect }) => {
    const created = await token('auth-a', { scopes: ['config:read'] })
    const t = created.body.result
    if (!t) throw new Error('no token')
    expect((await admin('GET', '/zones/auth-a', { token: t.token })).status).toBe(200)
    const revoked = await admin('DELETE', `/zones/auth-a/tokens/${t.id}`)
    expect(revoked.status).toBe(200)
    expect(revoked.body.result).toMatchObject({ id: t.id, revokedAt: expect.any(String) })
    const after = await admin('GET', '/zones/auth-a', { token: t.token, ip: freshIp() })
    expect(after.status).toBe(401)
    const list = await admin<{ id: string }[]>('GET', '/zones/auth-a/tokens')
    expect(list.body.result?.map((x) => x.id)).not.toContain(t.id)
    expect((await admin('DELETE', `/zones/auth-a/tokens/${t.id}`)).status).toBe(404)
  })

  it('answers 400 naming the field for a token with an unknown scope', async ({ expect }) => {
    const res = await token('auth-a', { scopes: ['everything'] })
    expect(res.status).toBe(400)
    expect(messages(res)[0]).toMatch(/^tokens\.scopes\.0: /)
  })

  it('rate-limits failed attempts per client IP with 429 and Retry-After', async ({ expect }) => {
    const ip = freshIp()
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      statuses.push((await admin('GET', '/zones', { token: 'ecdn_guess', ip })).status)
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429])
    const limited = await admin('GET', '/zones', { token: 'ecdn_guess', ip })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(limited.body.errors[0]?.code).toBe('rate_limited')
    // While limited, even the right token is refused: otherwise guessing would go on.
    expect((await admin('GET', '/zones', { ip })).status).toBe(429)
    // Other clients are unaffected.
    expect((await admin('GET', '/zones', { ip: freshIp() })).status).toBe(200)
  })

  it('answers unknown admin paths with a 404 envelope, not content', async ({ expect }) => {
    for (const path of ['', '/', '/nothing-here']) {
      const res = await admin('GET', path)
      expect(res.status, path).toBe(404)
      expect(res.body).toMatchObject({ success: false, errors: [{ code: 'not_found' }] })
    }
  })
})

describe('audit log', () => {
  it('records who changed what and when, newest first, without token values', async ({
    expect,
  }) => {
    const before = Date.now()
    await zone('audited')
    await admin('PUT', '/zones/audited/origins/o', { body: { kind: 'http', url: originUrl } })
    await admin('PUT', '/zones/audited/routes/r', { body: { pathPrefix: 'nope' } }) // 400: no row
    const created = await token('audited', { scopes: ['config:read', 'config:write'] })
    const t = created.body.result
    if (!t) throw new Error('no token')
    await admin('DELETE', '/zones/audited/origins/o', { token: t.token })

    const res = await admin<
      { actor: string; method: string; path: string; summary: unknown; at: string }[]
    >('GET', '/audit?zone=audited')
    const entries = res.body.result ?? []
    expect(entries.map((e) => [e.actor, e.method, e.path])).toEqual([
      [t.id, 'DELETE', '/_admin/zones/audited/origins/o'],
      ['bootstrap', 'POST', '/_admin/zones/audited/tokens'],
      ['bootstrap', 'PUT', '/_admin/zones/audited/origins/o'],
      ['bootstrap', 'PUT', '/_admin/zones/audited'],
    ])
    expect(entries[2]?.summary).toEqual({
      change: 'create',
      kind: 'origin',
      name: 'o',
      spec: { kind: 'http', url: originUrl },
    })
    expect(entries[1]?.summary).toMatchObject({ kind: 'token', id: t.id })
    expect(JSON.stringify(entries)).not.toContain(t.token)
    expect(entries.every((e) => Date.parse(e.at) >= before - 1000)).toBe(true)

    // A reader of another zone may not read this zone's log.
    const other = await tokenValue('records', ['config:read'])
    expect((await admin('GET', '/audit?zone=audited', { token: other })).status).toBe(403)
    const own = await admin<{ zone: string }[]>('GET', '/audit', { token: other })
    expect(own.body.result?.every((e) => e.zone === 'records')).toBe(true)
  })
})

describe('the edge serves what the API configures', () => {
  function edge(url: string) {
    return exports.default.fetch(new Request(url, { cf: FRA } as RequestInit))
  }

  it('serves a zone created through the API, and stops when it is deleted', async ({ expect }) => {
    expect((await edge('https://live.admin.test/page')).status).toBe(404)
    await zone('live', ['live.admin.test'])
    await admin('PUT', '/zones/live/origins/web', { body: { kind: 'http', url: originUrl } })
    await admin('PUT', '/zones/live/routes/all', { body: { pathPrefix: '/', origin: 'web' } })
    // CONFIG_TTL_MS is 0 in tests: the refresh bound is the next request.
    const served = await edge('https://live.admin.test/page')
    expect(served.status).toBe(200)
    expect(await served.text()).toBe('origin body for /page')

    await admin('DELETE', '/zones/live')
    const gone = await edge('https://live.admin.test/page')
    expect(gone.status).toBe(404)
    expect(await gone.json()).toMatchObject({ error: { code: 'no_zone' } })
  })

  it('puts residency rules into the edge config snapshot', async ({ expect }) => {
    await zone('resident')
    const spec = { pathPrefix: '/eu/', region: 'eu', mode: 'serve-in-region' }
    await admin('PUT', '/zones/resident/residency-rules/eu-only', { body: spec })
    const config = await configSnapshot(
      { db: env.CONFIG_DB, proxyOriginUrl: '', ttlMs: 0 },
      Date.now()
    )
    const resident = config.zones.find((z) => z.name === 'resident')
    expect(resident?.residencyRules).toEqual([{ name: 'eu-only', spec }])
  })
})
