/**
 * Ranges of bodies too large for L1, answered by the tier itself: from the rows (or the R2
 * object) that hold them, during and after the fill, instead of the whole body streamed to the
 * edge to be cut. The tier answers ranges of bodies above `range.minSize`, which the edge sets to
 * its L1 limit (16 MiB); here 1 MiB, so that bodies fit the test shard's 8 MiB budget.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, inject, it } from 'vitest'
import { generated } from '../support/origin'
import { originControl } from '../support/origin-control'
import { tierRequest } from '../support/tier-request'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
const MiB = 1024 * 1024
const SIZE = 5 * MiB + 123
const HEADERS = { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600' }

function shard(n: number) {
  return env.CACHE_TIER.get(env.CACHE_TIER.idFromName(`tier:eu:${200 + n}`))
}

function request(path: string, range?: string, ifRange?: string) {
  const extra = range ? { range: { value: range, ifRange, minSize: MiB } } : {}
  return tierRequest(originUrl, 'range.test', path, extra)
}

function bodiesInR2(tier: ReturnType<typeof shard>): Promise<number> {
  return runInDurableObject(
    tier,
    (_tier, state) => state.storage.sql.exec('SELECT body_id FROM r2_bodies').toArray().length
  )
}

async function bytesOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer())
}

describe('the tier answers ranges of large bodies itself', () => {
  it('answers a range during the fill, from the rows as they are written, with one origin fetch', async ({
    expect,
  }) => {
    await origin.script('/during.bin', { bytes: SIZE, headers: HEADERS })
    const tier = shard(1)
    const response = await tier.serve(request('/during.bin', 'bytes=4500000-4600000'))
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe(`bytes 4500000-4600000/${SIZE}`)
    expect(response.headers.get('content-length')).toBe('100001')
    expect((await bytesOf(response)).equals(generated(SIZE).subarray(4500000, 4600001))).toBe(true)
    expect(response.headers.get('cache-status')).toMatch(/^edge-tier; fwd=uri-miss;.*stored/)
    expect(await origin.hits('/during.bin')).toHaveLength(1)
  })

  it('answers ranges of a stored body from its R2 object: start, across rows, open, suffix; no origin fetch', async ({
    expect,
  }) => {
    await origin.script('/stored.bin', { bytes: SIZE, headers: HEADERS })
    const tier = shard(2)
    const whole = await tier.serve(request('/stored.bin'))
    expect((await bytesOf(whole)).equals(generated(SIZE))).toBe(true)
    // Bodies above TIER_R2_THRESHOLD_BYTES (1 MiB here) move to R2: read the ranges there.
    await expect.poll(() => bodiesInR2(tier)).toBe(1)
    const body = generated(SIZE)
    for (const [range, start, end] of [
      ['bytes=0-9', 0, 9],
      ['bytes=524287-524288', 524287, 524288],
      ['bytes=3000000-', 3000000, SIZE - 1],
      ['bytes=-1000', SIZE - 1000, SIZE - 1],
    ] as const) {
      const response = await tier.serve(request('/stored.bin', range))
      expect(response.status, range).toBe(206)
      expect(response.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${SIZE}`)
      expect(response.headers.get('cache-status'), range).toMatch(/^edge-tier; hit/)
      expect((await bytesOf(response)).equals(body.subarray(start, end + 1)), range).toBe(true)
    }
    expect(await origin.hits('/stored.bin')).toHaveLength(1)
  })

  it('answers ranges of a stored body from its rows, across a row boundary', async ({ expect }) => {
    await origin.script('/rows.bin', { bytes: SIZE, headers: HEADERS })
    const tier = shard(5)
    const whole = tier.serve(request('/rows.bin'))
    // Asked while the body is still in SQLite rows (the move to R2 starts after commit).
    const range = await tier.serve(request('/rows.bin', 'bytes=524000-1049000'))
    expect(range.status).toBe(206)
    expect((await bytesOf(range)).equals(generated(SIZE).subarray(524000, 1049001))).toBe(true)
    await bytesOf(await whole)
    expect(await origin.hits('/rows.bin')).toHaveLength(1)
  })

  it('answers 416 with the size for a range past the end, and the whole body when If-Range fails', async ({
    expect,
  }) => {
    await origin.script('/edges.bin', { bytes: SIZE, headers: HEADERS })
    const tier = shard(3)
    await bytesOf(await tier.serve(request('/edges.bin')))
    const past = await tier.serve(request('/edges.bin', `bytes=${SIZE}-`))
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${SIZE}`)
    const stale = await tier.serve(request('/edges.bin', 'bytes=0-9', '"not-the-etag"'))
    expect(stale.status).toBe(200)
    expect((await bytesOf(stale)).byteLength).toBe(SIZE)
  })

  it('answers a range of a stored non-200 with the whole response', async ({ expect }) => {
    await origin.script('/missing.bin', { status: 404, bytes: SIZE, headers: HEADERS })
    const tier = shard(6)
    await bytesOf(await tier.serve(request('/missing.bin')))
    const response = await tier.serve(request('/missing.bin', 'bytes=0-9'))
    expect(response.status).toBe(404)
    expect(response.headers.get('cache-status')).toMatch(/^edge-tier; hit/)
    expect((await bytesOf(response)).byteLength).toBe(SIZE)
  })

  it('leaves small bodies whole for the edge to cut and keep in L1', async ({ expect }) => {
    await origin.script('/small.bin', { bytes: 64 * 1024, headers: HEADERS })
    const response = await shard(4).serve(request('/small.bin', 'bytes=0-9'))
    expect(response.status).toBe(200)
    expect((await bytesOf(response)).byteLength).toBe(64 * 1024)
  })
})

describe('ranges of large bodies the tier does not store', () => {
  const PRIVATE = { 'content-type': 'video/mp4', 'cache-control': 'private' }
  const isRanged = (value: string) => (hit: { headers: Record<string, unknown> }) =>
    hit.headers.range === value

  it('asks the origin for the range once the whole answer shows its length, instead of streaming all of it', async ({
    expect,
  }) => {
    await origin.script('/private.mp4', { bytes: SIZE, headers: PRIVATE })
    const response = await shard(7).serve(request('/private.mp4', 'bytes=5000000-5000099'))
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe(`bytes 5000000-5000099/${SIZE}`)
    expect(response.headers.get('cache-status')).toContain('detail=range-from-origin')
    const want = generated(SIZE).subarray(5000000, 5000100)
    expect((await bytesOf(response)).equals(want)).toBe(true)
    // The first request learnt the answer is not stored; the second asked for the range alone.
    const hits = await origin.hits('/private.mp4')
    expect(hits.map((hit) => hit.headers.range)).toEqual([undefined, 'bytes=5000000-5000099'])
  })

  it('sends the range of a waiter that joined a fill that was not stored straight to the origin', async ({
    expect,
  }) => {
    await origin.script('/private-joined.mp4', { bytes: SIZE, headers: PRIVATE, delayMs: 200 })
    const tier = shard(8)
    const [leader, waiter] = await Promise.all([
      tier.serve(request('/private-joined.mp4', 'bytes=100-199')),
      tier.serve(request('/private-joined.mp4', 'bytes=-100')),
    ])
    expect((await bytesOf(leader)).equals(generated(SIZE).subarray(100, 200))).toBe(true)
    // The test origin ignores Range: its whole 200 goes on for the edge to cut, as before.
    expect(waiter.status).toBe(200)
    expect(waiter.headers.get('cache-status')).not.toContain('collapsed')
    expect((await bytesOf(waiter)).byteLength).toBe(SIZE)
    const hits = await origin.hits('/private-joined.mp4')
    expect(hits.filter(isRanged('bytes=-100'))).toHaveLength(1)
    expect(hits.filter(isRanged('bytes=100-199'))).toHaveLength(1)
  })

  it('answers 416 for a range past the end of a body it does not store', async ({ expect }) => {
    await origin.script('/private-short.mp4', { bytes: SIZE, headers: PRIVATE })
    const response = await shard(9).serve(request('/private-short.mp4', `bytes=${SIZE}-`))
    expect(response.status).toBe(416)
    expect(response.headers.get('content-range')).toBe(`bytes */${SIZE}`)
  })
})
