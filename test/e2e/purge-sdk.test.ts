/**
 * Issue 14, replayed as a new user would: `wrangler dev` in proxy mode, and Cloudflare's own
 * TypeScript SDK (`cloudflare` on npm, `baseURL` pointed at `/_admin`) purging all five kinds in
 * proxy mode's zone `default` and in a zone created through the API. Each purge must reach
 * every simulated PoP (three regions): no PoP serves the purged version once it has propagated.
 * The SDK's typed errors must come out of our 401, 403 and 400 answers.
 */
import Cloudflare from 'cloudflare'
import { beforeAll, describe, it } from 'vitest'
import { eventually } from '../support/eventually'
import { getAt } from '../support/host-request'
import { DFW, FRA, type Pop, SIN } from '../support/pops'
import { useProxyEdge } from '../support/proxy-edge'

const ADMIN_TOKEN = `ecdn_admin_e2e_${crypto.randomUUID()}`
const proxy = useProxyEdge({ ADMIN_TOKEN })
const POPS: Pop[] = [FRA, DFW, SIN]

function sdk(token = ADMIN_TOKEN): Cloudflare {
  return new Cloudflare({ apiToken: token, baseURL: `${proxy.url}/_admin`, maxRetries: 0 })
}

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${proxy.url}/_admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as { result: unknown } }
}

/** What each PoP serves for host + path. */
async function servedAt(host: string, path: string): Promise<string[]> {
  return Promise.all(POPS.map(async (pop) => (await getAt(proxy.url, host, path, pop)).body))
}

/** Caches v1 of a path at every PoP, then switches the origin to v2. */
async function warm(host: string, path: string, headers: Record<string, string> = {}) {
  await proxy.control.script(path, { body: 'v1', headers })
  // The configured zone appears at the edge within its config refresh bound (CONFIG_TTL_MS).
  const cached = await eventually(async () => {
    await servedAt(host, path)
    return (await servedAt(host, path)).every((b) => b === 'v1')
  })
  if (!cached) throw new Error(`${host}${path} never served v1 at every PoP`)
  await proxy.control.script(path, { body: 'v2', headers })
}

const everywhere = (host: string, path: string) =>
  eventually(async () => (await servedAt(host, path)).every((b) => b === 'v2'))

beforeAll(async () => {
  expect200((await admin('PUT', '/zones/shop', { hosts: ['shop.test'] })).status)
  expect200(
    (await admin('PUT', '/zones/shop/origins/web', { kind: 'http', url: proxy.originUrl })).status
  )
  expect200(
    (await admin('PUT', '/zones/shop/routes/all', { pathPrefix: '/', origin: 'web' })).status
  )
})

function expect200(status: number) {
  if (status !== 200 && status !== 201) throw new Error(`admin setup answered ${status}`)
}

describe.for([
  ['proxy mode’s zone', 'default', 'www.proxied.test'],
  ['a zone created through the API', 'shop', 'shop.test'],
] as const)('the cloudflare SDK purges %s', ([, zone, host]) => {
  const path = (name: string) => `/${zone}/${name}`

  it('by files, answering the purge id', async ({ expect }) => {
    await warm(host, path('file.css'))
    const result = await sdk().cache.purge({
      zone_id: zone,
      files: [`http://${host}${path('file.css')}`],
    })
    expect(result?.id).toMatch(new RegExp(`^${zone}-\\d+$`))
    expect(await everywhere(host, path('file.css'))).toBe(true)
  })

  it('by tags', async ({ expect }) => {
    await warm(host, path('tagged.css'), { 'cache-tag': `${zone}-product, theme` })
    await sdk().cache.purge({ zone_id: zone, tags: [`${zone}-product`] })
    expect(await everywhere(host, path('tagged.css'))).toBe(true)
  })

  it('by prefixes, leaving paths outside the prefix', async ({ expect }) => {
    await warm(host, path('assets/p.css'))
    await warm(host, path('kept.css'))
    await sdk().cache.purge({ zone_id: zone, prefixes: [`${host}${path('assets/')}`] })
    expect(await everywhere(host, path('assets/p.css'))).toBe(true)
    // The origin now says v2 for the kept path too: v1 everywhere means nobody dropped it.
    expect(await servedAt(host, path('kept.css'))).toEqual(POPS.map(() => 'v1'))
  })

  it('by hosts', async ({ expect }) => {
    const purged = zone === 'shop' ? host : `img.${host}`
    await warm(purged, path('h.png'))
    await sdk().cache.purge({ zone_id: zone, hosts: [purged] })
    expect(await everywhere(purged, path('h.png'))).toBe(true)
  })

  it('everything', async ({ expect }) => {
    await warm(host, path('all.css'))
    await sdk().cache.purge({ zone_id: zone, purge_everything: true })
    expect(await everywhere(host, path('all.css'))).toBe(true)
  })
})

describe('the cloudflare SDK’s typed errors', () => {
  it('throws AuthenticationError for a token that is not one (401)', async ({ expect }) => {
    const error = await sdk('ecdn_nope')
      .cache.purge({ zone_id: 'default', purge_everything: true })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Cloudflare.AuthenticationError)
    expect((error as InstanceType<typeof Cloudflare.APIError>).status).toBe(401)
  })

  it('throws PermissionDeniedError for a token without the purge scope or another zone’s URL (403)', async ({
    expect,
  }) => {
    const made = await admin('POST', '/zones/default/tokens', { scopes: ['config:read'] })
    const { token } = made.body.result as { token: string }
    const scope = await sdk(token)
      .cache.purge({ zone_id: 'default', purge_everything: true })
      .catch((e: unknown) => e)
    expect(scope).toBeInstanceOf(Cloudflare.PermissionDeniedError)
    const foreign = await sdk()
      .cache.purge({ zone_id: 'shop', files: ['http://www.proxied.test/x.css'] })
      .catch((e: unknown) => e)
    expect(foreign).toBeInstanceOf(Cloudflare.PermissionDeniedError)
    expect((foreign as InstanceType<typeof Cloudflare.APIError>).errors).toEqual([
      expect.objectContaining({ code: 'cross_zone' }),
    ])
  })

  it('throws BadRequestError for a tag over Cloudflare’s 1024 characters (400)', async ({
    expect,
  }) => {
    const error = await sdk()
      .cache.purge({ zone_id: 'default', tags: ['x'.repeat(1025)] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Cloudflare.BadRequestError)
    expect(JSON.stringify((error as InstanceType<typeof Cloudflare.APIError>).errors)).toContain(
      'purge.tags.0'
    )
  })

  it('a purge-scoped token of zone default purges it, and only it', async ({ expect }) => {
    const made = await admin('POST', '/zones/default/tokens', { scopes: ['purge'] })
    const { token } = made.body.result as { token: string }
    const own = await sdk(token).cache.purge({ zone_id: 'default', tags: ['nothing'] })
    expect(own?.id).toMatch(/^default-\d+$/)
    const other = await sdk(token)
      .cache.purge({ zone_id: 'shop', tags: ['nothing'] })
      .catch((e: unknown) => e)
    expect(other).toBeInstanceOf(Cloudflare.PermissionDeniedError)
  })
})
