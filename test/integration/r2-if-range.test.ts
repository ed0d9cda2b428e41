/**
 * An R2 object carries no `Date`, so the layers that cache it add the time they received it
 * (RFC 9110 §6.6.1); without it, `If-Range` with the object's `Last-Modified` could never be
 * judged strong (§13.1.5) and every such resumed download got the whole body again. The edge and
 * the tier run on one manual clock set 10 s after the upload, so the validator is strong.
 */
import { env } from 'cloudflare:workers'
import { beforeAll, describe, it, onTestFinished } from 'vitest'
import { ManualClock } from '../support/clock'
import { clockedWorker } from '../support/clocked-worker'
import { putZone } from '../support/config'
import { AMS, FRA } from '../support/pops'
import { setTierClock, tierShardOf } from '../support/tier-clock'

const HOST = 'r2-if-range.test'
const PREFIX = 'r2-if-range/'
const BODY = '0123456789abcdefghij'

beforeAll(async () => {
  await putZone(env.CONFIG_DB, {
    name: 'r2-if-range',
    hosts: [HOST],
    origin: { kind: 'r2', binding: 'ORIGIN_BUCKET', prefix: PREFIX },
  })
})

describe('R2 objects and If-Range', () => {
  it('stores a Date, so a range with If-Range: Last-Modified is a 206 from L1 and from the tier', async ({
    expect,
  }) => {
    const object = await env.ORIGIN_BUCKET.put(`${PREFIX}doc.txt`, BODY, {
      httpMetadata: { cacheControl: 'public, max-age=600', contentType: 'text/plain' },
    })
    if (!object) throw new Error('R2 put failed')
    const clock = new ManualClock(object.uploaded.getTime() + 10_000)
    const url = `https://${HOST}/doc.txt`
    onTestFinished(await setTierClock([tierShardOf(url)], clock))
    const fetch = clockedWorker(clock)
    const get = (headers: HeadersInit = {}, cf: object = FRA) =>
      fetch(new Request(url, { cf, headers } as RequestInit))

    const first = await get({ 'accept-encoding': 'identity' })
    expect(first.status).toBe(200)
    const date = first.headers.get('date')
    expect(date).not.toBeNull()
    expect(Date.parse(date ?? '')).toBe(Math.floor(clock.now() / 1000) * 1000)
    const lastModified = first.headers.get('last-modified') ?? ''
    expect(Date.parse(lastModified)).toBeLessThan(Date.parse(date ?? ''))

    const resume = { range: 'bytes=10-', 'if-range': lastModified, 'accept-encoding': 'identity' }
    // FRA's L1 holds it; AMS misses its L1 and the tier answers with its stored copy.
    for (const [pop, layer] of [
      [FRA, 'edge-l1; hit'],
      [AMS, 'edge-tier; hit'],
    ] as const) {
      const part = await get(resume, pop)
      expect(part.headers.get('cache-status')).toContain(layer)
      expect(part.status).toBe(206)
      expect(part.headers.get('content-range')).toBe(`bytes 10-19/${BODY.length}`)
      expect(await part.text()).toBe(BODY.slice(10))
    }
    // A Last-Modified that is not the stored one still gets the whole body.
    const other = await get({ ...resume, 'if-range': new Date(0).toUTCString() })
    expect(other.status).toBe(200)
    expect(await other.text()).toBe(BODY)
  })
})
