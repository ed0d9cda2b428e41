import { abortAllDurableObjects } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it } from 'vitest'
import { putZone } from '../support/config'
import { originControl } from '../support/origin-control'
import { AMS, FRA, type Pop } from '../support/pops'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)

function get(url: string, cf: Pop = FRA) {
  return exports.default.fetch(new Request(url, { cf } as RequestInit))
}

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'faults',
    hosts: ['faults.test'],
    origin: { kind: 'http', url: originUrl },
  })
  await putZone(env.CONFIG_DB, {
    name: 'stalls',
    hosts: ['stalls.test'],
    origin: { kind: 'http', url: originUrl, timeoutMs: 300 },
  })
  await putZone(env.CONFIG_DB, {
    name: 'stalls-direct',
    hosts: ['stalls-direct.test'],
    origin: { kind: 'http', url: originUrl, timeoutMs: 300 },
    route: { tieredCache: false },
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

  it('gives up on an origin body that goes silent, so the URL does not hang for everyone', async ({
    expect,
  }) => {
    // Headers, then nothing for far longer than the origin's 300 ms timeout.
    await origin.script('/silent.bin', {
      sequence: [{ bytes: 100_000, bodyDelayMs: 30_000 }, { bytes: 100_000 }],
    })
    const first = await get('https://stalls.test/silent.bin')
    // Another PoP of the region joins the same tier fill while the origin is silent.
    const joined = await get('https://stalls.test/silent.bin', AMS)
    expect([first.status, joined.status]).toEqual([200, 200])
    await expect(first.arrayBuffer()).rejects.toThrow()
    await expect(joined.arrayBuffer()).rejects.toThrow()
    // The tier kept nothing: the origin is asked again and the body arrives whole (after at most
    // one read of a partial L1 copy, which local Miniflare may leave and which fails when read).
    let body: ArrayBuffer | undefined
    for (let i = 0; i < 3 && !body; i++) {
      body = await (await get('https://stalls.test/silent.bin'))
        .arrayBuffer()
        .catch(() => undefined)
    }
    expect(body?.byteLength).toBe(100_000)
    expect(await origin.hits('/silent.bin')).toHaveLength(2)
  })

  it('does not hand a client that sent no condition a 304 the origin sent unasked', async ({
    expect,
  }) => {
    // RFC 9110 §15.4.5: 304 answers a conditional request; the tier's request carried none.
    await origin.script('/unasked-304.css', { status: 304, removeHeaders: ['etag'] })
    const res = await get('https://faults.test/unasked-304.css')
    expect(res.status).toBe(502)
    expect(await res.json()).toMatchObject({ error: { code: 'origin_failed' } })
  })

  it('does not hand a client a 206 the origin sent to a request without Range', async ({
    expect,
  }) => {
    // RFC 9110 §15.3.7: 206 fulfils a range request; the tier asks for whole representations.
    await origin.script('/unasked-206.bin', {
      status: 206,
      headers: { 'content-range': 'bytes 0-9/100' },
      body: '0123456789',
    })
    const whole = await get('https://faults.test/unasked-206.bin')
    expect(whole.status).toBe(502)
    expect(await whole.json()).toMatchObject({ error: { code: 'origin_failed' } })
    // Nor a client that asked for another range than the one the origin chose.
    const ranged = await exports.default.fetch(
      new Request('https://faults.test/unasked-206.bin', {
        headers: { range: 'bytes=50-59' },
        cf: FRA,
      } as RequestInit)
    )
    expect(ranged.status).toBe(502)
    await ranged.body?.cancel()
  })

  it('without a tier too: requests waiting on the L1 copy of a silent body are let go', async ({
    expect,
  }) => {
    await origin.script('/silent-direct.bin', {
      sequence: [{ bytes: 100_000, bodyDelayMs: 30_000 }, { bytes: 100_000 }],
    })
    const first = await get('https://stalls-direct.test/silent-direct.bin')
    // Same PoP, same isolate: it waits for the first request's L1 copy.
    const waiting = get('https://stalls-direct.test/silent-direct.bin')
    await expect(first.arrayBuffer()).rejects.toThrow()
    // Let go when that copy fails, it asks the origin itself.
    const second = await waiting
    expect((await second.arrayBuffer()).byteLength).toBe(100_000)
    expect(await origin.hits('/silent-direct.bin')).toHaveLength(2)
  })
})
