/**
 * A pool of two real HTTP origins weighted 90/10 through `wrangler dev`, configured through the
 * admin API: the split over 2,000 distinct cold URLs, and one URL always reaching one member.
 * @see origin/steering.ts
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { eventually } from '../support/eventually'
import { startOrigin, type TestOrigin } from '../support/origin'
import { originControl } from '../support/origin-control'
import { FRA, SIN } from '../support/pops'
import { type RunningEdge, startEdge } from '../support/wrangler-dev'

const TOKEN = 'e2e-pools-admin-token'
let stable: TestOrigin
let canary: TestOrigin
let edge: RunningEdge

beforeAll(async () => {
  stable = await startOrigin()
  canary = await startOrigin()
  edge = await startEdge({ vars: { ADMIN_TOKEN: TOKEN, CONFIG_TTL_MS: '200' } })
  const host = new URL(edge.url).hostname
  const calls: [string, unknown][] = [
    ['/zones/pools', { hosts: [host] }],
    ['/zones/pools/origins/stable', { kind: 'http', url: stable.url }],
    ['/zones/pools/origins/canary', { kind: 'http', url: canary.url }],
    [
      '/zones/pools/origins/web',
      {
        kind: 'pool',
        steering: 'weighted',
        members: [
          { origin: 'stable', weight: 90 },
          { origin: 'canary', weight: 10 },
        ],
      },
    ],
    ['/zones/pools/routes/all', { pathPrefix: '/', origin: 'web' }],
  ]
  for (const [path, body] of calls) {
    const res = await fetch(`${edge.url}/_admin${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`)
  }
  // The zone reaches the edge within CONFIG_TTL_MS: once a pool member answers.
  const configured = await eventually(async () => {
    const res = await at(FRA, '/config-ready')
    await res.arrayBuffer()
    return ['stable', 'canary'].includes(res.headers.get('edge-origin') ?? '')
  })
  if (!configured) throw new Error('the pools zone never reached the edge')
})
afterAll(async () => {
  await edge?.stop()
  await stable?.close()
  await canary?.close()
})

function at(pop: object, path: string) {
  return fetch(`${edge.url}${path}`, { headers: { 'mf-cf-blob': JSON.stringify(pop) } })
}

async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>) {
  const results: R[] = []
  for (let i = 0; i < items.length; i += width) {
    results.push(...(await Promise.all(items.slice(i, i + width).map(fn))))
  }
  return results
}

describe('a 90/10 pool of two HTTP origins', () => {
  it('splits 2,000 distinct cold URLs within ±3 points, and one URL always reaches one member', async ({
    expect,
  }) => {
    const paths = Array.from({ length: 2000 }, (_, i) => `/split/${i}.js`)
    const members = await inBatches(paths, 20, async (path) => {
      const res = await at(FRA, path)
      expect(res.status).toBe(200)
      await res.arrayBuffer()
      const member = res.headers.get('edge-origin') ?? ''
      expect(res.headers.get('cache-status')).toMatch(
        new RegExp(`^edge-tier; fwd=uri-miss; fwd-status=200; stored; detail="origin=${member}"`)
      )
      return member
    })
    const count = (name: string) => members.filter((m) => m === name).length
    // what each origin server itself saw
    const stableHits = (await originControl(stable.url).hits(paths[0] ?? '')).length
    const share = count('stable') / paths.length
    console.log(
      `pool split over ${paths.length} cold URLs: stable ${count('stable')} (${(share * 100).toFixed(1)}%), canary ${count('canary')} (${((1 - share) * 100).toFixed(1)}%)`
    )
    expect(count('stable') + count('canary')).toBe(paths.length)
    expect(Math.abs(share - 0.9)).toBeLessThanOrEqual(0.03)
    expect(stableHits).toBe(members[0] === 'stable' ? 1 : 0)

    // Cold again in another region's tier: every URL reaches the member it reached before.
    const again = await inBatches(paths.slice(0, 400), 20, async (path) => {
      const res = await at(SIN, path)
      await res.arrayBuffer()
      expect(res.headers.get('cache-status')).toMatch(/^edge-tier; fwd=uri-miss/)
      return res.headers.get('edge-origin')
    })
    expect(again).toEqual(members.slice(0, 400))
  }, 300_000)
})
