import { describe, it } from 'vitest'
import { type PurgeRecord, purgeAddress } from '../../../edge-cache/purge/purge-index'
import {
  forwardBodies,
  l1CacheTags,
  MAX_TAG_HEADER_BYTES,
  MAX_TAG_LENGTH,
} from '../../../edge-cache/purge/synthetic-tags'

const KEY = 'https://Shop.test/assets/img/logo.png?v=2'

function forwarded(record: Omit<PurgeRecord, 'seq' | 'soft'>, zone = 'shop'): string[] {
  return forwardBodies(zone, [{ seq: 1, soft: false, ...record }]).flatMap((b) => b.tags)
}

describe('synthetic L1 cache tags', () => {
  const stored = l1CacheTags('shop', KEY, ['product-7']).split(',')

  it.for([
    [
      'a URL purge',
      { kind: 'url', value: purgeAddress('https://shop.test/assets/img/logo.png?v=2') },
    ],
    ['a prefix purge on a directory', { kind: 'prefix', value: 'shop.test/assets/' }],
    ['a deeper prefix purge', { kind: 'prefix', value: 'shop.test/assets/img/' }],
    [
      'a prefix purge inside a name (its directory: a superset)',
      { kind: 'prefix', value: 'shop.test/assets/img/lo' },
    ],
    ['a prefix purge of the whole host', { kind: 'prefix', value: 'shop.test/' }],
    ['a host purge', { kind: 'host', value: 'SHOP.test' }],
    ['a tag purge', { kind: 'tag', value: 'product-7' }],
    ['purge everything', { kind: 'everything', value: '' }],
  ] as const)('turn %s into a tag the entry carries', ([, record], { expect }) => {
    const tags = forwarded(record)
    expect(tags).toHaveLength(1)
    expect(stored).toContain(tags[0])
  })

  it.for([
    ['another URL', { kind: 'url', value: 'shop.test/assets/img/logo.png?v=3' }],
    ['another directory', { kind: 'prefix', value: 'shop.test/other/' }],
    ['another host', { kind: 'host', value: 'img.shop.test' }],
    ['another tag', { kind: 'tag', value: 'product-8' }],
  ] as const)('do not match %s', ([, record], { expect }) => {
    expect(stored).not.toContain(forwarded(record)[0])
  })

  it('are namespaced by zone: the same purge in another zone does not reach the entry', ({
    expect,
  }) => {
    expect(stored).not.toContain(forwarded({ kind: 'everything', value: '' }, 'blog')[0])
    expect(stored).not.toContain(forwarded({ kind: 'tag', value: 'product-7' }, 'blog')[0])
  })

  it('stay within Cloudflare’s limits, leaving out own tags first', ({ expect }) => {
    const many = Array.from({ length: 2000 }, (_, i) => `tag-${i}-${'x'.repeat(40)}`)
    const header = l1CacheTags('z'.repeat(60), `https://h.test/${'d/'.repeat(20)}x`, [
      'y'.repeat(1024),
      ...many,
    ])
    expect(header.length).toBeLessThanOrEqual(MAX_TAG_HEADER_BYTES)
    const tags = header.split(',')
    expect(Math.max(...tags.map((t) => t.length))).toBeLessThanOrEqual(MAX_TAG_LENGTH)
    expect(tags.slice(0, 3)).toEqual(
      l1CacheTags('z'.repeat(60), `https://h.test/${'d/'.repeat(20)}x`, [])
        .split(',')
        .slice(0, 3)
    )
  })

  it('deduplicate and batch purges into calls of at most 100 tags', ({ expect }) => {
    const records = Array.from({ length: 230 }, (_, i) => ({
      seq: i + 1,
      kind: 'url' as const,
      value: `shop.test/${i % 210}.css`,
      soft: false,
    }))
    expect(forwardBodies('shop', records).map((b) => b.tags.length)).toEqual([100, 100, 10])
  })
})
