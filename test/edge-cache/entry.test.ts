import { describe, it } from 'vitest'
import {
  decodeMeta,
  type EntryMeta,
  encodeMeta,
  entryMetaOf,
  retention,
  storedView,
} from '../../edge-cache/entry'

const NOW = Date.UTC(2026, 0, 1)

const meta: EntryMeta = {
  status: 200,
  requestTime: NOW,
  responseTime: NOW,
  vary: [],
  varyKey: '',
  tags: [],
  purgeSeq: 0,
}

describe('entryMetaOf', () => {
  it('keys the variant by the Vary fields and reads the cache tags', ({ expect }) => {
    const built = entryMetaOf({
      response: {
        status: 200,
        headers: new Headers({ vary: 'accept-language', 'cache-tag': 'a,b' }),
      },
      vary: ['accept-language'],
      requestHeaders: new Headers({ 'accept-language': 'fr' }),
      requestTime: NOW - 5,
      responseTime: NOW,
      purgeSeq: 7,
      zone: 'shop',
      size: 12,
    })
    expect(built).toMatchObject({
      status: 200,
      requestTime: NOW - 5,
      responseTime: NOW,
      vary: ['accept-language'],
      tags: ['a', 'b'],
      purgeSeq: 7,
      zone: 'shop',
      size: 12,
    })
    expect(built.varyKey).not.toBe('')
    expect(decodeMeta(encodeMeta(built))).toEqual(built)
  })

  it('has an empty secondary key and no size when there is no Vary and no length', ({ expect }) => {
    const built = entryMetaOf({
      response: { status: 200, headers: new Headers() },
      vary: [],
      requestHeaders: new Headers({ 'accept-language': 'fr' }),
      requestTime: NOW,
      responseTime: NOW,
      purgeSeq: 0,
      zone: 'shop',
    })
    expect(built.varyKey).toBe('')
    expect('size' in built).toBe(false)
  })
})

describe('retention', () => {
  it.for([
    ['max-age=60', 60],
    ['max-age=60, stale-while-revalidate=30', 90],
    ['max-age=60, stale-while-revalidate=30, stale-if-error=300', 360],
    ['no-store', 0],
  ] as const)('keeps %s for %i s from the response', ([cc, seconds], { expect }) => {
    const view = storedView(meta, new Headers({ 'cache-control': cc }))
    expect(retention(view, NOW).seconds).toBe(seconds)
  })

  it('counts down as the entry ages', ({ expect }) => {
    const view = storedView(meta, new Headers({ 'cache-control': 'max-age=60' }))
    expect(retention(view, NOW + 50_000).seconds).toBe(10)
    expect(retention(view, NOW + 70_000).seconds).toBeLessThanOrEqual(0)
  })
})
