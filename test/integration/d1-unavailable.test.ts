/**
 * D1 down. An outage cannot be produced inside workerd, so it is simulated at the binding: the
 * Worker's own fetch handler runs with a CONFIG_DB whose queries reject as the D1 binding's do
 * (`D1_ERROR: Network connection lost.`). The edge keeps serving from its config snapshot and its
 * caches, answers 503 config_unavailable only when it never loaded config, and picks up new
 * config once D1 is back. The admin API answers 503 config_store_unavailable and writes nothing.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, beforeEach, describe, inject, it } from 'vitest'
import type { ApiEnvelope } from '../../schemas/api/admin'
import { resetConfigSnapshot } from '../../workers/config/snapshot'
import { createWorker } from '../../workers/index'
import { bootstrapToken } from '../support/admin'
import { ManualClock } from '../support/clock'
import { putZone } from '../support/config'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
const OUTAGE = 'D1_ERROR: Network connection lost.'

/** The Worker under test keeps time by this clock: the config TTL passes when a test says so. */
const clock = new ManualClock(Date.now())
const app = createWorker({ clock })

/** A D1 binding in an outage: statements prepare (the real ones do so lazily), queries reject. */
class DownD1 implements D1Database {
  /** Queries the Worker attempted. */
  attempts = 0

  prepare(): D1PreparedStatement {
    return new DownStatement(this)
  }
  batch(): Promise<never> {
    return this.fail()
  }
  exec(): Promise<never> {
    return this.fail()
  }
  dump(): Promise<never> {
    return this.fail()
  }
  withSession(): D1DatabaseSession {
    return { prepare: () => this.prepare(), batch: () => this.fail(), getBookmark: () => null }
  }
  fail(): Promise<never> {
    this.attempts++
    return Promise.reject(new Error(OUTAGE))
  }
}

class DownStatement implements D1PreparedStatement {
  readonly #db: DownD1
  constructor(db: DownD1) {
    this.#db = db
  }
  bind(): D1PreparedStatement {
    return this
  }
  first(): Promise<never> {
    return this.#db.fail()
  }
  run(): Promise<never> {
    return this.#db.fail()
  }
  all(): Promise<never> {
    return this.#db.fail()
  }
  raw(): Promise<never> {
    return this.#db.fail()
  }
}

/** The real D1 for reads; the commit (every admin write is one batch) fails as in an outage. */
class CommitFailsD1 implements D1Database {
  batches = 0
  prepare(query: string): D1PreparedStatement {
    return env.CONFIG_DB.prepare(query)
  }
  batch(): Promise<never> {
    this.batches++
    return Promise.reject(new Error(OUTAGE))
  }
  exec(): Promise<never> {
    return Promise.reject(new Error(OUTAGE))
  }
  dump(): Promise<never> {
    return Promise.reject(new Error(OUTAGE))
  }
  withSession(): D1DatabaseSession {
    return env.CONFIG_DB.withSession()
  }
}

/** Calls the Worker's fetch handler as the runtime would, with `overrides` in its env. */
async function worker(request: Request, overrides: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext()
  const res = await app.fetch(request, { ...env, ...overrides }, ctx)
  // Read the body before the background work (cache stores) is awaited, as a client would.
  const body = await res.arrayBuffer()
  await waitOnExecutionContext(ctx)
  return new Response(body, res)
}

function content(url: string, overrides: Partial<Env> = {}): Promise<Response> {
  return worker(new Request(url, { cf: FRA } as RequestInit), overrides)
}

async function adminCall(
  db: D1Database,
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {}
) {
  const headers = new Headers({
    authorization: `Bearer ${options.token ?? bootstrapToken()}`,
    'cf-connecting-ip': '192.0.2.88',
  })
  if (options.body !== undefined) headers.set('content-type', 'application/json')
  const res = await worker(
    new Request(`https://admin.test/_admin${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    { CONFIG_DB: db }
  )
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as ApiEnvelope<unknown>,
  }
}

async function count(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.CONFIG_DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>()
  return row?.n ?? -1
}

const UNAVAILABLE = {
  success: false,
  errors: [{ code: 'config_store_unavailable', message: 'configuration store unavailable' }],
  messages: [],
  result: null,
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'd1-down',
    hosts: ['d1-down.test'],
    origin: { kind: 'http', url: originUrl },
  })
})

// Each test starts as a fresh isolate would: with no config snapshot.
beforeEach(() => resetConfigSnapshot())

describe('the edge with D1 down', () => {
  it('keeps serving content, cached and fetched, from the snapshot it loaded before', async ({
    expect,
  }) => {
    const warmed = await content('https://d1-down.test/d1-outage/warm.css')
    expect(warmed.status).toBe(200)

    const d1 = new DownD1()
    const cached = await content('https://d1-down.test/d1-outage/warm.css', { CONFIG_DB: d1 })
    expect(cached.status).toBe(200)
    expect(await cached.text()).toBe('origin body for /d1-outage/warm.css')
    expect(cached.headers.get('cache-status')).toMatch(/^edge-l1; hit/)
    expect(await origin.hits('/d1-outage/warm.css')).toHaveLength(1)

    const fetched = await content('https://d1-down.test/d1-outage/cold.css', { CONFIG_DB: d1 })
    expect(fetched.status).toBe(200)
    expect(await fetched.text()).toBe('origin body for /d1-outage/cold.css')
    expect(await origin.hits('/d1-outage/cold.css')).toHaveLength(1)
    // CONFIG_TTL_MS is 0 in tests: each request tried to refresh, failed, and served anyway.
    expect(d1.attempts).toBeGreaterThanOrEqual(2)
  })

  it('answers 503 config_unavailable while it has never loaded config, then recovers', async ({
    expect,
  }) => {
    const d1 = new DownD1()
    for (let i = 0; i < 2; i++) {
      const res = await content('https://d1-down.test/d1-outage/never.css', { CONFIG_DB: d1 })
      expect(res.status).toBe(503)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(await res.json()).toEqual({
        error: { code: 'config_unavailable', message: 'configuration is not available' },
      })
    }
    expect(d1.attempts).toBeGreaterThanOrEqual(2)
    expect(await origin.hits('/d1-outage/never.css')).toHaveLength(0)

    const back = await content('https://d1-down.test/d1-outage/never.css')
    expect(back.status).toBe(200)
    expect(await back.text()).toBe('origin body for /d1-outage/never.css')
  })

  it('picks up config changed during the outage on the first request after the TTL once D1 is back', async ({
    expect,
  }) => {
    const ttl = { CONFIG_TTL_MS: '1000' }
    expect((await content('https://d1-down.test/d1-outage/ttl.css', ttl)).status).toBe(200)
    // Written while the Worker cannot see D1.
    await putZone(env.CONFIG_DB, {
      name: 'd1-back',
      hosts: ['d1-back.test'],
      origin: { kind: 'http', url: originUrl },
    })
    const d1 = new DownD1()
    const down = { ...ttl, CONFIG_DB: d1 }

    const withinTtl = await content('https://d1-back.test/d1-outage/new-zone.css', down)
    expect(withinTtl.status).toBe(404)
    expect(d1.attempts).toBe(0)
    clock.advance(1100) // past CONFIG_TTL_MS
    const refreshFailed = await content('https://d1-back.test/d1-outage/new-zone.css', down)
    expect(refreshFailed.status).toBe(404)
    expect(await refreshFailed.json()).toMatchObject({ error: { code: 'no_zone' } })
    expect(d1.attempts).toBeGreaterThan(0)
    // The old zone is still served from the previous snapshot.
    expect((await content('https://d1-down.test/d1-outage/ttl.css', down)).status).toBe(200)

    const recovered = await content('https://d1-back.test/d1-outage/new-zone.css', ttl)
    expect(recovered.status).toBe(200)
    expect(await recovered.text()).toBe('origin body for /d1-outage/new-zone.css')
  })
})

describe('the admin API with D1 down', () => {
  it.for([
    ['GET', '/zones'],
    ['GET', '/zones/d1-down'],
    ['GET', '/zones/d1-down/origins'],
    ['GET', '/zones/d1-down/tokens'],
    ['GET', '/audit'],
  ] as const)(
    'answers %s %s with 503 config_store_unavailable',
    async ([method, path], { expect }) => {
      const d1 = new DownD1()
      const res = await adminCall(d1, method, path)
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('1')
      expect(res.body).toEqual(UNAVAILABLE)
      expect(d1.attempts).toBeGreaterThan(0)
    }
  )

  it('refuses every kind of write with 503 and writes nothing', async ({ expect }) => {
    const auditBefore = await count('SELECT count(*) AS n FROM audit_log')
    const tokensBefore = await count('SELECT count(*) AS n FROM api_tokens')
    const d1 = new DownD1()
    const writes: [string, string, unknown][] = [
      ['PUT', '/zones/d1-new', { hosts: ['d1-new.test'] }],
      ['PUT', '/zones/d1-down/origins/more', { kind: 'http', url: originUrl }],
      ['PUT', '/zones/d1-down/routes/more', { origin: 'main' }],
      ['POST', '/zones/d1-down/tokens', { scopes: ['config:read'] }],
      ['POST', '/zones/d1-down/purge_cache', { tags: ['t'] }],
      ['DELETE', '/zones/d1-down', undefined],
    ]
    for (const [method, path, body] of writes) {
      const res = await adminCall(d1, method, path, { body })
      expect(res.status, `${method} ${path}`).toBe(503)
      expect(res.body, `${method} ${path}`).toEqual(UNAVAILABLE)
    }
    expect(await count(`SELECT count(*) AS n FROM zones WHERE name = 'd1-new'`)).toBe(0)
    expect(await count(`SELECT count(*) AS n FROM zones WHERE name = 'd1-down'`)).toBe(1)
    expect(await count(`SELECT count(*) AS n FROM origins WHERE name = 'more'`)).toBe(0)
    expect(await count(`SELECT count(*) AS n FROM routes WHERE name = 'more'`)).toBe(0)
    expect(await count('SELECT count(*) AS n FROM api_tokens')).toBe(tokensBefore)
    expect(await count('SELECT count(*) AS n FROM audit_log')).toBe(auditBefore)
  })

  it('writes neither the change nor its audit row when D1 fails at the commit', async ({
    expect,
  }) => {
    const auditBefore = await count('SELECT count(*) AS n FROM audit_log')
    const d1 = new CommitFailsD1()
    const created = await adminCall(d1, 'PUT', '/zones/d1-half', { body: { hosts: ['half.test'] } })
    const replaced = await adminCall(d1, 'PUT', '/zones/d1-down', {
      body: { hosts: ['elsewhere.test'] },
    })
    for (const res of [created, replaced]) {
      expect(res.status).toBe(503)
      expect(res.body).toEqual(UNAVAILABLE)
    }
    // The reads before each commit went through: only the commits failed.
    expect(d1.batches).toBe(2)
    expect(await count(`SELECT count(*) AS n FROM zones WHERE name = 'd1-half'`)).toBe(0)
    const hosts = await env.CONFIG_DB.prepare(`SELECT hosts FROM zones WHERE name = 'd1-down'`)
      .first<{ hosts: string }>()
      .then((row) => row?.hosts)
    expect(hosts).toBe(JSON.stringify(['d1-down.test']))
    expect(await count('SELECT count(*) AS n FROM audit_log')).toBe(auditBefore)
  })

  it('answers 503, not 401, to an API token it cannot look up', async ({ expect }) => {
    const created = await adminCall(env.CONFIG_DB, 'POST', '/zones/d1-down/tokens', {
      body: { scopes: ['config:read'] },
    })
    const token = Reflect.get(created.body.result ?? {}, 'token')
    expect(token).toEqual(expect.stringMatching(/^ecdn_/))
    const res = await adminCall(new DownD1(), 'GET', '/zones/d1-down', { token: String(token) })
    expect(res.status).toBe(503)
    expect(res.body).toEqual(UNAVAILABLE)
    expect(
      (await adminCall(env.CONFIG_DB, 'GET', '/zones/d1-down', { token: String(token) })).status
    ).toBe(200)
  })
})
