/**
 * Passive origin health end to end through `wrangler dev` in proxy mode, with the platform's
 * default configuration (no resilience settings anywhere): an application's 500s are its
 * answers and never cut the origin off; an origin that refuses connections is taken out, its
 * stored copies served stale (`detail=origin-down`), and brought back by one half-open probe.
 * Regression test for https://github.com/edge-cdn/edge-cdn/issues/12.
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { startOrigin, type TestOrigin } from '../support/origin'
import { originControl } from '../support/origin-control'
import { AMS, FRA, IAD, SIN } from '../support/pops'
import { type RunningEdge, startEdge } from '../support/wrangler-dev'

let origin: TestOrigin
let port: number
let edge: RunningEdge

beforeAll(async () => {
  origin = await startOrigin()
  port = Number(new URL(origin.url).port)
  edge = await startEdge({ vars: { ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: '1500' } })
})
afterAll(async () => {
  await edge?.stop()
  await origin?.close()
})

const POPS = [FRA, AMS, IAD, SIN]

function at(pop: (typeof POPS)[number], path: string) {
  return fetch(`${edge.url}${path}`, { headers: { 'mf-cf-blob': JSON.stringify(pop) } })
}

describe('passive health with the default configuration', () => {
  it('passes 200 application 500s of one path through from several PoPs; every other path keeps answering 200', async ({
    expect,
  }) => {
    const control = originControl(origin.url)
    await control.script('/broken/endpoint', {
      status: 500,
      body: 'application bug',
      headers: { 'cache-control': 'no-store' },
    })
    const statuses: number[] = []
    // 200 requests in rounds of 8 at once, spread over four PoPs (two regions' tiers).
    for (let round = 0; round < 25; round++) {
      const answers = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const res = await at(POPS[i % POPS.length] as (typeof POPS)[number], '/broken/endpoint')
          expect(await res.text()).toBe('application bug')
          return res.status
        })
      )
      statuses.push(...answers)
    }
    expect(statuses).toEqual(Array(200).fill(500))
    expect(await control.hits('/broken/endpoint')).toHaveLength(200)

    for (const pop of POPS) {
      for (let n = 0; n < 10; n++) {
        const res = await at(pop, `/site/page-${n}.html`)
        expect(res.status).toBe(200)
        expect(await res.text()).toBe(`origin body for /site/page-${n}.html`)
      }
    }
  }, 120_000)

  it('takes a refusing origin out: stale copies with detail=origin-down, 503 + Retry-After for the rest, and a half-open probe brings it back', async ({
    expect,
  }) => {
    const cached = '/health/cached.css'
    // Stale on arrival (Age = max-age): the tier keeps it to revalidate (it has an ETag).
    await originControl(origin.url).script(cached, {
      body: 'old copy',
      headers: { 'cache-control': 'max-age=1', age: '1' },
    })
    expect(await (await at(FRA, cached)).text()).toBe('old copy')

    await origin.close() // the port now refuses connections
    const stale = await at(FRA, cached)
    expect(stale.status).toBe(200)
    expect(await stale.text()).toBe('old copy')
    expect(stale.headers.get('cache-status')).toMatch(/^edge-tier; fwd=stale; detail=origin-down/)

    // Each request is 3 refused attempts (2 retries). The shard's window may still hold the
    // successes of the test before: the breaker opens once failures are half of the window.
    const answers: string[] = []
    let refused: Response | undefined
    const until = Date.now() + 45_000
    while (Date.now() < until && !refused) {
      const res = await at(FRA, '/health/uncached.js')
      const { error } = (await res.json()) as { error: { code: string } }
      answers.push(`${res.status} ${error.code}`)
      if (res.status === 503) refused = res
    }
    expect(answers.at(-1)).toBe('503 origin_circuit_open')
    expect(answers.slice(0, -1).every((a) => a === '502 origin_unreachable')).toBe(true)
    const retryAfter = Number(refused?.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(10)
    // The stored copy is still served while the breaker is open.
    const whileOpen = await at(FRA, cached)
    expect(await whileOpen.text()).toBe('old copy')
    expect(whileOpen.headers.get('cache-status')).toMatch(/detail=origin-down/)

    origin = await startOrigin(port)
    // The shard's breaker half-opens once Retry-After has passed on wrangler dev's clock.
    // real time: no test clock reaches an object under wrangler dev
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200))
    const probe = await at(FRA, '/health/uncached.js')
    expect(probe.status).toBe(200)
    expect(await probe.text()).toBe('origin body for /health/uncached.js')
    // Closed again: fresh content flows for the stale path too (its own shard probes likewise).
    await expect
      .poll(
        async () => {
          const res = await at(FRA, cached)
          return `${res.status} ${await res.text()}`
        },
        { timeout: 15_000, interval: 500 }
      )
      .toBe('200 origin body for /health/cached.css')
  }, 120_000)
})
