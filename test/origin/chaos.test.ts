/**
 * Chaos faults on origin attempts, with the clock and the dice injected.
 * @see origin/chaos.ts
 */
import { describe, it } from 'vitest'
import { activeFaults, chaosOrigin, drilledDown } from '../../origin/chaos'
import { OriginError } from '../../origin/errors'
import type { Origin } from '../../origin/types'
import type { ChaosFault } from '../../schemas/api/chaos'

const ok: Origin = { fetch: async () => new Response('origin') }
const request = { method: 'GET', path: '/', search: '', headers: new Headers() }
const fault = (extra: Partial<ChaosFault>): ChaosFault => ({
  id: 'd1',
  fault: 'errors',
  share: 1,
  status: 503,
  endsAt: 1000,
  ...extra,
})

describe('chaosOrigin', () => {
  it('answers the drill status for its share of attempts, the origin for the rest', async ({
    expect,
  }) => {
    const dice = [0.2, 0.7, 0.49, 0.5]
    const origin = chaosOrigin(ok, 'primary', [fault({ share: 0.5 })], {
      now: () => 0,
      random: () => dice.shift() ?? 1,
    })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await origin.fetch(request)).status)
    expect(statuses).toEqual([503, 200, 503, 200])
  })

  it('does nothing once the drill has ended', async ({ expect }) => {
    const origin = chaosOrigin(ok, 'primary', [fault({})], { now: () => 1000, random: () => 0 })
    expect((await origin.fetch(request)).status).toBe(200)
  })

  it('fails as a reset connection, and waits for latency drills', async ({ expect }) => {
    const slept: number[] = []
    const options = {
      now: () => 0,
      random: () => 0,
      sleep: async (ms: number) => void slept.push(ms),
    }
    const reset = chaosOrigin(ok, 'a', [fault({ fault: 'resets' })], options)
    await expect(reset.fetch(request)).rejects.toBeInstanceOf(OriginError)
    const slow = chaosOrigin(ok, 'a', [fault({ fault: 'latency', latencyMs: 250 })], options)
    expect((await slow.fetch(request)).status).toBe(200)
    expect(slept).toEqual([250])
  })

  it('hits only the member a drill names', async ({ expect }) => {
    const faults = [fault({ member: 'primary' })]
    const options = { now: () => 0, random: () => 0 }
    expect((await chaosOrigin(ok, 'backup', faults, options).fetch(request)).status).toBe(200)
    expect((await chaosOrigin(ok, 'primary', faults, options).fetch(request)).status).toBe(503)
  })
})

describe('drilledDown / activeFaults', () => {
  it('lists the members forced down until the drill ends', ({ expect }) => {
    const faults = [fault({ fault: 'member-down', member: 'a', endsAt: 10 })]
    expect(drilledDown(faults, 9)).toEqual(['a'])
    expect(drilledDown(faults, 10)).toEqual([])
    expect(activeFaults(faults, 'errors', 0)).toEqual([])
  })
})
