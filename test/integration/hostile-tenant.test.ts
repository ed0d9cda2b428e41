/**
 * A zone's owner holding a zone-scoped token tries to reach beyond the zone. Every attempt is
 * refused with the right status, leaves no trace in the other zone, and — where the attack aims
 * at sending a secret out — an attacker's server on loopback receives nothing.
 * @see https://github.com/edge-cdn/edge-cdn/issues/13
 */
import { env, exports } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { beforeAll, describe, inject, it } from 'vitest'
import { grantsTable, originsTable, routesTable } from '../../schemas/config/tables'
import { resetConfigSnapshot } from '../../workers/config/snapshot'
import { type AdminAnswer, admin, bootstrapToken } from '../support/admin'
import { ManualClock } from '../support/clock'
import { clockedWorker } from '../support/clocked-worker'
import type { OriginHit } from '../support/origin'
import { originControl } from '../support/origin-control'

const originUrl = inject('originUrl')
const db = drizzle(env.CONFIG_DB)

/** Every value the Worker holds that must never leave it. */
function secretValues(): string[] {
  const names = ['ADMIN_TOKEN', 'S3_TEST_KEY', 'S3_TEST_SECRET']
  return names.flatMap((name) => {
    const value: unknown = Reflect.get(env, name)
    return typeof value === 'string' && value !== '' ? [value] : []
  })
}

/** A loopback server standing in for the attacker's: it records everything it receives. */
async function attackerServer(): Promise<{ url: string; hits(): Promise<OriginHit[]> }> {
  return originControl(originUrl).proxy(originUrl)
}

function leaked(hits: OriginHit[]): string[] {
  const seen = JSON.stringify(hits)
  return secretValues().filter((value) => seen.includes(value))
}

async function put(path: string, body: unknown, token?: string): Promise<AdminAnswer> {
  return admin('PUT', path, { body, token })
}

async function ok(answer: Promise<AdminAnswer>): Promise<AdminAnswer> {
  const res = await answer
  if (res.status >= 300) throw new Error(`setup: ${res.status} ${JSON.stringify(res.body)}`)
  return res
}

let tenant: string
let tenantPurge: string
let victimTokenId: string

beforeAll(async () => {
  await ok(put('/zones/victim', { hosts: ['victim.hostile.test'] }))
  await ok(put('/zones/victim/origins/main', { kind: 'http', url: originUrl }))
  await ok(put('/zones/victim/routes/all', { pathPrefix: '/', origin: 'main' }))
  await ok(put('/zones/victim/grants/secrets/S3_TEST_KEY', undefined))
  await ok(put('/zones/victim/grants/secrets/S3_TEST_SECRET', undefined))
  await ok(put('/zones/tenant', { hosts: ['tenant.hostile.test'] }))
  const made = await ok(
    admin('POST', '/zones/tenant/tokens', { body: { scopes: ['config:read', 'config:write'] } })
  )
  tenant = (made.body.result as { token: string }).token
  const purger = await ok(admin('POST', '/zones/tenant/tokens', { body: { scopes: ['purge'] } }))
  tenantPurge = (purger.body.result as { token: string }).token
  const victims = await ok(
    admin('POST', '/zones/victim/tokens', { body: { scopes: ['config:read'] } })
  )
  victimTokenId = (victims.body.result as { id: string }).id
})

describe('secret and binding exfiltration', () => {
  it.for([
    ['the bootstrap token as S3 key id', 'ADMIN_TOKEN', 'origins.accessKeyIdSecret'],
    ['a secret granted to another zone', 'S3_TEST_KEY', 'origins.accessKeyIdSecret'],
    ['a secret no one was granted', 'CONFIG_TTL_MS', 'origins.accessKeyIdSecret'],
  ] as const)(
    'refuses an S3 origin naming %s, and the attacker receives nothing',
    async ([, secret, field], { expect }) => {
      const attacker = await attackerServer()
      const res = await put(
        '/zones/tenant/origins/steal',
        {
          kind: 's3',
          bucket: 'loot',
          region: 'us-east-1',
          endpoint: attacker.url,
          forcePathStyle: true,
          accessKeyIdSecret: secret,
          secretAccessKeySecret: 'S3_TEST_SECRET',
        },
        tenant
      )
      expect(res.status).toBe(403)
      expect(res.body.errors[0]).toMatchObject({ code: 'not_granted' })
      expect(res.body.errors[0]?.message).toContain(field)
      expect(await db.select().from(originsTable)).not.toContainEqual(
        expect.objectContaining({ zone: 'tenant', name: 'steal' })
      )
      // The route to it cannot exist either: the origin does not.
      const route = await put(
        '/zones/tenant/routes/all',
        { pathPrefix: '/', origin: 'steal' },
        tenant
      )
      expect(route.status).toBe(409)
      await exports.default.fetch('https://tenant.hostile.test/anything')
      expect(await attacker.hits()).toEqual([])
    }
  )

  it.for(['TIER_BUCKET', 'CONFIG_DB', 'CACHE_TIER', 'ORIGIN_BUCKET'])(
    'refuses an R2 origin on %s, which the zone was not granted',
    async (binding, { expect }) => {
      const res = await put('/zones/tenant/origins/r2', { kind: 'r2', binding }, tenant)
      expect(res.status).toBe(403)
      expect(res.body.errors[0]?.message).toBe(
        `origins.binding: zone tenant was not granted the bucket ${binding}`
      )
    }
  )

  it.for([
    [
      'a signing key it was not granted',
      { signing: { keys: [{ id: 'k', secret: 'ADMIN_TOKEN' }] } },
      'origins.signing.keys.0.secret',
    ],
    [
      'a certificate binding it was not granted',
      { mtlsCertificate: 'CONFIG_DB' },
      'origins.mtlsCertificate',
    ],
  ] as const)('refuses an HTTP origin naming %s', async ([, extra, field], { expect }) => {
    const attacker = await attackerServer()
    const res = await put(
      '/zones/tenant/origins/signed',
      { kind: 'http', url: attacker.url, ...extra },
      tenant
    )
    expect(res.status).toBe(403)
    expect(res.body.errors[0]?.message).toContain(`${field}: zone tenant was not granted`)
    expect(await attacker.hits()).toEqual([])
  })

  it('audits a refused reference, naming the field and never a value', async ({ expect }) => {
    await put(
      '/zones/tenant/origins/audited',
      { kind: 'r2', binding: 'ORIGIN_BUCKET', regions: { eu: { binding: 'TIER_BUCKET' } } },
      tenant
    )
    const audit = await admin<{ summary: Record<string, unknown> }[]>('GET', '/audit?zone=tenant')
    const refused = audit.body.result?.find((e) => e.summary.name === 'audited')
    expect(refused?.summary).toMatchObject({
      change: 'refused',
      field: 'origins.binding',
      reason: 'not_granted',
      bucket: 'ORIGIN_BUCKET',
    })
    expect(
      leaked([{ method: '', url: '', headers: {}, body: JSON.stringify(audit.body) }])
    ).toEqual([])
  })

  it('lets only the bootstrap token grant, and never a platform binding', async ({ expect }) => {
    const byTenant = await put('/zones/tenant/grants/secrets/S3_TEST_KEY', undefined, tenant)
    expect(byTenant.status).toBe(403)
    const platform = await put('/zones/tenant/grants/secrets/ADMIN_TOKEN', undefined)
    expect(platform.status).toBe(403)
    expect(platform.body.errors[0]?.code).toBe('platform_binding')
    const tier = await put('/zones/tenant/grants/buckets/TIER_BUCKET', undefined)
    expect(tier.status).toBe(403)
    const undeclared = await put('/zones/tenant/grants/secrets/SOME_OTHER_SECRET', undefined)
    expect(undeclared.status).toBe(400)
    expect(undeclared.body.errors[0]?.code).toBe('not_allow_listed')
    const rows = await db.select().from(grantsTable)
    expect(rows.filter((g) => g.zone === 'tenant')).toEqual([])
  })

  it('resolves nothing for a record that names the admin token behind the API’s back', async ({
    expect,
  }) => {
    const attacker = await attackerServer()
    // Written straight into D1, as a compromised or careless operator tool might.
    await db.insert(routesTable).values({
      zone: 'tenant',
      name: 'direct',
      spec: { pathPrefix: '/direct/', origin: 'direct', bypass: false, tieredCache: true },
    })
    await db.insert(originsTable).values({
      zone: 'tenant',
      name: 'direct',
      spec: {
        kind: 's3',
        bucket: 'loot',
        region: 'us-east-1',
        endpoint: attacker.url,
        forcePathStyle: true,
        accessKeyIdSecret: 'ADMIN_TOKEN',
        secretAccessKeySecret: 'ADMIN_TOKEN',
      },
    })
    resetConfigSnapshot()
    try {
      for (const path of ['/direct/a', '/direct/b']) {
        const res = await exports.default.fetch(`https://tenant.hostile.test${path}`, {
          method: path.endsWith('b') ? 'POST' : 'GET',
        })
        expect(res.status).toBe(502)
        expect(await res.json()).toMatchObject({ error: { code: 'origin_not_granted' } })
      }
      expect(await attacker.hits()).toEqual([])
    } finally {
      await env.CONFIG_DB.prepare(
        "DELETE FROM routes WHERE zone = 'tenant' AND name = 'direct'"
      ).run()
      await env.CONFIG_DB.prepare(
        "DELETE FROM origins WHERE zone = 'tenant' AND name = 'direct'"
      ).run()
      resetConfigSnapshot()
    }
  })

  // The control signs with the S3 test secrets, bound only while the local S3 server runs
  // (test/vitest.config.ts); without it the S3 tests skip, and so does this one.
  const s3Secrets = typeof Reflect.get(env, 'S3_TEST_KEY') === 'string'
  it.skipIf(!s3Secrets)(
    'lets a granted secret through, signed requests reaching the endpoint',
    async ({ expect }) => {
      // The control: the same request with a grant is sent, so the refusals above are the grants'.
      const attacker = await attackerServer()
      await ok(put('/zones/tenant/grants/secrets/S3_TEST_KEY', undefined))
      await ok(put('/zones/tenant/grants/secrets/S3_TEST_SECRET', undefined))
      try {
        await ok(
          put(
            '/zones/tenant/origins/granted',
            {
              kind: 's3',
              bucket: 'granted',
              region: 'us-east-1',
              endpoint: attacker.url,
              forcePathStyle: true,
              accessKeyIdSecret: 'S3_TEST_KEY',
              secretAccessKeySecret: 'S3_TEST_SECRET',
            },
            tenant
          )
        )
        await ok(
          put(
            '/zones/tenant/routes/granted',
            { pathPrefix: '/granted/', origin: 'granted' },
            tenant
          )
        )
        resetConfigSnapshot()
        await exports.default.fetch('https://tenant.hostile.test/granted/object')
        expect((await attacker.hits()).length).toBeGreaterThan(0)
      } finally {
        await admin('DELETE', '/zones/tenant/routes/granted', { token: tenant })
        await admin('DELETE', '/zones/tenant/origins/granted', { token: tenant })
        await admin('DELETE', '/zones/tenant/grants/secrets/S3_TEST_KEY')
        await admin('DELETE', '/zones/tenant/grants/secrets/S3_TEST_SECRET')
        resetConfigSnapshot()
      }
    }
  )

  it('keeps a grant while an origin names it', async ({ expect }) => {
    await ok(put('/zones/tenant/grants/buckets/ORIGIN_BUCKET', undefined))
    await ok(put('/zones/tenant/origins/bucket', { kind: 'r2', binding: 'ORIGIN_BUCKET' }, tenant))
    const revoke = await admin('DELETE', '/zones/tenant/grants/buckets/ORIGIN_BUCKET')
    expect(revoke.status).toBe(409)
    expect(revoke.body.errors[0]?.code).toBe('grant_in_use')
    await ok(admin('DELETE', '/zones/tenant/origins/bucket', { token: tenant }))
    expect((await admin('DELETE', '/zones/tenant/grants/buckets/ORIGIN_BUCKET')).status).toBe(200)
  })
})

describe('host hijack', () => {
  it.for([
    ['a host of another zone', ['victim.hostile.test'], 409],
    ['the catch-all host', ['*'], 403],
  ] as const)('refuses claiming %s', async ([, hosts, status], { expect }) => {
    const res = await put('/zones/tenant', { hosts: ['tenant.hostile.test', ...hosts] }, tenant)
    expect(res.status).toBe(status)
    const zone = await admin<{ hosts: string[] }>('GET', '/zones/tenant')
    expect(zone.body.result?.hosts).toEqual(['tenant.hostile.test'])
    const served = await exports.default.fetch('https://victim.hostile.test/still-mine')
    expect(served.status).toBe(200)
  })

  it('refuses rewriting or deleting another zone', async ({ expect }) => {
    expect((await put('/zones/victim', { hosts: ['x.hostile.test'] }, tenant)).status).toBe(403)
    expect((await admin('DELETE', '/zones/victim', { token: tenant })).status).toBe(403)
    expect((await admin<{ hosts: string[] }>('GET', '/zones/victim')).body.result?.hosts).toEqual([
      'victim.hostile.test',
    ])
  })
})

describe('host capture by another spelling or a wider wildcard', () => {
  /** Routes everything of zone tenant to the attacker's server; gives tenant `extra` hosts. */
  async function trap(extra: readonly string[]) {
    const attacker = await attackerServer()
    await ok(put('/zones/tenant/origins/trap', { kind: 'http', url: attacker.url }, tenant))
    await ok(put('/zones/tenant/routes/trap', { pathPrefix: '/', origin: 'trap' }, tenant))
    const claim = await put('/zones/tenant', { hosts: ['tenant.hostile.test', ...extra] }, tenant)
    resetConfigSnapshot()
    return { attacker, claim }
  }

  async function untrap() {
    await ok(put('/zones/tenant', { hosts: ['tenant.hostile.test'] }))
    await ok(admin('DELETE', '/zones/tenant/routes/trap'))
    await ok(admin('DELETE', '/zones/tenant/origins/trap'))
    resetConfigSnapshot()
  }

  it('refuses another zone’s host with a trailing dot, and serves that spelling from its zone', async ({
    expect,
  }) => {
    const { attacker, claim } = await trap(['victim.hostile.test.'])
    try {
      expect(claim.status).toBe(409)
      expect(claim.body.errors[0]?.message).toBe(
        'host victim.hostile.test already belongs to zone victim'
      )
      const served = await exports.default.fetch('https://victim.hostile.test./dotted')
      expect(served.status).toBe(200)
      await served.arrayBuffer()
      expect(await attacker.hits()).toEqual([])
    } finally {
      await untrap()
    }
  })

  it('refuses another zone’s IDN host in punycode', async ({ expect }) => {
    await ok(put('/zones/idn-victim', { hosts: ['Bücher.hostile.test'] }))
    const zone = await admin<{ hosts: string[] }>('GET', '/zones/idn-victim')
    expect(zone.body.result?.hosts).toEqual(['xn--bcher-kva.hostile.test'])
    const { attacker, claim } = await trap(['xn--bcher-kva.hostile.test'])
    try {
      expect(claim.status).toBe(409)
      expect(await attacker.hits()).toEqual([])
    } finally {
      await untrap()
      await ok(admin('DELETE', '/zones/idn-victim'))
    }
  })

  it('gives a host to the longest wildcard, not to the zone that claimed one first', async ({
    expect,
  }) => {
    const { attacker, claim } = await trap(['*.hostile.test'])
    try {
      expect(claim.status).toBe(200)
      // Made after zone tenant: first in the table is not first served.
      await ok(put('/zones/shop', { hosts: ['*.shop.hostile.test'] }))
      await ok(put('/zones/shop/origins/main', { kind: 'http', url: originUrl }))
      await ok(put('/zones/shop/routes/all', { pathPrefix: '/', origin: 'main' }))
      resetConfigSnapshot()
      const served = await exports.default.fetch('https://www.shop.hostile.test/cart')
      expect(served.status).toBe(200)
      await served.arrayBuffer()
      expect(await attacker.hits()).toEqual([])
    } finally {
      await untrap()
      await ok(admin('DELETE', '/zones/shop'))
    }
  })

  it('ignores a host stored before hosts were canonical, which would now tie with another zone’s', async ({
    expect,
  }) => {
    const attacker = await attackerServer()
    // Written behind the API's back, as the API stored it before: first in the table.
    const now = Date.now()
    await env.CONFIG_DB.prepare(
      'INSERT INTO zones (rowid, name, hosts, created_at, updated_at) VALUES (-1, ?, ?, ?, ?)'
    )
      .bind('legacy', JSON.stringify(['victim.hostile.test.', 'legacy.hostile.test']), now, now)
      .run()
    try {
      await db.insert(originsTable).values({
        zone: 'legacy',
        name: 'o',
        spec: { kind: 'http', url: attacker.url },
        createdAt: new Date(now),
        updatedAt: new Date(now),
      })
      await db.insert(routesTable).values({
        zone: 'legacy',
        name: 'r',
        spec: { pathPrefix: '/', origin: 'o' },
        createdAt: new Date(now),
        updatedAt: new Date(now),
      })
      resetConfigSnapshot()
      const victim = await exports.default.fetch('https://victim.hostile.test/legacy-tie')
      await victim.arrayBuffer()
      const own = await exports.default.fetch('https://legacy.hostile.test/still-served')
      await own.arrayBuffer()
      expect(own.status).toBe(200)
      expect((await attacker.hits()).map((h) => h.url)).toEqual(['/still-served'])
    } finally {
      await admin('DELETE', '/zones/legacy')
      resetConfigSnapshot()
    }
  })

  it.for([
    ['a bare wildcard that would take every trailing-dot host', '*.'],
    ['a port', 'tenant.hostile.test:8443'],
    ['a URL', 'https://tenant.hostile.test/'],
    ['a space', 'tenant hostile.test'],
    ['an empty label', 'tenant..hostile.test'],
  ])('refuses a host with %s, naming the field', async ([, host], { expect }) => {
    const res = await put('/zones/tenant', { hosts: ['tenant.hostile.test', host] }, tenant)
    expect(res.status).toBe(400)
    expect(res.body.errors[0]?.message).toMatch(/^zones\.hosts\.1: a host name/)
    const zone = await admin<{ hosts: string[] }>('GET', '/zones/tenant')
    expect(zone.body.result?.hosts).toEqual(['tenant.hostile.test'])
  })
})

describe('cross-zone purge', () => {
  it('refuses purging another zone, or its host from this one', async ({ expect }) => {
    const other = await admin('POST', '/zones/victim/purge_cache', {
      body: { purge_everything: true },
      token: tenantPurge,
    })
    expect(other.status).toBe(403)
    const foreign = await admin('POST', '/zones/tenant/purge_cache', {
      body: { files: ['https://victim.hostile.test/a'] },
      token: tenantPurge,
    })
    expect(foreign.status).toBe(403)
    const hosts = await admin('POST', '/zones/tenant/purge_cache', {
      body: { hosts: ['victim.hostile.test'] },
      token: tenantPurge,
    })
    expect(hosts.status).toBe(403)
  })
})

describe('purge flood', () => {
  it('shares one purge budget among all tokens of a zone, however many it mints', async ({
    expect,
  }) => {
    // Time stands still: no budget comes back while the test runs.
    const worker = clockedWorker(new ManualClock(Date.now()))
    await ok(put('/zones/flood', { hosts: ['flood.hostile.test'] }))
    const minter = await ok(
      admin('POST', '/zones/flood/tokens', { body: { scopes: ['config:write', 'purge'] } })
    )
    const mint = async () => {
      const made = await ok(
        admin('POST', '/zones/flood/tokens', {
          body: { scopes: ['purge'] },
          token: (minter.body.result as { token: string }).token,
        })
      )
      return (made.body.result as { token: string }).token
    }
    const purge = (token: string) =>
      admin('POST', '/zones/flood/purge_cache', { body: { tags: ['t'] }, token, worker })
    const first = await mint()
    let purges = 0
    while ((await purge(first)).status === 200) purges++
    expect(purges).toBe(50)
    const fresh = await purge(await mint())
    expect(fresh.status).toBe(429)
    expect(fresh.body.errors[0]?.code).toBe('rate_limited')
    await ok(admin('DELETE', '/zones/flood'))
  }, 60_000)
})

describe('cross-zone reads', () => {
  it.for([
    '/zones/victim',
    '/zones/victim/origins',
    '/zones/victim/origins/main',
    '/zones/victim/routes',
    '/zones/victim/residency-rules',
    '/zones/victim/tokens',
    '/zones/victim/grants',
    '/zones/victim/origins/main/health',
    '/zones/victim/chaos',
    '/zones/victim/analytics',
    '/audit?zone=victim',
    '/metrics',
  ])('refuses GET %s', async (path, { expect }) => {
    const res = await fetchAdmin('GET', path, tenant)
    expect(res.status).toBe(403)
    expect(await res.text()).not.toContain('victim.hostile.test')
  })

  it('lists only its own zone and audit entries', async ({ expect }) => {
    const zones = await admin<{ name: string }[]>('GET', '/zones', { token: tenant })
    expect(zones.body.result?.map((z) => z.name)).toEqual(['tenant'])
    const audit = await admin<{ zone: string | null }[]>('GET', '/audit', { token: tenant })
    expect(audit.body.result?.length).toBeGreaterThan(0)
    expect(new Set(audit.body.result?.map((e) => e.zone))).toEqual(new Set(['tenant']))
  })
})

describe('scope escalation through token creation', () => {
  it.for([
    ['a scope it does not hold', '/zones/tenant/tokens', { scopes: ['purge'] }],
    [
      'its scopes on another zone',
      '/zones/tenant/tokens',
      { scopes: ['config:read'], zones: ['victim'] },
    ],
    ['a token of another zone', '/zones/victim/tokens', { scopes: ['config:read'] }],
    ['the chaos scope, which no token holds', '/zones/tenant/tokens', { scopes: ['chaos'] }],
  ] as const)('refuses granting %s', async ([, path, body], { expect }) => {
    const res = await admin('POST', path, { body, token: tenant })
    expect(res.status).toBe(403)
  })

  it('cannot revoke another zone’s token', async ({ expect }) => {
    const res = await admin('DELETE', `/zones/tenant/tokens/${victimTokenId}`, { token: tenant })
    expect(res.status).toBe(404)
    const list = await admin<{ id: string }[]>('GET', '/zones/victim/tokens')
    expect(list.body.result?.map((t) => t.id)).toContain(victimTokenId)
  })

  it('takes a token shared with another zone off its own zone only', async ({ expect }) => {
    const made = await ok(
      admin('POST', '/zones/victim/tokens', {
        body: { scopes: ['config:read'], zones: ['tenant', 'victim'] },
      })
    )
    const { id, token } = made.body.result as { id: string; token: string }
    // Listed without the other zone's name.
    const listed = await fetchAdmin('GET', '/zones/tenant/tokens', tenant)
    const text = await listed.text()
    expect(text).toContain(id)
    expect(text).not.toContain('victim')
    const res = await admin<{ zones: string[]; revokedAt: string | null }>(
      'DELETE',
      `/zones/tenant/tokens/${id}`,
      { token: tenant }
    )
    expect(res.status).toBe(200)
    expect(res.body.result).toMatchObject({ zones: [], revokedAt: null })
    expect((await admin('GET', '/zones/victim', { token })).status).toBe(200)
    expect((await admin('GET', '/zones/tenant', { token })).status).toBe(403)
    await ok(admin('DELETE', `/zones/victim/tokens/${id}`))
  })
})

describe('a zone deleted and made again', () => {
  it('does not answer to the tokens of the zone that was deleted', async ({ expect }) => {
    await ok(put('/zones/evicted', { hosts: ['evicted.hostile.test'] }))
    const own = await ok(
      admin('POST', '/zones/evicted/tokens', { body: { scopes: ['config:read', 'config:write'] } })
    )
    const shared = await ok(
      admin('POST', '/zones/evicted/tokens', {
        body: { scopes: ['config:read'], zones: ['evicted', 'tenant'] },
      })
    )
    const ownToken = (own.body.result as { token: string }).token
    const sharedToken = (shared.body.result as { token: string }).token
    await ok(admin('DELETE', '/zones/evicted'))

    // The evicted owner cannot make it again, nor can its token act anywhere.
    const remade = await put('/zones/evicted', { hosts: ['evicted.hostile.test'] }, ownToken)
    expect(remade.status).toBe(401)
    // A new owner's zone of the same name is not the old tokens' to read.
    await ok(put('/zones/evicted', { hosts: ['new-owner.hostile.test'] }))
    expect((await admin('GET', '/zones/evicted', { token: ownToken })).status).toBe(401)
    expect((await admin('GET', '/zones/evicted', { token: sharedToken })).status).toBe(403)
    // The token's other zone is untouched.
    expect((await admin('GET', '/zones/tenant', { token: sharedToken })).status).toBe(200)
    // Nor does the new owner read the old owner's history: its hosts, its tokens.
    const newOwner = await ok(
      admin('POST', '/zones/evicted/tokens', { body: { scopes: ['config:read'] } })
    )
    const newToken = (newOwner.body.result as { token: string }).token
    for (const path of ['/audit?zone=evicted', '/audit']) {
      const history = await fetchAdmin('GET', path, newToken)
      expect(history.status).toBe(200)
      const text = await history.text()
      expect(text).toContain('new-owner.hostile.test')
      expect(text).not.toContain('evicted.hostile.test')
    }
    const audit = await admin<{ method: string; summary: { tokens?: unknown } }[]>(
      'GET',
      '/audit?zone=evicted'
    )
    const deleted = audit.body.result?.find((e) => e.method === 'DELETE')
    expect(deleted?.summary.tokens).toEqual([
      { id: (own.body.result as { id: string }).id, change: 'revoke' },
      { id: (shared.body.result as { id: string }).id, change: 'narrow' },
    ])
    await ok(admin('DELETE', '/zones/evicted'))
  })
})

describe('oversized and malicious config values', () => {
  it.for([
    ['a body over 64 KiB', { hosts: ['a.test'], pad: 'x'.repeat(70_000) }, 413],
    ['ten thousand hosts', { hosts: Array.from({ length: 10_000 }, (_, i) => `h${i}.t`) }, 413],
    ['too many hosts', { hosts: Array.from({ length: 101 }, (_, i) => `h${i}.t`) }, 400],
    ['a prototype key', JSON.parse('{"hosts":["p.test"],"__proto__":{"admin":true}}'), 200],
    ['nested arrays', { hosts: [[['a']]] }, 400],
  ] as const)('answers %s without touching another zone', async ([, body, status], { expect }) => {
    const res = await put('/zones/tenant', body, tenant)
    expect(res.status).toBe(status)
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    const victim = await admin<{ hosts: string[] }>('GET', '/zones/victim')
    expect(victim.body.result?.hosts).toEqual(['victim.hostile.test'])
    await ok(put('/zones/tenant', { hosts: ['tenant.hostile.test'] }))
  })

  it.for([
    ['a record name with a slash-encoded escape', '/zones/tenant/origins/..%2Fvictim', 400],
    ['an upper-case record name', '/zones/tenant/origins/MAIN', 400],
  ] as const)('refuses %s', async ([, path, status], { expect }) => {
    const res = await put(path, { kind: 'http', url: originUrl }, tenant)
    expect(res.status).toBe(status)
  })
})

describe('an origin that targets the CDN itself', () => {
  it.for([
    ['the admin API', 'https://admin.test/_admin/zones'],
    ['a host of another zone', 'https://victim.hostile.test/'],
    ['a host of another zone, fully qualified', 'https://VICTIM.hostile.test./'],
    ['the admin API, fully qualified', 'https://admin.test./_admin/zones'],
    ['a host of its own zone', 'http://tenant.hostile.test/'],
  ])('refuses %s as an HTTP origin', async ([, url], { expect }) => {
    const res = await put('/zones/tenant/origins/loop', { kind: 'http', url }, tenant)
    expect(res.status).toBe(400)
    expect(res.body.errors[0]?.code).toBe('origin_is_cdn')
  })
})

async function fetchAdmin(method: string, path: string, token: string): Promise<Response> {
  return exports.default.fetch(
    new Request(`https://admin.test/_admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': '192.0.2.77' },
    })
  )
}

// The suite's own premise: the bootstrap token is a value an attacker would want.
it('has secret values to look for', ({ expect }) => {
  expect(secretValues()).toContain(bootstrapToken())
})
