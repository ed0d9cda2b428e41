/**
 * Chaos drills through the admin API and the edge: the `chaos` scope, the audit log, a drill of
 * origin errors for half the requests moving a failover pool's traffic to its backup, and the
 * drill ending by itself.
 * @see origin/chaos.ts
 */
import { afterAll, beforeAll, describe, inject, it } from 'vitest'
import { type AdminCall, admin } from '../support/admin'
import { ManualClock } from '../support/clock'
import { clockedWorker } from '../support/clocked-worker'
import { FRA } from '../support/pops'
import { onSameShard } from '../support/shards'
import { setTierClock, tierShardOf } from '../support/tier-clock'

const originUrl = inject('originUrl')
const HOST = 'https://drill.test'
const ANCHOR = `${HOST}/d/anchor`

/**
 * The admin API, the edge and the drill's tier shard keep time by this clock: the drill ends
 * when the test moves it past `endsAt`, whatever the config snapshot still holds.
 */
const clock = new ManualClock(Date.now())
const worker = clockedWorker(clock)

function call<T = unknown>(method: string, path: string, options: AdminCall = {}) {
  return admin<T>(method, path, { ...options, worker })
}

async function put(path: string, body: unknown) {
  const res = await call('PUT', path, { body })
  if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${JSON.stringify(res.body)}`)
}

async function chaosToken(scopes: string[]): Promise<string> {
  const res = await call<{ token: string }>('POST', '/zones/drill/tokens', { body: { scopes } })
  if (!res.body.result) throw new Error(`token: ${JSON.stringify(res.body)}`)
  return res.body.result.token
}

let n = 0
/** A cold URL of the zone, all in one tier shard (breakers are per shard). */
async function request(): Promise<{ status: number; member: string | null }> {
  const url = onSameShard(ANCHOR, `${HOST}/d/${n++}`)
  const res = await worker(new Request(url, { cf: FRA } as RequestInit))
  return { status: res.status, member: res.headers.get('edge-origin') }
}

describe('chaos drills', () => {
  let token: string
  let systemClockBack: () => Promise<void>
  beforeAll(async () => {
    systemClockBack = await setTierClock([tierShardOf(ANCHOR)], clock)
    await put('/zones/drill', { hosts: ['drill.test'] })
    await put('/zones/drill/origins/primary', {
      kind: 'http',
      url: `${originUrl}/primary`,
      // Out at 30 % failing attempts: half of them failing (the drill) clearly is.
      resilience: { retries: 0, coolDownMs: 1000, errorRatio: 0.3 },
    })
    await put('/zones/drill/origins/backup', { kind: 'http', url: `${originUrl}/backup` })
    await put('/zones/drill/origins/web', {
      kind: 'pool',
      steering: 'failover',
      members: [{ origin: 'primary' }, { origin: 'backup' }],
    })
    await put('/zones/drill/routes/all', { pathPrefix: '/', origin: 'web' })
    token = await chaosToken(['chaos', 'config:read'])
  })
  afterAll(() => systemClockBack())

  it('needs the chaos scope, which not even the bootstrap token holds', async ({ expect }) => {
    const drill = { fault: 'errors', share: 0.5, durationSeconds: 60 }
    expect((await call('POST', '/zones/drill/chaos', { body: drill })).status).toBe(403)
    const writer = await chaosToken(['config:write'])
    expect((await call('POST', '/zones/drill/chaos', { body: drill, token: writer })).status).toBe(
      403
    )
    const tooLong = await call('POST', '/zones/drill/chaos', {
      body: { ...drill, durationSeconds: 901 },
      token,
    })
    expect(tooLong.status).toBe(400)
    expect(tooLong.body.errors[0]?.message).toMatch(/^chaos\.durationSeconds/)
  })

  it('origin errors for half the requests move the pool to its backup, are audited and end on time', async ({
    expect,
  }) => {
    expect(await request()).toEqual({ status: 200, member: 'primary' })
    const started = await call<{ id: string; endsAt: number; active: boolean }>(
      'POST',
      '/zones/drill/chaos',
      {
        body: { fault: 'errors', share: 0.5, status: 503, member: 'primary', durationSeconds: 60 },
        token,
      }
    )
    expect(started.status).toBe(201)
    const drill = started.body.result
    expect(drill?.active).toBe(true)

    // Half the attempts at the primary answer 503 until its breaker opens: then the backup.
    const seen: string[] = []
    for (let i = 0; i < 200 && seen.at(-1) !== '200 backup'; i++) {
      const { status, member } = await request()
      seen.push(`${status} ${member}`)
    }
    expect(seen.at(-1)).toBe('200 backup')
    expect(seen).toContain('503 primary')

    const audit = await call<{ summary: { kind: string; id: string } }[]>(
      'GET',
      '/audit?zone=drill'
    )
    expect(audit.body.result?.map((e) => e.summary)).toContainEqual(
      expect.objectContaining({ kind: 'chaos drill', id: drill?.id })
    )

    // Over by itself: no operator ends it. Then the breaker's probe brings the primary back.
    expect(drill?.endsAt).toBe(clock.now() + 60_000)
    clock.advance(60_000)
    const list = await call<{ id: string; active: boolean }[]>('GET', '/zones/drill/chaos', {
      token,
    })
    expect(list.body.result).toContainEqual(
      expect.objectContaining({ id: drill?.id, active: false })
    )
    await expect
      .poll(async () => (await request()).member, { timeout: 10_000, interval: 200 })
      .toBe('primary')
  }, 60_000)
})

describe('a drill in one zone', () => {
  it('opens no breaker of another zone whose origin has the same spec', async ({ expect }) => {
    // The same origin, spelled alike in both zones: one breaker per spec would be shared.
    const shared = {
      kind: 'http',
      url: `${originUrl}/shared-breaker`,
      resilience: { retries: 0, coolDownMs: 600_000, errorRatio: 0.3 },
    }
    for (const zone of ['breaker-victim', 'breaker-driller']) {
      await put(`/zones/${zone}`, { hosts: [`${zone}.test`] })
      await put(`/zones/${zone}/origins/main`, shared)
      await put(`/zones/${zone}/routes/all`, { pathPrefix: '/', origin: 'main' })
    }
    const made = await call<{ token: string }>('POST', '/zones/breaker-driller/tokens', {
      body: { scopes: ['chaos'] },
    })
    const drill = await call('POST', '/zones/breaker-driller/chaos', {
      body: { fault: 'errors', durationSeconds: 60 },
      token: made.body.result?.token,
    })
    expect(drill.status).toBe(201)

    const anchor = 'https://breaker-victim.test/v/anchor'
    const get = (url: string) => worker(new Request(url, { cf: FRA } as RequestInit))
    // The drilling zone's own requests, in the victim's tier shard, until its breaker is open.
    const statuses: number[] = []
    for (let i = 0; i < 50; i++) {
      const res = await get(onSameShard(anchor, `https://breaker-driller.test/d/${i}`))
      await res.arrayBuffer()
      statuses.push(res.status)
    }
    expect(statuses).toContain(503)

    const res = await get(onSameShard(anchor, 'https://breaker-victim.test/v/after'))
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-status')).not.toContain('breaker')
    await res.arrayBuffer()
  }, 60_000)
})
