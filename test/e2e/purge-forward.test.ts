/**
 * Purges forwarded to Cloudflare's zone purge API (issue 14), through `wrangler dev` in proxy
 * mode, against a loopback server that speaks Cloudflare's purge endpoint and records what it
 * is sent — the only stand-in here: Cloudflare's API cannot run on this machine. The Worker,
 * the purge log's outbox and its alarm are the real ones.
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { type PurgeRecord, purgeAddress } from '../../edge-cache/purge/purge-index'
import { forwardBodies, l1CacheTags } from '../../edge-cache/purge/synthetic-tags'
import { type CloudflareApi, startCloudflareApi } from '../support/cloudflare-api'
import { eventually } from '../support/eventually'
import { startOrigin, type TestOrigin } from '../support/origin'
import { type RunningEdge, startEdge } from '../support/wrangler-dev'

const ADMIN_TOKEN = `ecdn_admin_e2e_${crypto.randomUUID()}`
const CF_TOKEN = `cf-token-${crypto.randomUUID()}`
const CF_ZONE = '023e105f4ecef8ad9ca31a8372d0c353'
let api: CloudflareApi
let origin: TestOrigin
let edge: RunningEdge

beforeAll(async () => {
  api = await startCloudflareApi(CF_TOKEN)
  origin = await startOrigin()
  edge = await startEdge({
    vars: {
      ADMIN_TOKEN,
      ORIGIN_URL: origin.url,
      CLOUDFLARE_ZONE_ID: CF_ZONE,
      CLOUDFLARE_API_TOKEN: CF_TOKEN,
      CLOUDFLARE_API_BASE_URL: api.baseUrl,
    },
  })
})

afterAll(async () => {
  await edge?.stop()
  await origin?.close()
  await api?.close()
})

async function purge(body: unknown): Promise<number> {
  const res = await fetch(`${edge.url}/_admin/zones/default/purge_cache`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  await res.arrayBuffer()
  return res.status
}

/** The tags Cloudflare took (answered 200), in order. */
const taken = () => api.received.filter((r) => r.status === 200).flatMap((r) => r.body.tags ?? [])

function tagsFor(records: Omit<PurgeRecord, 'seq' | 'soft'>[]): string[] {
  return forwardBodies(
    'default',
    records.map((r, i) => ({ ...r, seq: i + 1, soft: false }))
  ).flatMap((b) => b.tags)
}

describe('purges forwarded to Cloudflare’s purge API', () => {
  it('turns URL, prefix and host purges into tags the L1 entry carries', async ({ expect }) => {
    const url = `http://www.fwd.test/assets/app.css`
    const entryTags = l1CacheTags('default', url, []).split(',')
    for (const body of [
      { files: [url] },
      { prefixes: ['www.fwd.test/assets/'] },
      { hosts: ['www.fwd.test'] },
    ]) {
      expect(await purge(body)).toBe(200)
    }
    const expected = tagsFor([
      { kind: 'url', value: purgeAddress(url) },
      { kind: 'prefix', value: 'www.fwd.test/assets/' },
      { kind: 'host', value: 'www.fwd.test' },
    ])
    expect(await eventually(async () => expected.every((t) => taken().includes(t)))).toBe(true)
    for (const tag of expected) expect(entryTags).toContain(tag)
    expect(api.received.every((r) => r.zoneId === CF_ZONE)).toBe(true)
    expect(api.received.every((r) => r.authorization === `Bearer ${CF_TOKEN}`)).toBe(true)
  })

  it('retries a 429 until Cloudflare takes the purge', async ({ expect }) => {
    const before = api.received.length
    api.answerNext(429)
    expect(await purge({ tags: ['retried'] })).toBe(200)
    const [tag] = tagsFor([{ kind: 'tag', value: 'retried' }])
    expect(await eventually(async () => taken().includes(tag ?? ''))).toBe(true)
    const calls = api.received.slice(before).filter((r) => r.body.tags?.includes(tag ?? ''))
    expect(calls.map((c) => c.status)).toEqual([429, 200])
  })

  it('loses nothing when forwarding fails: the outbox delivers it later, in calls of ≤ 100 tags', async ({
    expect,
  }) => {
    api.answerAlways(500)
    const first = Array.from({ length: 100 }, (_, i) => `lost-${i}`)
    const second = Array.from({ length: 50 }, (_, i) => `lost-${100 + i}`)
    expect(await purge({ tags: first })).toBe(200)
    expect(await purge({ tags: second })).toBe(200)
    // Cloudflare is down: every attempt fails, nothing is taken.
    expect(
      await eventually(async () => api.received.filter((r) => r.status === 500).length >= 4)
    ).toBe(true)
    const expected = tagsFor(
      [...first, ...second].map((value) => ({ kind: 'tag' as const, value }))
    )
    expect(expected.some((t) => taken().includes(t))).toBe(false)
    const before = api.received.length
    api.answerAlways(200)
    // The log's alarm retries the outbox (1 s, then 2 s, … after the failure).
    expect(
      await eventually(async () => expected.every((t) => taken().includes(t)), {
        timeoutMs: 30_000,
      })
    ).toBe(true)
    const after = api.received.slice(before)
    expect(Math.max(...after.map((r) => r.body.tags?.length ?? 0))).toBeLessThanOrEqual(100)
  }, 60_000)
})
