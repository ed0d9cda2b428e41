import { describe, it } from 'vitest'
import { generated } from '../support/origin'
import { useProxyEdge } from '../support/proxy-edge'

// Concurrent requests of one isolate keep joining work another request started (purge-view
// refreshes every second, config loads, L1 fills). A joiner that resumed inside the other request
// failed with a 500 "Cannot perform I/O on behalf of a different request": 10 of these 3000
// requests before edge-cache/join-shared.ts, none since.
const proxy = useProxyEdge()

const POPS = ['FRA', 'LHR', 'AMS', 'CDG', 'MAD', 'MXP', 'WAW', 'ARN'].map((colo) => ({
  colo,
  country: 'DE',
  continent: 'EU',
}))
const SIZE = 8 * 1024

describe('state shared between concurrent requests of an isolate', () => {
  it('serves 3000 requests, 12 at a time from 8 PoPs, every one complete', async ({ expect }) => {
    const paths = Array.from({ length: 400 }, (_, i) => `/shared/${i}.bin`)
    for (const path of paths) {
      await proxy.control.script(path, {
        bytes: SIZE,
        headers: { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600' },
      })
    }
    const expected = generated(SIZE)
    const failures: string[] = []
    let next = 0
    const total = 3000
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < total) {
          const i = next++
          const pop = POPS[i % POPS.length]
          const path = paths[Math.floor((((i * 7919) % 1000) ** 2 / 1000 ** 2) * paths.length)]
          const res = await fetch(`${proxy.url}${path}`, {
            headers: { 'mf-cf-blob': JSON.stringify(pop) },
          })
          const body = Buffer.from(await res.arrayBuffer())
          if (res.status !== 200 || !body.equals(expected)) {
            failures.push(`${pop?.colo} ${path}: ${res.status} ${body.byteLength} bytes`)
          }
        }
      })
    )
    expect(failures).toEqual([])
  })
})
