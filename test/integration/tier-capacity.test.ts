/**
 * Tier shard capacity: admission, the byte budget, the sweep alarm, second-hit L1 admission and
 * large bodies in the R2 cache bucket. Needs the test bindings TIER_SHARD_BUDGET_BYTES = 8 MiB
 * and TIER_R2_THRESHOLD_BYTES = 1 MiB (test/vitest.config.ts).
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it, onTestFinished } from 'vitest'
import { CacheTier } from '../../edge-cache/tier/cache-tier'
import { ManualClock } from '../support/clock'
import { putZone } from '../support/config'
import { eventually } from '../support/eventually'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'
import { setTierClock } from '../support/tier-clock'
import { tierRequest } from '../support/tier-request'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
const MiB = 1024 * 1024
const BUDGET = Number(env.TIER_SHARD_BUDGET_BYTES)

/** A shard of its own per test: `tier:eu:<n>` with n beyond the region's real shards. */
function shard(n: number) {
  return env.CACHE_TIER.get(env.CACHE_TIER.idFromName(`tier:eu:${100 + n}`))
}

/** What an edge sends for a path of the `cap` zone. */
function request(path: string) {
  return tierRequest(originUrl, 'cap.test', path)
}

async function serve(stub: ReturnType<typeof shard>, path: string): Promise<string> {
  const response = await stub.serve(request(path))
  await response.arrayBuffer()
  return response.headers.get('cache-status') ?? ''
}

function storedKeys(stub: ReturnType<typeof shard>): Promise<string[]> {
  return runInDurableObject(stub, (_tier: CacheTier, state) =>
    state.storage.sql
      .exec<{ primary_key: string }>('SELECT primary_key FROM entries')
      .toArray()
      .map((row) => new URL(row.primary_key).pathname)
  )
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  // The shard's background work (a body dropped after it streamed) follows the response.
  if (!(await eventually(condition, { timeoutMs: 5_000 })))
    throw new Error(`timed out waiting for ${what}`)
}

/** These shards are EU shards: their large bodies go to the EU tier bucket, and only there. */
async function inR2(bodyId: string): Promise<boolean> {
  return (await env.TIER_BUCKET_EU.head(`tier/${bodyId}`)) !== null
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'cap',
    hosts: ['cap.test'],
    origin: { kind: 'http', url: originUrl },
  })
})

describe('tier shard capacity', () => {
  it('runs with a small test budget', ({ expect }) => {
    expect(BUDGET).toBe(8 * MiB)
    expect(Number(env.TIER_R2_THRESHOLD_BYTES)).toBe(MiB)
  })

  it('keeps popular objects when one-hit wonders arrive at a full shard', async ({ expect }) => {
    const stub = shard(1)
    const popular = Array.from({ length: 12 }, (_, i) => `/pop/${i}`)
    const wonders = Array.from({ length: 30 }, (_, i) => `/wonder/${i}`)
    for (const path of [...popular, ...wonders]) {
      await origin.script(path, { bytes: 512 * 1024 })
    }
    for (let round = 0; round < 3; round++) {
      for (const path of popular) await serve(stub, path)
    }
    const statuses = []
    for (const path of wonders) statuses.push(await serve(stub, path))

    const stored = await storedKeys(stub)
    expect(stored).toEqual(expect.arrayContaining(popular))
    // 12 × 512 KiB popular objects leave room for 4 wonders; the rest are turned away.
    expect(stored.filter((path) => path.startsWith('/wonder/'))).toHaveLength(4)
    const refused = statuses.filter((status) => status.includes('detail=not-admitted'))
    expect(refused).toHaveLength(26)
    expect(refused.every((status) => !/; stored/.test(status))).toBe(true)
    const stats = await stub.stats()
    expect(stats).toEqual({ bytes: 8 * MiB, entries: 16, budget: BUDGET, windowShare: 0 })
    // Turned-away bodies were streamed, then dropped.
    await until(async () => {
      const left = await runInDurableObject(stub, (_tier: CacheTier, state) =>
        state.storage.sql
          .exec<{ n: number }>(
            'SELECT COUNT(*) AS n FROM chunks WHERE body_id NOT IN (SELECT body_id FROM entries)'
          )
          .one()
      )
      return left.n === 0
    }, 'orphan chunks to go')
  })

  it('never holds more than its budget after many fills, and reports its size', async ({
    expect,
  }) => {
    const stub = shard(2)
    const sizes = Array.from({ length: 40 }, (_, i) => 100_000 + ((i * 7919) % 9) * 100_000)
    for (const [i, size] of sizes.entries()) {
      await origin.script(`/many/${i}`, { bytes: size })
    }
    for (const [i] of sizes.entries()) {
      // Each object asked for twice: the second request beats one-hit victims.
      await serve(stub, `/many/${i}`)
      await serve(stub, `/many/${i}`)
      const stats = await stub.stats()
      expect(stats.bytes).toBeLessThanOrEqual(BUDGET)
    }
    const stats = await stub.stats()
    const actual = await runInDurableObject(stub, (_tier: CacheTier, state) =>
      state.storage.sql
        .exec<{ bytes: number; entries: number }>(
          'SELECT SUM(size) AS bytes, COUNT(*) AS entries FROM entries'
        )
        .one()
    )
    expect(stats).toEqual({ ...actual, budget: BUDGET, windowShare: 0 })
    expect(stats.bytes).toBeGreaterThan(BUDGET / 2)
    expect(stats.entries).toBeLessThan(sizes.length)
  })

  it('sweeps expired entries and their bodies with its alarm', async ({ expect }) => {
    const stub = shard(3)
    const clock = new ManualClock(Date.now())
    const systemTime = await setTierClock([stub], clock)
    onTestFinished(systemTime)
    // Without a validator and with must-revalidate: an expired entry with a validator is kept a
    // while for revalidation, and one that may be served stale is kept for an origin outage.
    await origin.script('/short', {
      headers: { 'cache-control': 'public, max-age=1, must-revalidate' },
      removeHeaders: ['etag'],
    })
    await origin.script('/long', { headers: { 'cache-control': 'public, max-age=600' } })
    await serve(stub, '/short')
    await serve(stub, '/long')
    const alarm = await runInDurableObject(stub, (_tier: CacheTier, state) =>
      state.storage.getAlarm()
    )
    expect(alarm).not.toBeNull()
    expect(alarm ?? 0).toBeLessThanOrEqual(clock.now() + 1000)
    clock.advance(1100)
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await storedKeys(stub)).toEqual(['/long'])
    const orphanChunks = await runInDurableObject(stub, (_tier: CacheTier, state) =>
      state.storage.sql
        .exec<{ n: number }>(
          'SELECT COUNT(*) AS n FROM chunks WHERE body_id NOT IN (SELECT body_id FROM entries)'
        )
        .one()
    )
    expect(orphanChunks.n).toBe(0)
    // The sweep rescheduled itself for what is left.
    const next = await runInDurableObject(stub, (_tier: CacheTier, state) =>
      state.storage.getAlarm()
    )
    expect(next).not.toBeNull()
  })

  it('keeps the admission window share it chose across a restart (saved by the sweep)', async ({
    expect,
  }) => {
    const stub = shard(7)
    await origin.script('/restart', { headers: { 'cache-control': 'public, max-age=600' } })
    await serve(stub, '/restart')
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    const restarted = await runInDurableObject(stub, async (_tier: CacheTier, state) => {
      const saved = state.storage.sql
        .exec<{ window_share: number | null }>('SELECT window_share FROM sketch WHERE id = 1')
        .one()
      // As if the miniatures had chosen 30% before the object was evicted from memory.
      state.storage.sql.exec('UPDATE sketch SET window_share = 0.3 WHERE id = 1')
      const again = new CacheTier(state, env)
      return { saved: saved.window_share, stats: await again.stats() }
    })
    expect(restarted.saved).toBe(0)
    expect(restarted.stats).toMatchObject({ windowShare: 0.3, entries: 1 })
  })

  it('keeps a large object in L1 only from its second hit', async ({ expect }) => {
    await origin.script('/second-hit.bin', { bytes: 1536 * 1024 })
    const get = () =>
      exports.default.fetch(
        new Request('https://cap.test/second-hit.bin', { cf: FRA } as RequestInit)
      )
    const first = await get()
    expect((await first.arrayBuffer()).byteLength).toBe(1536 * 1024)
    const firstStatus = first.headers.get('cache-status') ?? ''
    expect(firstStatus).toMatch(/edge-tier; fwd=uri-miss; fwd-status=200; stored/)
    expect(firstStatus).toMatch(/edge-l1; fwd=uri-miss; fwd-status=200; detail=l1-not-admitted$/)
    expect(first.headers.has('edge-l1')).toBe(false)

    const second = await get()
    await second.arrayBuffer()
    expect(second.headers.get('cache-status')).toMatch(
      /^edge-tier; hit; ttl=\d+, edge-l1; fwd=uri-miss; fwd-status=200; stored$/
    )
    const third = await get()
    await third.arrayBuffer()
    expect(third.headers.get('cache-status')).toMatch(/^edge-l1; hit; ttl=\d+$/)
    expect(await origin.hits('/second-hit.bin')).toHaveLength(1)
  })

  it('moves a large body to its region’s tier bucket and deletes it from there on eviction', async ({
    expect,
  }) => {
    const stub = shard(4)
    const large = '/large.bin'
    await origin.script(large, { bytes: 1536 * 1024 })
    expect(await serve(stub, large)).toMatch(/; stored/)
    const bodyId = await runInDurableObject(
      stub,
      (_tier: CacheTier, state) =>
        state.storage.sql.exec<{ body_id: string }>('SELECT body_id FROM entries').one().body_id
    )
    await until(() => inR2(bodyId), 'the body to reach R2')
    expect(await env.TIER_BUCKET.head(`tier/${bodyId}`)).toBeNull()
    const chunks = await runInDurableObject(
      stub,
      (_tier: CacheTier, state) =>
        state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM chunks').one().n
    )
    expect(chunks).toBe(0)
    // Served back from R2, byte for byte what the origin sent.
    const fromOrigin = await (await fetch(`${originUrl}${large}`)).arrayBuffer()
    const hit = await stub.serve(request(large))
    expect(hit.headers.get('cache-status')).toMatch(/^edge-tier; hit/)
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(new Uint8Array(fromOrigin))

    // Fill the rest of the budget exactly with fillers asked three times each; the large object,
    // asked at most twice (the sketch lives in memory: a restarted object forgets), is the least
    // popular of the LRU tail: a newcomer, once asked more often than it, evicts it and no filler.
    const fillers = Array.from({ length: 13 }, (_, i) => `/filler/${i}`)
    for (const path of [...fillers, '/newcomer']) await origin.script(path, { bytes: 512 * 1024 })
    for (const path of fillers) {
      expect(await serve(stub, path)).toMatch(/; stored/)
      for (let i = 0; i < 2; i++) expect(await serve(stub, path)).toMatch(/^edge-tier; hit/)
    }
    expect((await stub.stats()).bytes).toBe(BUDGET)
    let asked = 0
    for (let stored = false; !stored && asked < 3; asked++) {
      stored = (await serve(stub, '/newcomer')).endsWith('; stored')
    }
    const kept = await storedKeys(stub)
    expect(kept).not.toContain(large)
    expect(kept).toContain('/newcomer')
    for (const path of fillers) expect(kept).toContain(path)
    await until(async () => !(await inR2(bodyId)), 'the body to leave R2')
  }, 60_000)
})
