import { abortAllDurableObjects } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it } from 'vitest'
import { putZone } from '../support/config'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)

function get(url: string) {
  return exports.default.fetch(new Request(url, { cf: FRA } as RequestInit))
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'faults',
    hosts: ['faults.test'],
    origin: { kind: 'http', url: originUrl },
  })
})

describe('faults', () => {
  it('degrades to edge → origin when the tier object is reset mid-request, and says so', async ({
    expect,
  }) => {
    await origin.script('/evicted.css', { delayMs: 400 })
    const pending = get('https://faults.test/evicted.css')
    // The request is at the origin (through the tier), which takes 400 ms to answer.
    await expect.poll(async () => (await origin.hits('/evicted.css')).length).toBe(1)
    // Resets every Durable Object, the tier shard serving this request among them.
    await abortAllDurableObjects()
    const res = await pending
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('origin body for /evicted.css')
    expect(res.headers.get('cache-status')).toContain('detail=tier-unavailable')
    // The next request finds a working tier again.
    const next = await get('https://faults.test/evicted-next.css')
    expect(next.status).toBe(200)
    expect(next.headers.get('cache-status')).toMatch(/^edge-tier; fwd=uri-miss/)
    await next.text()
  })

  it('never presents a body cut off by the origin as complete, and recovers', async ({
    expect,
  }) => {
    await origin.script('/cut.bin', {
      sequence: [{ bytes: 300_000, dieAfterBytes: 100_000 }, { bytes: 300_000 }],
    })
    const res = await get('https://faults.test/cut.bin')
    expect(res.status).toBe(200)
    await expect(res.arrayBuffer()).rejects.toThrow()
    // Every later answer is either complete or fails while read; a partial copy some cache
    // kept is dropped when met, so a complete answer follows within a few requests.
    let complete = 0
    for (let i = 0; i < 5 && complete === 0; i++) {
      const again = await get('https://faults.test/cut.bin')
      const body = await again.arrayBuffer().catch(() => undefined)
      if (body) {
        expect(body.byteLength).toBe(300_000)
        complete++
      }
    }
    expect(complete).toBe(1)
  })
})
