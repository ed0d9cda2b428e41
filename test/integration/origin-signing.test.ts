/**
 * Authenticated origin pulls through the whole Worker (edge, tier) to a real loopback origin
 * that checks signatures as README tells origin owners to, and a key rotation under traffic.
 * @see origin/signing.ts
 */
import { env, exports } from 'cloudflare:workers'
import { and, eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { beforeAll, describe, inject, it } from 'vitest'
import type { OriginSigning } from '../../schemas/api/config'
import { grantsTable, originsTable } from '../../schemas/config/tables'
import { putZone } from '../support/config'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
/** The values of the Worker secrets ORIGIN_SIGNING_KEY_1 / _2 (test/vitest.config.ts). */
const SECRETS = { k1: 'test-signing-key-one', k2: 'test-signing-key-two' }
const K1 = { id: 'k1', secret: 'ORIGIN_SIGNING_KEY_1' }
const K2 = { id: 'k2', secret: 'ORIGIN_SIGNING_KEY_2' }

function get(url: string) {
  return exports.default.fetch(new Request(url, { cf: FRA } as RequestInit))
}

/** Changes the signing keys of the `signed` zone's origin, as an operator's PUT would. */
async function cdnKeys(keys: OriginSigning['keys']) {
  await drizzle(env.CONFIG_DB)
    .update(originsTable)
    .set({ spec: { kind: 'http', url: originUrl, signing: { keys, header: 'edge-signature' } } })
    .where(and(eq(originsTable.zone, 'signed'), eq(originsTable.name, 'main')))
}

/** What the origin accepts at `path`: key id → secret. */
function originAccepts(path: string, keys: Partial<typeof SECRETS>) {
  return origin.script(path, {
    requireSignature: { keys },
    headers: { 'cache-control': 'no-store' },
  })
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'signed',
    hosts: ['signed.test'],
    origin: { kind: 'http', url: originUrl, signing: { keys: [K1], header: 'edge-signature' } },
  })
  // A rotation's new key is granted to the zone before an origin names it.
  await drizzle(env.CONFIG_DB)
    .insert(grantsTable)
    .values({ zone: 'signed', kind: 'secret', name: K2.secret })
    .onConflictDoNothing()
  await putZone(env.CONFIG_DB, {
    name: 'unsigned',
    hosts: ['unsigned.test'],
    origin: { kind: 'http', url: originUrl },
  })
})

describe('authenticated origin pulls', () => {
  it('an origin checking signatures refuses unsigned requests and accepts the CDN’s', async ({
    expect,
  }) => {
    await cdnKeys([K1])
    await originAccepts('/check.txt', { k1: SECRETS.k1 })
    const direct = await fetch(`${originUrl}/check.txt`)
    expect(direct.status).toBe(401)
    await direct.arrayBuffer()
    const unsigned = await get('https://unsigned.test/check.txt')
    expect(unsigned.status).toBe(401)
    await unsigned.arrayBuffer()
    const signed = await get('https://signed.test/check.txt')
    expect(signed.status).toBe(200)
    await signed.arrayBuffer()
  })

  it('rotates keys with 0 failed requests while traffic flows', async ({ expect }) => {
    const path = '/rotating.txt'
    await cdnKeys([K1])
    await originAccepts(path, { k1: SECRETS.k1 })
    const statuses: number[] = []
    /** Per client: the step its newest finished request started in. */
    const finished = [-1, -1, -1, -1]
    let step = 0
    let stop = false
    /** Woken each time a client finishes a request. */
    const waiting: (() => void)[] = []
    const clients = finished.map(async (_, i) => {
      while (!stop) {
        const started = step
        const res = await get(`https://signed.test${path}`)
        await res.arrayBuffer()
        statuses.push(res.status)
        finished[i] = started
        for (const wake of waiting.splice(0)) wake()
      }
    })
    /** Takes a step, then waits until every client finished a request begun after it. */
    async function then(change: () => Promise<void>) {
      await change()
      step++
      while (finished.some((s) => s < step)) {
        await new Promise<void>((wake) => waiting.push(wake))
      }
    }
    /**
     * The key ids of requests begun after the last step (each client's requests are
     * sequential, so once each finished one begun after it, no older one is in flight).
     */
    async function keyIdsNow(): Promise<(string | undefined)[]> {
      const from = (await origin.hits(path)).length
      await then(async () => {})
      const hits = (await origin.hits(path)).slice(from)
      return hits.map((hit) => /keyid=(\w+)/.exec(String(hit.headers['edge-signature']))?.[1])
    }
    await then(async () => {})
    const before = await keyIdsNow()
    await then(() => originAccepts(path, SECRETS)) // the origin learns the new key
    await then(() => cdnKeys([K1, K2])) // the CDN has it too
    const added = await keyIdsNow()
    await then(() => cdnKeys([K2, K1])) // the new key becomes the first
    const promoted = await keyIdsNow()
    await then(() => cdnKeys([K2])) // the CDN forgets the old key
    await then(() => originAccepts(path, { k2: SECRETS.k2 })) // the origin forgets it too
    const after = await keyIdsNow()
    stop = true
    await Promise.all(clients)

    expect(statuses.length).toBeGreaterThan(20)
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    // The first key signs.
    for (const [ids, key] of [
      [before, 'k1'],
      [added, 'k1'],
      [promoted, 'k2'],
      [after, 'k2'],
    ] as const) {
      expect(ids.length).toBeGreaterThan(0)
      expect(new Set(ids)).toEqual(new Set([key]))
    }
  }, 30_000)
})
