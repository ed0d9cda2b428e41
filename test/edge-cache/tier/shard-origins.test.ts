/**
 * A shard's origins against the test origin server on loopback (the real HTTP adapter): the
 * breaker and the drills run on the shard's clock, here a manual one.
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { originGet, ShardOrigins } from '../../../edge-cache/tier/shard-origins'
import { CircuitOpenError } from '../../../origin/errors'
import type { ChaosFault } from '../../../schemas/api/chaos'
import { ManualClock } from '../../support/clock'
import { startOrigin, type TestOrigin } from '../../support/origin'
import { originControl } from '../../support/origin-control'
import { tierRequest } from '../../support/tier-request'

let server: TestOrigin
let control: ReturnType<typeof originControl>
beforeAll(async () => {
  server = await startOrigin()
  control = originControl(server.url)
})
afterAll(() => server.close())

const noMonitors = async () => []

describe('originGet', () => {
  it('asks the origin for the route’s path and query, naming the client’s host', ({ expect }) => {
    const request = tierRequest('http://origin.test', 'a.test', '/x.css', {
      originPath: '/assets/x.css',
      search: '?v=2',
    })
    const get = originGet(request, new Headers({ accept: 'text/css' }))
    expect(get).toMatchObject({
      method: 'GET',
      path: '/assets/x.css',
      search: '?v=2',
      clientHost: 'a.test',
    })
    expect(get.headers.get('accept')).toBe('text/css')
  })
})

describe('ShardOrigins', () => {
  it('opens an origin’s breaker for every request of the shard and closes it on its clock', async ({
    expect,
  }) => {
    const clock = new ManualClock(Date.now())
    const origins = new ShardOrigins({}, 2000, clock, noMonitors)
    const path = '/breaker'
    await control.script(path, {
      sequence: [{ status: 503 }, { status: 503 }, { status: 200, body: 'recovered' }],
    })
    const request = tierRequest(server.url, 'a.test', path, {
      origin: {
        kind: 'http',
        url: server.url,
        resilience: { minRequests: 2, coolDownMs: 1000, retries: 0 },
      },
    })
    const fetchOnce = () => origins.originFor(request).fetch(originGet(request, new Headers()))
    for (let i = 0; i < 2; i++) expect((await fetchOnce()).status).toBe(503)
    await expect(fetchOnce()).rejects.toBeInstanceOf(CircuitOpenError)
    expect(await control.hits(path)).toHaveLength(2)
    clock.advance(1001)
    const probe = await fetchOnce()
    expect(probe.status).toBe(200)
    expect(await probe.text()).toBe('recovered')
  })

  it('counts a drilled member down until the drill ends on the shard’s clock', async ({
    expect,
  }) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1))
    const origins = new ShardOrigins({}, 2000, clock, noMonitors)
    const drill: ChaosFault = {
      id: 'd1',
      fault: 'member-down',
      share: 1,
      status: 503,
      member: 'eu-1',
      endsAt: clock.now() + 60_000,
    }
    const request = tierRequest(server.url, 'a.test', '/x', { chaos: [drill] })
    expect([...(await origins.downMembers(request))]).toEqual(['eu-1'])
    clock.advance(60_000)
    expect([...(await origins.downMembers(request))]).toEqual([])
  })
})
