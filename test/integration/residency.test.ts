import { env, exports } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { beforeAll, describe, inject, it } from 'vitest'
import type { ResidencyRuleSpec } from '../../schemas/api/config'
import { residencyRulesTable } from '../../schemas/config/tables'
import { putZone } from '../support/config'
import { eventually } from '../support/eventually'
import { originControl } from '../support/origin-control'
import { AMS, DFW, FRA, GRU, SIN } from '../support/pops'
import { tierRequest } from '../support/tier-request'
import { whereStored as inspect, misplacedBodies, r2Bodies } from '../support/where-stored'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)

const POPS = {
  FRA,
  AMS,
  DFW,
  SIN,
  GRU,
} as const
type Pop = keyof typeof POPS

const MiB = 1024 * 1024

const RULES: Record<string, ResidencyRuleSpec> = {
  'eu-cache': { pathPrefix: '/eu/', region: 'eu', mode: 'cache-in-region' },
  'eu-strict': { pathPrefix: '/strict/', region: 'eu', mode: 'serve-in-region' },
  'apac-tag': { tag: 'apac-only', region: 'apac', mode: 'serve-in-region' },
  'us-tag': { tag: 'us-cache', region: 'us', mode: 'cache-in-region' },
}

function get(path: string, pop: Pop, headers: Record<string, string> = {}) {
  return exports.default.fetch(
    new Request(`https://res.test${path}`, { headers, cf: POPS[pop] } as RequestInit)
  )
}

/** Every place holding the URL: L1 of each PoP here, every tier shard, every R2 bucket. */
function whereStored(path: string): Promise<string[]> {
  return inspect(`https://res.test${path}`, Object.keys(POPS))
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'res',
    hosts: ['res.test'],
    origin: { kind: 'http', url: originUrl },
  })
  await drizzle(env.CONFIG_DB)
    .insert(residencyRulesTable)
    .values(Object.entries(RULES).map(([name, spec]) => ({ zone: 'res', name, spec })))
    .onConflictDoNothing()
  await origin.script('/tagged/apac', { headers: { 'cache-tag': 'apac-only' } })
  await origin.script('/tagged/us', { headers: { 'cache-tag': 'us-cache' } })
  // Above the tests' 1 MiB TIER_R2_THRESHOLD_BYTES, within their 8 MiB shard budget.
  await origin.script('/eu/clip.mp4', { bytes: 2 * MiB })
  await origin.script('/tagged/us-clip', { bytes: 2 * MiB, headers: { 'cache-tag': 'us-cache' } })
  await origin.script('/open/clip.mp4', { bytes: 2 * MiB })
})

describe('cache-in-region', () => {
  it('serves everyone, but only the EU tier and EU PoPs store the content', async ({ expect }) => {
    const answers = []
    for (const pop of ['DFW', 'FRA', 'SIN', 'GRU', 'AMS', 'FRA', 'DFW'] as const) {
      const res = await get('/eu/report.pdf', pop)
      answers.push({
        pop,
        status: res.status,
        body: await res.text(),
        residency: res.headers.get('edge-residency'),
        cacheStatus: res.headers.get('cache-status'),
      })
    }
    expect(
      answers.every((a) => a.status === 200 && a.body === 'origin body for /eu/report.pdf')
    ).toBe(true)
    expect(answers.every((a) => a.residency === 'eu; mode=cache-in-region; rule=eu-cache')).toBe(
      true
    )
    // One origin fetch: every region was served through the one EU tier.
    expect(await origin.hits('/eu/report.pdf')).toHaveLength(1)
    // The second DFW request still misses L1 (nothing is stored in the US) and hits the EU tier.
    expect(answers[6]?.cacheStatus).toMatch(
      /^edge-tier; hit; ttl=\d+, edge-l1; fwd=uri-miss; fwd-status=200; detail=resident-elsewhere$/
    )
    expect(answers[5]?.cacheStatus).toMatch(/^edge-l1; hit/)
    const places = await whereStored('/eu/report.pdf')
    expect(places.filter((p) => p.startsWith('l1:')).sort()).toEqual(['l1:AMS', 'l1:FRA'])
    expect(places.filter((p) => p.startsWith('tier:')).every((p) => p.startsWith('tier:eu:'))).toBe(
      true
    )
    expect(places.some((p) => p.startsWith('tier:eu:'))).toBe(true)
  })
})

describe('serve-in-region', () => {
  it('serves EU clients and refuses everyone else with 451 (RFC 7725)', async ({ expect }) => {
    const fra = await get('/strict/ledger.csv', 'FRA')
    expect(fra.status).toBe(200)
    await fra.text()
    for (const pop of ['DFW', 'SIN', 'GRU'] as const) {
      const res = await get('/strict/ledger.csv', pop)
      expect(res.status).toBe(451)
      expect(await res.json()).toEqual({
        error: { code: 'resident_elsewhere', message: 'this content is only served in region eu' },
      })
    }
    expect(await origin.hits('/strict/ledger.csv')).toHaveLength(1)
    const places = await whereStored('/strict/ledger.csv')
    expect(places.every((p) => p === 'l1:FRA' || p.startsWith('tier:eu:'))).toBe(true)
  })

  it('is decided by request.cf alone: spoofed location headers change nothing', async ({
    expect,
  }) => {
    const res = await get('/strict/ledger.csv', 'DFW', {
      'cf-ipcountry': 'DE',
      'x-forwarded-for': '85.214.132.117',
      'mf-cf-blob': JSON.stringify(POPS.FRA),
      'cf-connecting-ip': '85.214.132.117',
    })
    expect(res.status).toBe(451)
    expect(res.headers.get('edge-region')).toBe('us')
  })

  it('applies tag rules to responses: APAC-only content is refused in the EU and stored nowhere there', async ({
    expect,
  }) => {
    const sin = await get('/tagged/apac', 'SIN')
    expect(sin.status).toBe(200)
    expect(sin.headers.has('cache-tag')).toBe(false)
    await sin.text()
    const fra = await get('/tagged/apac', 'FRA')
    expect(fra.status).toBe(451)
    await fra.arrayBuffer()
    const places = await whereStored('/tagged/apac')
    expect(places.every((p) => p === 'l1:SIN' || p.startsWith('tier:apac:'))).toBe(true)
    expect(places).toContain('l1:SIN')
  })
})

describe('tag rules with cache-in-region', () => {
  it('serves a US-pinned object in the EU without storing it in any EU cache', async ({
    expect,
  }) => {
    const fra = await get('/tagged/us', 'FRA')
    expect(fra.status).toBe(200)
    await fra.text()
    expect(await whereStored('/tagged/us')).toEqual([])
  })
})

describe('the tier enforces residency itself', () => {
  /** Asks the tier shard `name` directly for `path`, pinned to the EU by the `eu-cache` rule. */
  function serveEuContent(name: string, path: string) {
    const stub = env.CACHE_TIER.get(env.CACHE_TIER.idFromName(name))
    return stub.serve(
      tierRequest(originUrl, 'res.test', path, {
        residency: { rule: 'eu-cache', region: 'eu', mode: 'cache-in-region' },
      })
    )
  }

  it('refuses to store content resident elsewhere even when a caller asks it to', async ({
    expect,
  }) => {
    const res = await serveEuContent('tier:us:0', '/eu/buggy-caller.bin')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-status')).not.toContain('stored')
    await res.text()
    expect(await whereStored('/eu/buggy-caller.bin')).toEqual([])
  })

  it('stores resident content in a shard of its own region', async ({ expect }) => {
    const res = await serveEuContent('tier:eu:1', '/eu/direct.bin')
    await res.text()
    expect(res.headers.get('cache-status')).toContain('stored')
    expect(await whereStored('/eu/direct.bin')).toEqual(['tier:eu:1'])
  })
})

describe('large bodies stay in their region’s tier bucket', () => {
  /** Waits for the tier's background move to R2 (it follows the response). */
  async function untilInR2(path: string): Promise<string[]> {
    const inR2 = async () => (await whereStored(path)).some((p) => p.startsWith('r2:'))
    if (!(await eventually(inR2, { timeoutMs: 5_000 }))) throw new Error(`${path} never reached R2`)
    return whereStored(path)
  }

  it('keeps an EU-resident body asked from the US and the EU in the EU bucket only', async ({
    expect,
  }) => {
    for (const pop of ['DFW', 'FRA', 'SIN'] as const) {
      const res = await get('/eu/clip.mp4', pop)
      expect(res.status).toBe(200)
      expect((await res.arrayBuffer()).byteLength).toBe(2 * MiB)
    }
    expect(await origin.hits('/eu/clip.mp4')).toHaveLength(1)
    const places = await untilInR2('/eu/clip.mp4')
    expect(places.filter((p) => p.startsWith('r2:'))).toEqual(['r2:TIER_BUCKET_EU'])
    const others = places.filter((p) => !p.startsWith('r2:'))
    expect(others.every((p) => /^(tier:eu:\d+|l1:FRA|l1:AMS)$/.test(p))).toBe(true)
  })

  it('keeps a body pinned to the US by its tag in the US bucket, asked from the EU', async ({
    expect,
  }) => {
    const res = await get('/tagged/us-clip', 'FRA')
    expect((await res.arrayBuffer()).byteLength).toBe(2 * MiB)
    const places = await whereStored('/tagged/us-clip')
    // Served to FRA from its own (EU) tier, which passes US-pinned content through: no copy.
    expect(places).toEqual([])
    const dfw = await get('/tagged/us-clip', 'DFW')
    expect((await dfw.arrayBuffer()).byteLength).toBe(2 * MiB)
    const after = await untilInR2('/tagged/us-clip')
    expect(after.filter((p) => p.startsWith('r2:'))).toEqual(['r2:TIER_BUCKET_US'])
  })

  it('writes content no rule pins to the bucket of the shard’s own region', async ({ expect }) => {
    const res = await get('/open/clip.mp4', 'SIN')
    expect((await res.arrayBuffer()).byteLength).toBe(2 * MiB)
    const places = await untilInR2('/open/clip.mp4')
    expect(places.filter((p) => p.startsWith('r2:'))).toEqual(['r2:TIER_BUCKET_APAC'])
  })

  it('after all the traffic above, no resident body sits in another region’s bucket', async ({
    expect,
  }) => {
    const bodies = await r2Bodies()
    expect(bodies.filter((b) => b.residency === 'eu').length).toBeGreaterThan(0)
    expect(await misplacedBodies()).toEqual([])
  })
})

describe('a region without its own tier bucket', () => {
  // `global` declares no tier bucket (schemas/regions.ts). Rules name only eu/us/apac, so the
  // shard is asked directly, with content pinned to its own region, as the edge would send it.
  const pinned = { rule: 'global-test', region: 'global', mode: 'cache-in-region' } as const
  function serveGlobal(path: string, residency?: typeof pinned) {
    const stub = env.CACHE_TIER.get(env.CACHE_TIER.idFromName('tier:global:1'))
    return stub.serve(tierRequest(originUrl, 'res.test', path, { residency }))
  }

  it('keeps a resident large body in the shard’s SQLite, not in R2, and says so', async ({
    expect,
  }) => {
    await origin.script('/global/pinned-2m.bin', { bytes: 2 * MiB })
    const res = await serveGlobal('/global/pinned-2m.bin', pinned)
    expect((await res.arrayBuffer()).byteLength).toBe(2 * MiB)
    expect(res.headers.get('cache-status')).toMatch(/; stored; detail=resident-in-shard$/)
    const hit = await serveGlobal('/global/pinned-2m.bin', pinned)
    expect((await hit.arrayBuffer()).byteLength).toBe(2 * MiB)
    expect(hit.headers.get('cache-status')).toMatch(/^edge-tier; hit/)
    expect(await whereStored('/global/pinned-2m.bin')).toEqual(['tier:global:1'])
  })

  it('streams a resident body above the bound from the origin without storing it', async ({
    expect,
  }) => {
    await origin.script('/global/pinned-6m.bin', { bytes: 6 * MiB })
    for (let i = 1; i <= 2; i++) {
      const res = await serveGlobal('/global/pinned-6m.bin', pinned)
      expect((await res.arrayBuffer()).byteLength).toBe(6 * MiB)
      expect(res.headers.get('cache-status')).toMatch(/detail=resident-no-bucket$/)
      expect(res.headers.get('cache-status')).not.toContain('stored')
      expect(await origin.hits('/global/pinned-6m.bin')).toHaveLength(i)
    }
    expect(await whereStored('/global/pinned-6m.bin')).toEqual([])
  })

  it('puts content no rule pins in the shared tier bucket', async ({ expect }) => {
    await origin.script('/global/open-2m.bin', { bytes: 2 * MiB })
    const res = await serveGlobal('/global/open-2m.bin')
    expect((await res.arrayBuffer()).byteLength).toBe(2 * MiB)
    // The move to R2 follows the response, in the shard's background.
    await eventually(
      async () => (await whereStored('/global/open-2m.bin')).includes('r2:TIER_BUCKET'),
      { timeoutMs: 5_000 }
    )
    expect(await whereStored('/global/open-2m.bin')).toEqual(['tier:global:1', 'r2:TIER_BUCKET'])
  })
})
