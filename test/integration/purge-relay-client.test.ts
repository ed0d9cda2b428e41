import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { purgeLogName } from '../../edge-cache/purge/purge-log'
import { popGroupOf, relayName, relayShardOf } from '../../edge-cache/purge/purge-push'
import { regionNamed } from '../../schemas/regions'
import { relayReader } from '../../workers/purge-relay-client'
import { ManualClock } from '../support/clock'
import { eventually } from '../support/eventually'

const BOUND_MS = 50
const EU = regionNamed('eu')

function readerAt(colo: string, zone: string, clock: ManualClock, pending: Promise<unknown>[]) {
  return relayReader({
    namespace: env.PURGE_RELAY,
    region: EU,
    colo,
    zone,
    boundMs: BOUND_MS,
    clock,
    waitUntil: (promise) => pending.push(promise),
  })
}

async function purge(zone: string, value: string): Promise<number> {
  const log = env.PURGE_LOG.get(env.PURGE_LOG.idFromName(purgeLogName(zone)))
  return (await log.append([{ kind: 'url', value, soft: false }])).seq
}

/** Waits until the PoP group's relay holds `seq` of the zone (the lead pushed it on). */
async function relayHolds(colo: string, zone: string, seq: number): Promise<void> {
  const name = relayName(EU.name, relayShardOf(zone), popGroupOf(colo))
  const relay = env.PURGE_RELAY.get(env.PURGE_RELAY.idFromName(name))
  const holds = async () => ((await relay.deltas([{ zone, after: 0 }]))[0]?.seq ?? 0) >= seq
  expect(await eventually(holds, { intervalMs: 10 }), `${name} holds seq ${seq}`).toBe(true)
}

describe('PoP windows of the purge relays', () => {
  it('answers from the PoP window while it is young, and asks the relay once it is as old as the bound', async () => {
    const clock = new ManualClock(Date.now())
    const pending: Promise<unknown>[] = []
    const zone = 'window-young'
    const first = await readerAt('FRA', zone, clock, pending).snapshot(0)
    expect(first).toMatchObject({ seq: 0, askedAt: clock.now() })
    const seq = await purge(zone, 'window-young.test/a')
    await relayHolds('FRA', zone, seq)

    clock.advance(10)
    // Another isolate of the PoP reads the window: the relay already has the purge, the window
    // (10 ms old) does not, so an answer without it proves the relay was not asked.
    const young = await readerAt('FRA', zone, clock, pending).snapshot(0)
    expect(young).toMatchObject({ seq: 0, askedAt: first.askedAt })
    expect(pending).toHaveLength(0)

    clock.advance(BOUND_MS)
    const renewed = await readerAt('FRA', zone, clock, pending).snapshot(0)
    expect(renewed.seq).toBe(seq)
    expect(renewed.askedAt).toBe(clock.now())
    expect(renewed.records.map((r) => r.value)).toEqual(['window-young.test/a'])
  })

  it('refreshes a window past half the bound once, in the background, serving the request from it', async () => {
    const clock = new ManualClock(Date.now())
    const pending: Promise<unknown>[] = []
    const zone = 'window-early'
    const first = await readerAt('AMS', zone, clock, pending).snapshot(0)
    const seq = await purge(zone, 'window-early.test/a')
    await relayHolds('AMS', zone, seq)

    clock.advance(BOUND_MS / 2)
    const due = await readerAt('AMS', zone, clock, pending).snapshot(0)
    const again = await readerAt('AMS', zone, clock, pending).snapshot(0)
    expect(due).toMatchObject({ seq: 0, askedAt: first.askedAt })
    expect(again).toMatchObject({ seq: 0, askedAt: first.askedAt })
    expect(pending).toHaveLength(1)
    await Promise.all(pending)

    const refreshed = await readerAt('AMS', zone, clock, pending).snapshot(0)
    expect(refreshed).toMatchObject({ seq, askedAt: clock.now() })
    expect(pending).toHaveLength(1)
  })

  it('ahead of the bound, refreshes a window past half of it and answers with the new window', async () => {
    const clock = new ManualClock(Date.now())
    const pending: Promise<unknown>[] = []
    const zone = 'window-ahead'
    const first = await readerAt('CDG', zone, clock, pending).snapshot(0)
    const seq = await purge(zone, 'window-ahead.test/a')
    await relayHolds('CDG', zone, seq)

    clock.advance(BOUND_MS / 2)
    const ahead = await readerAt('CDG', zone, clock, pending).snapshot(0, true)
    expect(ahead).toMatchObject({ seq, askedAt: clock.now() })
    expect(ahead.askedAt).toBeGreaterThan(first.askedAt ?? 0)
    expect(pending).toHaveLength(0)
    // Another isolate of the PoP now reads the new window without asking.
    const shared = await readerAt('CDG', zone, clock, pending).snapshot(0)
    expect(shared).toMatchObject({ seq, askedAt: ahead.askedAt })
  })

  it('keeps one window per PoP: another PoP of the region asks its own relay', async () => {
    const clock = new ManualClock(Date.now())
    const pending: Promise<unknown>[] = []
    const zone = 'window-pops'
    await readerAt('MAD', zone, clock, pending).snapshot(0)
    const seq = await purge(zone, 'window-pops.test/a')
    await relayHolds('VIE', zone, seq)
    const elsewhere = await readerAt('VIE', zone, clock, pending).snapshot(0)
    expect(elsewhere.seq).toBe(seq)
  })

  it('asks the relay for an isolate behind the window history, from its own sequence', async () => {
    const clock = new ManualClock(Date.now())
    const pending: Promise<unknown>[] = []
    const zone = 'window-behind'
    const seqs = [
      await purge(zone, 'window-behind.test/a'),
      await purge(zone, 'window-behind.test/b'),
    ]
    await relayHolds('LHR', zone, seqs[1] ?? 0)
    // One isolate is current: the window starts at its sequence and holds nothing older.
    const current = await readerAt('LHR', zone, clock, pending).snapshot(seqs[1] ?? 0)
    expect(current.records).toEqual([])
    // Another has never seen the zone: it gets both records, from the relay.
    const behind = await readerAt('LHR', zone, clock, pending).snapshot(0)
    expect(behind.records.map((r) => r.value)).toEqual([
      'window-behind.test/a',
      'window-behind.test/b',
    ])
  })
})
