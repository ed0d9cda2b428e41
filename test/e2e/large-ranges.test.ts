import { describe, it } from 'vitest'
import { generated } from '../support/origin'
import { useProxyEdge } from '../support/proxy-edge'

const proxy = useProxyEdge()
const MiB = 1024 * 1024
/** Above L1's 16 MiB limit: ranges of it are answered by the tier. */
const SIZE = 24 * MiB
const HEADERS = { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600' }

function at(colo: string, path: string, headers: Record<string, string> = {}) {
  const cf = JSON.stringify({ colo, country: 'DE', continent: 'EU' })
  return fetch(`${proxy.url}${path}`, { headers: { ...headers, 'mf-cf-blob': cf } })
}

describe('ranges of a large object through wrangler dev', () => {
  it('answers a range deep into an uncached object from the origin at once, then from the tier', async ({
    expect,
  }) => {
    await proxy.control.script('/video.bin', { bytes: SIZE, headers: HEADERS })
    const body = generated(SIZE)
    const start = 20 * MiB
    const cold = await at('FRA', '/video.bin', { range: `bytes=${start}-${start + 99}` })
    expect(cold.status).toBe(206)
    expect(cold.headers.get('content-range')).toBe(`bytes ${start}-${start + 99}/${SIZE}`)
    expect(Buffer.from(await cold.arrayBuffer()).equals(body.subarray(start, start + 100))).toBe(
      true
    )
    // The tier started the fill and fetched the range on its own rather than wait for it.
    expect(cold.headers.get('cache-status')).toMatch(
      /^edge-tier; fwd=uri-miss; fwd-status=200; stored; detail=range-from-origin, edge-l1; fwd=uri-miss; fwd-status=206$/
    )
    const hits = await proxy.control.hits('/video.bin')
    expect(hits.map((hit) => hit.headers.range ?? 'whole').sort()).toEqual([
      `bytes=${start}-${start + 99}`,
      'whole',
    ])

    // Once the fill is complete, another PoP's range comes from the tier's copy.
    await expect
      .poll(async () => {
        const res = await at('AMS', '/video.bin', { range: 'bytes=0-0' })
        await res.arrayBuffer()
        return res.headers.get('cache-status')
      })
      .toMatch(/^edge-tier; hit/)
    const warm = await at('CDG', '/video.bin', { range: `bytes=${SIZE - 1000}-` })
    expect(warm.status).toBe(206)
    expect(Buffer.from(await warm.arrayBuffer()).equals(body.subarray(SIZE - 1000))).toBe(true)
    expect(warm.headers.get('cache-status')).toMatch(
      /^edge-tier; hit; ttl=\d+, edge-l1; fwd=uri-miss; fwd-status=206$/
    )
    expect(await proxy.control.hits('/video.bin')).toHaveLength(2)
  })
})
