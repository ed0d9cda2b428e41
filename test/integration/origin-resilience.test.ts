/**
 * Retries and the per-origin circuit breaker end to end through the edge
 * (`exports.default.fetch`) against the test HTTP origin, counting what reaches the origin. The
 * breaker lives in the tier shard, so every request here is for one URL (one shard); each test
 * has its own zone whose origin spec differs, hence its own breaker.
 */
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, inject, it, onTestFinished } from 'vitest'
import type { OriginSpec } from '../../schemas/api/config'
import { resetConfigSnapshot } from '../../workers/config/snapshot'
import { ManualClock } from '../support/clock'
import { clockedWorker } from '../support/clocked-worker'
import { putZone } from '../support/config'
import type { OriginScript } from '../support/origin'
import { originControl } from '../support/origin-control'
import { FRA } from '../support/pops'
import { onSameShard } from '../support/shards'
import { setTierClock, tierShardOf } from '../support/tier-clock'

const originUrl = inject('originUrl')
const origin = originControl(originUrl)
const COOL_DOWN_MS = 600

function get(url: string) {
  return exports.default.fetch(new Request(url, { cf: FRA } as RequestInit))
}

/**
 * A manual clock for the shard the edge sends `url` to (its breakers run on it); the shard gets
 * the system clock back when the test ends.
 */
async function shardClock(url: string): Promise<ManualClock> {
  const clock = new ManualClock(Date.now())
  onTestFinished(await setTierClock([tierShardOf(url)], clock))
  return clock
}

/** A zone of its own (so a breaker of its own) on the test origin. */
async function zone(name: string, spec: Partial<Extract<OriginSpec, { kind: 'http' }>> = {}) {
  await putZone(env.CONFIG_DB, {
    name,
    hosts: [`${name}.test`],
    origin: { kind: 'http', url: originUrl, ...spec },
  })
  return `https://${name}.test`
}

const NO_STORE = { headers: { 'cache-control': 'no-store' } }
const fail = (status: number): OriginScript => ({ status, ...NO_STORE, body: `failed ${status}` })
const ok = (body: string): OriginScript => ({ ...NO_STORE, body })

describe('the circuit breaker, through the edge', () => {
  let host: string
  beforeAll(async () => {
    host = await zone('breaker', {
      resilience: { failureThreshold: 3, coolDownMs: COOL_DOWN_MS, retries: 0 },
    })
  })

  it('opens after 3 origin-level failures (a config with the old failureThreshold), answers 503 + Retry-After without an origin hit, probes after the cool-down and closes', async ({
    expect,
  }) => {
    const path = '/flaky'
    const clock = await shardClock(`${host}${path}`)
    await origin.script(path, {
      sequence: [fail(502), fail(503), fail(504), ok('recovered'), fail(502), ok('fine')],
    })
    for (const status of [502, 503, 504]) {
      const res = await get(`${host}${path}`)
      expect(res.status).toBe(status)
      await res.arrayBuffer()
    }
    expect(await origin.hits(path)).toHaveLength(3)

    const refused = await get(`${host}${path}`)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.headers.get('cache-control')).toBe('no-store')
    expect(refused.headers.get('cache-status')).toMatch(/edge-tier; .*detail=origin-error/)
    const body = (await refused.json()) as { error: { code: string; retryAfterSeconds: number } }
    expect(body.error).toMatchObject({ code: 'origin_circuit_open', retryAfterSeconds: 1 })
    // a second refusal still costs the origin nothing
    await (await get(`${host}${path}`)).arrayBuffer()
    expect(await origin.hits(path)).toHaveLength(3)

    clock.advance(COOL_DOWN_MS + 50)
    const probe = await get(`${host}${path}`)
    expect(probe.status).toBe(200)
    expect(await probe.text()).toBe('recovered')
    expect(await origin.hits(path)).toHaveLength(4)

    // Closed again: one failure is passed through, not a refusal, and the next request is served.
    const once = await get(`${host}${path}`)
    expect(once.status).toBe(502)
    await once.arrayBuffer()
    const after = await get(`${host}${path}`)
    expect(after.status).toBe(200)
    expect(await after.text()).toBe('fine')
    expect(await origin.hits(path)).toHaveLength(6)
  })

  it('re-opens when the half-open probe fails, for another whole cool-down', async ({ expect }) => {
    const host2 = await zone('breaker-reopen', {
      resilience: { failureThreshold: 2, coolDownMs: COOL_DOWN_MS + 1, retries: 0 },
    })
    const path = '/still-down'
    const clock = await shardClock(`${host2}${path}`)
    await origin.script(path, { sequence: [fail(503), fail(503), fail(503), ok('up')] })
    for (let i = 0; i < 2; i++) await (await get(`${host2}${path}`)).arrayBuffer()
    expect((await get(`${host2}${path}`)).status).toBe(503)
    expect(await origin.hits(path)).toHaveLength(2)

    clock.advance(COOL_DOWN_MS + 50)
    const probe = await get(`${host2}${path}`)
    // the probe reached the origin, whose own 503 is passed through
    expect(probe.status).toBe(503)
    expect(await probe.text()).toBe('failed 503')
    expect(await origin.hits(path)).toHaveLength(3)

    const refused = await get(`${host2}${path}`)
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'origin_circuit_open'
    )
    expect(await origin.hits(path)).toHaveLength(3)

    clock.advance(COOL_DOWN_MS + 50)
    const recovered = await get(`${host2}${path}`)
    expect(recovered.status).toBe(200)
    expect(await recovered.text()).toBe('up')
  })

  it('opens on refused connections too', async ({ expect }) => {
    await putZone(env.CONFIG_DB, {
      name: 'breaker-refused',
      hosts: ['breaker-refused.test'],
      // A port nothing listens on: connection refused.
      origin: {
        kind: 'http',
        url: 'http://127.0.0.1:9',
        resilience: { failureThreshold: 2, coolDownMs: 60_000, retries: 0 },
      },
    })
    const codes: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await get('https://breaker-refused.test/x')
      codes.push(`${res.status} ${((await res.json()) as { error: { code: string } }).error.code}`)
    }
    expect(codes).toEqual([
      '502 origin_unreachable',
      '502 origin_unreachable',
      '503 origin_circuit_open',
    ])
  })

  it('passes application 500s through with the defaults and never opens', async ({ expect }) => {
    const host4 = await zone('breaker-defaults')
    await origin.script('/app-bug', fail(500))
    for (let i = 0; i < 40; i++) {
      const res = await get(`${host4}/app-bug`)
      expect(res.status).toBe(500)
      expect(await res.text()).toBe('failed 500')
    }
    expect(await origin.hits('/app-bug')).toHaveLength(40)
    const other = await get(`${host4}/app-bug`)
    expect(other.status).toBe(500)
    expect(await origin.hits('/app-bug')).toHaveLength(41)
  })

  it('serves a stored copy stale beyond stale-if-error while the origin is out, marked origin-down', async ({
    expect,
  }) => {
    const host3 = await zone('breaker-stale', {
      resilience: { minRequests: 1, coolDownMs: 60_000, retries: 0 },
    })
    const path = '/stale-ok'
    // Same shard, so the breaker that the first path opens refuses this one too.
    const strict = onSameShard(`${host3}${path}`, `${host3}/must-revalidate`).slice(host3.length)
    await origin.script(path, {
      sequence: [{ body: 'kept', headers: { 'cache-control': 'max-age=1' } }, fail(503)],
    })
    await origin.script('/must-revalidate', {
      body: 'strict',
      headers: { 'cache-control': 'max-age=1, must-revalidate' },
    })
    // The edge (its L1 copies) and the shard keep time by one clock: max-age=1 passes for both.
    const clock = await shardClock(`${host3}${path}`)
    const worker = clockedWorker(clock)
    // The config snapshot is loaded at this clock's time, soon ahead of the system clock the
    // other tests' Worker reads: they load their own.
    onTestFinished(resetConfigSnapshot)
    const get = (url: string) => worker(new Request(url, { cf: FRA } as RequestInit))
    expect(await (await get(`${host3}${path}`)).text()).toBe('kept')
    expect(await (await get(`${host3}${strict}`)).text()).toBe('strict')
    clock.advance(1_100)
    // The origin's own 503s are its answers (no stale-if-error window): passed through. With
    // the two 200s before them, the second makes half the window fail and opens the breaker.
    for (let i = 0; i < 2; i++) {
      const answered = await get(`${host3}${path}`)
      expect(answered.status).toBe(503)
      expect(await answered.text()).toBe('failed 503')
    }
    for (let i = 0; i < 3; i++) {
      const res = await get(`${host3}${path}`)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('kept')
      expect(res.headers.get('cache-status')).toMatch(/^edge-tier; fwd=stale; detail=origin-down/)
    }
    expect(await origin.hits(path)).toHaveLength(3)
    // must-revalidate forbids stale use even now (RFC 9111 §4.2.4): 503, the origin not asked.
    const refused = await get(`${host3}${strict}`)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'origin_circuit_open'
    )
    expect(await origin.hits(strict)).toHaveLength(1)
  })
})

describe('retries, through the edge', () => {
  let host: string
  beforeAll(async () => {
    host = await zone('retry', {
      timeoutMs: 300,
      resilience: { retries: 2, backoffBaseMs: 20, failureThreshold: 10 },
    })
  })

  it('retries a GET whose first connection died before any response: the client gets 200', async ({
    expect,
  }) => {
    const path = '/reset-once'
    await origin.script(path, { sequence: [{ destroy: true }, { body: 'second try' }] })
    const res = await get(`${host}${path}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('second try')
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('retries a GET whose first attempt timed out before the first byte', async ({ expect }) => {
    const path = '/hang-once'
    await origin.script(path, { sequence: [{ hang: true }, { body: 'in time' }] })
    const res = await get(`${host}${path}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('in time')
    expect(await origin.hits(path)).toHaveLength(2)
  })

  it('does not retry once the response has started: the client sees the failure', async ({
    expect,
  }) => {
    const path = '/die-midway'
    await origin.script(path, {
      sequence: [{ bytes: 100_000, dieAfterBytes: 10 }, { body: 'never asked' }],
    })
    const res = await get(`${host}${path}`)
    expect(res.status).toBe(200)
    await expect(res.arrayBuffer()).rejects.toThrow()
    expect(await origin.hits(path)).toHaveLength(1)
  })

  it('gives up after the configured retries', async ({ expect }) => {
    const path = '/reset-always'
    await origin.script(path, { destroy: true })
    const res = await get(`${host}${path}`)
    expect(res.status).toBe(502)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'origin_unreachable'
    )
    expect(await origin.hits(path)).toHaveLength(3)
  })
})

describe("the edge's own origin requests (uncached methods, routes without the tier)", () => {
  it('open the breaker for the origin after 3 failures: POSTs are refused without an origin hit', async ({
    expect,
  }) => {
    await putZone(env.CONFIG_DB, {
      name: 'edge-breaker',
      hosts: ['edge-breaker.test'],
      origin: {
        kind: 'http',
        url: originUrl,
        resilience: { failureThreshold: 3, coolDownMs: 60_000, retries: 0 },
      },
    })
    const path = '/form'
    await origin.script(path, fail(502))
    const post = () =>
      exports.default.fetch(
        new Request(`https://edge-breaker.test${path}`, {
          method: 'POST',
          body: 'x=1',
          cf: FRA,
        } as RequestInit)
      )
    for (let i = 0; i < 3; i++) {
      const res = await post()
      expect(res.status).toBe(502)
      await res.arrayBuffer()
    }
    const refused = await post()
    expect(refused.status).toBe(503)
    expect(refused.headers.get('cache-status')).toMatch(/^edge-l1; fwd=method/)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'origin_circuit_open'
    )
    expect(await origin.hits(path)).toHaveLength(3)
  })

  it('retry a GET on a route without the tier', async ({ expect }) => {
    await putZone(env.CONFIG_DB, {
      name: 'edge-retry',
      hosts: ['edge-retry.test'],
      origin: { kind: 'http', url: originUrl, resilience: { retries: 2, backoffBaseMs: 1 } },
      route: { tieredCache: false },
    })
    const path = '/flaky-direct'
    await origin.script(path, { sequence: [{ destroy: true }, { body: 'second try' }] })
    const res = await get(`https://edge-retry.test${path}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('second try')
    expect(await origin.hits(path)).toHaveLength(2)
  })
})
