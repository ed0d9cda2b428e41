import { evictDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { purgeLogFor, purgeLogName } from '../../edge-cache/purge/purge-log'
import { popGroupOf, relayName, relayShardOf } from '../../edge-cache/purge/purge-push'
import { REGIONS, regionOf } from '../../schemas/regions'
import { edgePurgeBound } from '../../workers/purge-relay-client'
import { ManualClock } from '../support/clock'
import { clockedWorker } from '../support/clocked-worker'
import { putZone } from '../support/config'
import { eventually } from '../support/eventually'
import { originControl } from '../support/origin-control'
import { AMS, DFW, FRA, ORD, SIN } from '../support/pops'
import { regionShards, setTierClock } from '../support/tier-clock'
import { whereStored } from '../support/where-stored'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
const ADMIN = { authorization: 'Bearer test-admin-token' }
/** Five PoPs in three regions, so purges must reach L1s and tiers everywhere. */
const POPS = [FRA, AMS, DFW, ORD, SIN]

/**
 * The edge and every tier shard keep time by this clock (they share this isolate's purge
 * views): the edge's purge bound passes when a test moves the clock, not while it sleeps.
 */
const clock = new ManualClock(Date.now())
const worker = clockedWorker(clock)

function get(url: string, pop = POPS[0]) {
  return worker(new Request(url, { cf: pop } as RequestInit))
}

function purge(zone: string, body: unknown, headers: Record<string, string> = ADMIN) {
  return worker(
    new Request(`https://admin.test/_admin/zones/${zone}/purge_cache`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
  )
}

/** Fetches a URL at every PoP: which version each serves, and whether from its own L1. */
async function servedAt(url: string): Promise<{ bodies: string[]; l1Hits: number }> {
  const bodies: string[] = []
  let l1Hits = 0
  for (const pop of POPS) {
    const res = await get(url, pop)
    bodies.push(await res.text())
    if (/^edge-l1; hit/.test(res.headers.get('cache-status') ?? '')) l1Hits++
  }
  return { bodies, l1Hits }
}

/**
 * Has the origin serve `v1` of a path, caches it at every PoP (second round: all L1 hits), then
 * switches the origin to `v2`: a PoP still serving `v1` afterwards serves purged content.
 */
async function warm(url: string, headers: Record<string, string> = {}): Promise<void> {
  const path = new URL(url).pathname
  await origin.script(path, { body: 'v1', headers })
  await servedAt(url)
  expect(await servedAt(url)).toEqual({ bodies: POPS.map(() => 'v1'), l1Hits: POPS.length })
  await origin.script(path, { body: 'v2', headers })
}

const allV2 = POPS.map(() => 'v2')

/**
 * Lets the edge's purge bound pass once the zone's purges can be read where each PoP reads
 * them: the log pushes to the relays after it answers, so the wait is for its push to arrive
 * (the relay each PoP reads holds the log's sequence), then the clock moves past the bound.
 */
async function pastBound(zone = 'pz'): Promise<void> {
  const { seq } = await purgeLogFor(env.PURGE_LOG, zone).snapshot(0)
  const relays = POPS.map((pop) => {
    const name = relayName(regionOf(pop).name, relayShardOf(zone), popGroupOf(pop.colo))
    return env.PURGE_RELAY.get(env.PURGE_RELAY.idFromName(name))
  })
  const held = async () => {
    const copies = await Promise.all(relays.map((relay) => relay.deltas([{ zone, after: seq }])))
    return copies.every(([copy]) => (copy?.seq ?? 0) >= seq)
  }
  expect(await eventually(held), `the relays of ${zone} hold seq ${seq}`).toBe(true)
  clock.advance(edgePurgeBound(env) + 1)
}

let systemClockBack: () => Promise<void>
beforeAll(async () => {
  systemClockBack = await setTierClock(
    REGIONS.flatMap((region) => regionShards(region.name)),
    clock
  )
  await putZone(env.CONFIG_DB, {
    name: 'pz',
    hosts: ['pz.test', 'img.pz.test'],
    origin: { kind: 'http', url: originUrl },
  })
  await putZone(env.CONFIG_DB, {
    name: 'other',
    hosts: ['other.test'],
    origin: { kind: 'http', url: originUrl },
  })
})
afterAll(() => systemClockBack())

describe('purge_cache', () => {
  it('purges a URL everywhere within the bound, answering in the Cloudflare envelope', async ({
    expect,
  }) => {
    await warm('https://pz.test/url.css')
    const before = (await origin.hits('/url.css')).length
    const res = await purge('pz', { files: ['https://pz.test/url.css'] })
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      success: boolean
      errors: unknown[]
      result: { id: string }
    }
    expect(body.success).toBe(true)
    expect(body.errors).toEqual([])
    expect(body.result.id).toMatch(/^pz-\d+$/)
    await pastBound()
    // No PoP serves the purged version: each L1 and each region's tier dropped it.
    expect((await servedAt('https://pz.test/url.css')).bodies).toEqual(allV2)
    // One refill per region (eu, us, apac): the tiers still collapse.
    expect((await origin.hits('/url.css')).length - before).toBe(3)
  })

  it.for([
    ['tags', { tags: ['product-7'] }, 'https://pz.test/tags.css'],
    ['prefixes', { prefixes: ['pz.test/assets/'] }, 'https://pz.test/assets/p.css'],
    ['hosts', { hosts: ['img.pz.test'] }, 'https://img.pz.test/h.png'],
    ['purge_everything', { purge_everything: true }, 'https://pz.test/all.css'],
    [
      'files with headers',
      { files: [{ url: 'https://pz.test/f.css', headers: { 'accept-language': 'de' } }] },
      'https://pz.test/f.css',
    ],
    // A fully qualified host (trailing dot) is the same host: one copy, purged by either name.
    [
      'hosts, a URL of the host spelled with its trailing dot',
      { hosts: ['img.pz.test'] },
      'https://img.pz.test./dot.png',
    ],
    [
      'prefixes, a URL of the host spelled with its trailing dot',
      { prefixes: ['pz.test/dotted/'] },
      'https://pz.test./dotted/p.css',
    ],
    [
      'files naming the host with its trailing dot',
      { files: ['https://pz.test./dot-file.css'] },
      'https://pz.test/dot-file.css',
    ],
  ] as const)('purges by %s', async ([, body, url], { expect }) => {
    await warm(url, { 'cache-tag': 'product-7, theme' })
    expect((await purge('pz', body)).status).toBe(200)
    await pastBound()
    expect((await servedAt(url)).bodies).toEqual(allV2)
  })

  it('leaves what a purge does not match alone', async ({ expect }) => {
    await warm('https://pz.test/keep.css')
    await purge('pz', { prefixes: ['pz.test/nothing-here/'] })
    await purge('pz', { tags: ['unrelated'] })
    await pastBound()
    expect(await servedAt('https://pz.test/keep.css')).toEqual({
      bodies: POPS.map(() => 'v1'),
      l1Hits: POPS.length,
    })
  })

  it('soft-purges: the entry turns stale and is served under stale-while-revalidate', async ({
    expect,
  }) => {
    await warm('https://pz.test/soft.css', {
      'cache-control': 'public, max-age=600, stale-while-revalidate=60',
    })
    const before = (await origin.hits('/soft.css')).length
    const res = await purge(
      'pz',
      { files: ['https://pz.test/soft.css'] },
      { ...ADMIN, 'fastly-soft-purge': '1' }
    )
    expect(res.status).toBe(200)
    await pastBound()
    const stale = await get('https://pz.test/soft.css')
    expect(stale.status).toBe(200)
    expect(await stale.text()).toBe('v1')
    expect(stale.headers.get('cache-status')).toMatch(
      /edge-l1; hit; ttl=0; detail=stale-while-revalidate/
    )
    // The background revalidation reaches the origin.
    await eventually(async () => (await origin.hits('/soft.css')).length > before)
    expect((await origin.hits('/soft.css')).length).toBeGreaterThan(before)
  })

  it('deletes what a purge matches from every tier shard without waiting to meet it', async ({
    expect,
  }) => {
    await warm('https://pz.test/eager.css')
    const key = 'https://pz.test/eager.css'
    // The tier shards holding the key (no L1 looked in: that purge path is tested above).
    const storedIn = async () => (await whereStored(key, [])).filter((p) => p.startsWith('tier:'))
    // One shard in each of the three regions the PoPs belong to.
    expect(await storedIn()).toHaveLength(3)
    expect((await purge('pz', { files: [key] })).status).toBe(200)
    await eventually(async () => (await storedIn()).length === 0, { timeoutMs: 15_000 })
    expect(await storedIn()).toEqual([])
  }, 20_000)

  it('survives a restart of the purge log object', async ({ expect }) => {
    await warm('https://pz.test/durable.css')
    expect((await purge('pz', { files: ['https://pz.test/durable.css'] })).status).toBe(200)
    await evictDurableObject(env.PURGE_LOG.get(env.PURGE_LOG.idFromName(purgeLogName('pz'))))
    await pastBound()
    expect((await servedAt('https://pz.test/durable.css')).bodies).toEqual(allV2)
  })

  it('accepts the Fastly form and answers like Fastly', async ({ expect }) => {
    await warm('https://pz.test/fastly.css', { 'surrogate-key': 'theme other' })
    const res = await worker(
      new Request('https://admin.test/_admin/zones/pz/purge/theme', {
        method: 'POST',
        headers: ADMIN,
      })
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok', id: expect.stringMatching(/^pz-\d+$/) })
    await pastBound()
    expect((await servedAt('https://pz.test/fastly.css')).bodies).toEqual(allV2)
  })
})

describe('RFC 9875 cache groups', () => {
  it("invalidates the groups an unsafe request's response names", async ({ expect }) => {
    await warm('https://pz.test/grouped.css', { 'cache-groups': '"catalog", "home"' })
    await origin.script('/cart', {
      headers: { 'cache-group-invalidation': '"catalog"', 'cache-control': 'no-store' },
    })
    const post = await worker(
      new Request('https://pz.test/cart', {
        method: 'POST',
        body: 'add=1',
        cf: POPS[0],
      } as RequestInit)
    )
    expect(post.status).toBe(200)
    await pastBound()
    expect((await servedAt('https://pz.test/grouped.css')).bodies).toEqual(allV2)
  })
})

describe('purge validation and access', () => {
  it.for([
    ['two kinds at once', { files: ['https://pz.test/a'], tags: ['x'] }, 'exactly one of'],
    ['an empty list', { files: [] }, 'purge.files'],
    ['a tag over 1024 characters', { tags: ['x'.repeat(1025)] }, 'purge.tags.0'],
    ['a non-printable tag', { tags: ['a\u0007b'] }, 'purge.tags.0'],
    ['more than 100 items', { tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }, 'purge.tags'],
    ['a relative URL', { files: ['/a.css'] }, 'purge.files.0'],
    ['an unknown field', { everything: true }, 'purge'],
  ] as const)('answers 400 for %s, naming the field', async ([, body, field], { expect }) => {
    const res = await purge('pz', body)
    expect(res.status).toBe(400)
    const envelope = (await res.json()) as { success: boolean; errors: { message: string }[] }
    expect(envelope.success).toBe(false)
    expect(envelope.errors.map((e) => e.message).join(' ')).toContain(field)
  })

  it('answers 400 for malformed JSON', async ({ expect }) => {
    const res = await worker(
      new Request('https://admin.test/_admin/zones/pz/purge_cache', {
        method: 'POST',
        headers: ADMIN,
        body: '{"files": [',
      })
    )
    expect(res.status).toBe(400)
  })

  it('answers 401 without a valid token', async ({ expect }) => {
    expect((await purge('pz', { purge_everything: true }, {})).status).toBe(401)
    expect(
      (await purge('pz', { purge_everything: true }, { authorization: 'Bearer nope' })).status
    ).toBe(401)
  })

  it('refuses a URL of another zone and a token of another zone with 403', async ({ expect }) => {
    const foreign = await purge('pz', { files: ['https://other.test/a.css'] })
    expect(foreign.status).toBe(403)
    const created = await worker(
      new Request('https://admin.test/_admin/zones/other/tokens', {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ scopes: ['purge'] }),
      })
    )
    expect(created.status).toBe(201)
    const { result } = (await created.json()) as { result: { token: string } }
    const crossZone = await purge(
      'pz',
      { purge_everything: true },
      { authorization: `Bearer ${result.token}` }
    )
    expect(crossZone.status).toBe(403)
    const ownZone = await purge(
      'other',
      { purge_everything: true },
      { authorization: `Bearer ${result.token}` }
    )
    expect(ownZone.status).toBe(200)
  })

  it('refuses a token without the purge scope with 403', async ({ expect }) => {
    const created = await worker(
      new Request('https://admin.test/_admin/zones/pz/tokens', {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ scopes: ['config:read'] }),
      })
    )
    const { result } = (await created.json()) as { result: { token: string } }
    const res = await purge(
      'pz',
      { purge_everything: true },
      { authorization: `Bearer ${result.token}` }
    )
    expect(res.status).toBe(403)
  })
})
