import { describe, expect, it } from 'vitest'
import {
  mergePushes,
  POP_GROUPS,
  parseRelayName,
  popGroupOf,
  RELAY_SHARDS,
  type RelayAddress,
  relayName,
  relayShardOf,
} from '../../../edge-cache/purge/purge-push'

describe('relay addressing', () => {
  it.each<[RelayAddress, string]>([
    [{ region: 'eu', shard: 7 }, 'purge-relay:eu:7'],
    [{ region: 'us', shard: 0, popGroup: 0 }, 'purge-relay:us:0:0'],
    [{ region: 'apac', shard: 31, popGroup: 63 }, 'purge-relay:apac:31:63'],
  ])('names %o %s and parses it back', (address, name) => {
    expect(relayName(address.region, address.shard, address.popGroup)).toBe(name)
    expect(parseRelayName(name)).toEqual(address)
  })

  it.each([undefined, '', 'tier:eu:1', 'purge-relay:eu', 'purge-relay:EU:1', 'purge-relay:eu:1:x'])(
    'parses %o as no relay',
    (name) => {
      expect(parseRelayName(name)).toBeUndefined()
    }
  )

  it('puts a zone in one relay shard and a colo in one pop group, whatever its case', () => {
    expect(relayShardOf('example')).toBe(relayShardOf('example'))
    expect(relayShardOf('example')).toBeLessThan(RELAY_SHARDS)
    expect(popGroupOf('fra')).toBe(popGroupOf('FRA'))
    expect(popGroupOf('FRA')).toBeGreaterThanOrEqual(0)
    expect(popGroupOf('FRA')).toBeLessThan(POP_GROUPS)
  })

  it('spreads 132 colos over pop groups with at most 8 in one', () => {
    // The purge model's busiest region: 132 PoPs, ~2 per group on average; hashing leaves
    // some groups fuller, and each PoP in a group adds its polls to the group's relays.
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
    const colos = Array.from(
      { length: 132 },
      (_, i) => `${letters[i % 26]}${letters[Math.floor(i / 26)]}X`
    )
    const sizes = new Map<number, number>()
    for (const colo of colos) sizes.set(popGroupOf(colo), (sizes.get(popGroupOf(colo)) ?? 0) + 1)
    expect(Math.max(...sizes.values())).toBeLessThanOrEqual(8)
  })
})

describe('mergePushes', () => {
  it('joins pushes of one zone in sequence order, keeping the earliest prevSeq', () => {
    const merged = mergePushes([
      {
        zone: 'a',
        prevSeq: 2,
        snapshot: { seq: 4, floor: 0, records: [{ seq: 4, kind: 'tag', value: 't', soft: false }] },
      },
      {
        zone: 'a',
        prevSeq: 1,
        snapshot: {
          seq: 4,
          floor: 0,
          records: [
            { seq: 2, kind: 'url', value: 'h/x', soft: false },
            { seq: 4, kind: 'tag', value: 't', soft: false },
          ],
        },
      },
    ])
    expect(merged).toEqual([
      {
        zone: 'a',
        prevSeq: 1,
        snapshot: {
          seq: 4,
          floor: 0,
          records: [
            { seq: 2, kind: 'url', value: 'h/x', soft: false },
            { seq: 4, kind: 'tag', value: 't', soft: false },
          ],
        },
      },
    ])
  })
})
