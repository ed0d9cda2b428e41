import { describe, it } from 'vitest'
import {
  PurgeIndex,
  type PurgeRecord,
  type PurgeTarget,
  purgeAddress,
} from '../../../edge-cache/purge/purge-index'

const records: PurgeRecord[] = [
  { seq: 3, kind: 'url', value: 'shop.test/a.css', soft: false },
  { seq: 5, kind: 'prefix', value: 'shop.test/img/', soft: false },
  { seq: 7, kind: 'host', value: 'blog.test', soft: false },
  { seq: 9, kind: 'tag', value: 'product-42', soft: false },
  { seq: 11, kind: 'tag', value: 'soft-tag', soft: true },
  { seq: 13, kind: 'url', value: 'shop.test/soft.css', soft: true },
]
const index = new PurgeIndex({ seq: 13, floor: 0, records })

function target(key: string, seq: number, tags: string[] = []): PurgeTarget {
  return { key, seq, tags }
}

describe('PurgeIndex.purgeState', () => {
  it.for([
    ['a URL stored before its purge', target('https://shop.test/a.css', 2), 'purged'],
    ['a URL stored after its purge', target('https://shop.test/a.css', 3), 'live'],
    ['the same URL over http', target('http://shop.test/a.css', 1), 'purged'],
    ['another URL', target('https://shop.test/b.css', 1), 'live'],
    ['a URL with a query is a different URL', target('https://shop.test/a.css?v=2', 1), 'live'],
    ['a URL under a purged prefix', target('https://shop.test/img/x.png', 4), 'purged'],
    ['a URL beside the prefix', target('https://shop.test/imgx.png', 4), 'live'],
    ['any URL of a purged host', target('https://BLOG.test/post/1', 6), 'purged'],
    ['an entry with a purged tag', target('https://shop.test/p', 8, ['x', 'product-42']), 'purged'],
    ['an entry with a soft-purged tag', target('https://shop.test/q', 8, ['soft-tag']), 'stale'],
    ['a soft-purged URL', target('https://shop.test/soft.css', 12), 'stale'],
    ['a soft-purged URL stored after it', target('https://shop.test/soft.css', 13), 'live'],
  ] as const)('treats %s as %s', ([, entry, state], { expect }) => {
    expect(index.purgeState(entry)).toBe(state)
  })

  it('purges everything older than a purge_everything record', ({ expect }) => {
    const all = new PurgeIndex({
      seq: 20,
      floor: 0,
      records: [{ seq: 20, kind: 'everything', value: '', soft: false }],
    })
    expect(all.purgeState(target('https://any.test/x', 19))).toBe('purged')
    expect(all.purgeState(target('https://any.test/x', 20))).toBe('live')
  })

  it('purges entries stored before the compaction floor', ({ expect }) => {
    const compacted = new PurgeIndex({ seq: 50, floor: 40, records: [] })
    expect(compacted.purgeState(target('https://shop.test/a', 39))).toBe('purged')
    expect(compacted.purgeState(target('https://shop.test/a', 40))).toBe('live')
  })

  it('lets a hard purge win over a soft one', ({ expect }) => {
    const both = new PurgeIndex({
      seq: 2,
      floor: 0,
      records: [
        { seq: 1, kind: 'tag', value: 't', soft: true },
        { seq: 2, kind: 'tag', value: 't', soft: false },
      ],
    })
    expect(both.purgeState(target('https://x.test/', 0, ['t']))).toBe('purged')
  })
})

describe('PurgeIndex.extend', () => {
  it('adds newer records and refuses a snapshot compacted past it', ({ expect }) => {
    const growing = new PurgeIndex({ seq: 0, floor: 0, records: [] })
    expect(
      growing.extend({
        seq: 1,
        floor: 0,
        records: [{ seq: 1, kind: 'url', value: 'x.test/a', soft: false }],
      })
    ).toBe(true)
    expect(growing.seq).toBe(1)
    expect(growing.purgeState(target('https://x.test/a', 0))).toBe('purged')
    expect(growing.extend({ seq: 9, floor: 5, records: [] })).toBe(false)
  })
})

describe('purgeAddress', () => {
  it.for([
    ['https://Shop.test/a.css', 'shop.test/a.css'],
    ['http://shop.test:80/a?b=1', 'shop.test/a?b=1'],
    ['shop.test/img/', 'shop.test/img/'],
    ['https://shop.test:8443/', 'shop.test:8443/'],
  ] as const)('writes %s as %s', ([url, address], { expect }) => {
    expect(purgeAddress(url)).toBe(address)
  })
})
