/**
 * L1 over the real Cache API (workerd): what goes in comes back with the response's own
 * headers and bytes, Vary variants share a URL, and a delete orphans every variant.
 * @see edge-cache/store/l1.ts
 */
import { describe, it } from 'vitest'
import { ENTRY_META_HEADER, type EntryMeta } from '../../../edge-cache/entry'
import { L1Cache } from '../../../edge-cache/store/l1'

const T0 = Date.UTC(2026, 0, 1)
const KEY = 'https://l1.test/a.css'

function meta(overrides: Partial<EntryMeta> = {}): EntryMeta {
  return {
    status: 200,
    requestTime: T0,
    responseTime: T0,
    vary: [],
    varyKey: '',
    tags: [],
    purgeSeq: 0,
    ...overrides,
  }
}

/** A cache of its own per test: the Cache API is shared by every test of the run. */
const freshCache = () => L1Cache.open(`test-${crypto.randomUUID()}`)

/** The secondary key of a request whose Vary-listed fields have these values. */
const varyKeyFor = (values: Record<string, string>) => (fields: string[]) =>
  fields.map((field) => `${field}=${values[field] ?? ''}`).join('&')

const bodyOf = (text: string) => new Response(text).body

async function found(lookup: Awaited<ReturnType<L1Cache['get']>>) {
  if (!('entry' in lookup)) return lookup
  const { meta, headers, body } = lookup.entry
  return { meta, headers, body: await new Response(body).text() }
}

describe('L1Cache', () => {
  it('names the cache after its PoP', async ({ expect }) => {
    expect((await L1Cache.open('FRA')).name).toBe('l1:FRA')
  })

  it('misses a URL never stored', async ({ expect }) => {
    const l1 = await freshCache()
    expect(await l1.get(KEY, varyKeyFor({}))).toEqual({ miss: 'uri-miss' })
  })

  it("hands back the response's own Cache-Control, Age, Date and metadata, not the Cache API's", async ({
    expect,
  }) => {
    const l1 = await freshCache()
    const date = new Date(T0).toUTCString()
    const headers = new Headers({
      'cache-control': 'public, max-age=60',
      age: '7',
      date,
      'content-type': 'text/css',
      'set-cookie': 'session=1',
    })
    await l1.put(KEY, meta({ tags: ['css'], zone: 'shop' }), headers, bodyOf('a{}'), 300)
    const got = await found(await l1.get(KEY, varyKeyFor({})))
    expect(got).toMatchObject({ meta: { tags: ['css'], zone: 'shop' }, body: 'a{}' })
    if (!('headers' in got)) throw new Error('expected an entry')
    expect(got.headers.get('cache-control')).toBe('public, max-age=60')
    expect(got.headers.get('age')).toBe('7')
    expect(got.headers.get('date')).toBe(date)
    expect(got.headers.get('content-type')).toBe('text/css')
    // Internal fields and what the Cache API must not keep never come back.
    for (const name of [ENTRY_META_HEADER, 'cache-tag', 'set-cookie', 'cf-cache-status']) {
      expect(got.headers.has(name), name).toBe(false)
    }
  })

  it('keeps encoded bytes exactly as received and restores their Content-Encoding', async ({
    expect,
  }) => {
    const l1 = await freshCache()
    const bytes = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x7f])
    const headers = new Headers({ 'content-encoding': 'gzip', 'cache-control': 'max-age=60' })
    await l1.put(KEY, meta(), headers, new Response(bytes).body, 60)
    const lookup = await l1.get(KEY, varyKeyFor({}))
    if (!('entry' in lookup)) throw new Error('expected an entry')
    expect(lookup.entry.headers.get('content-encoding')).toBe('gzip')
    expect(new Uint8Array(await new Response(lookup.entry.body).arrayBuffer())).toEqual(bytes)
  })

  it('keeps Vary variants of one URL side by side, and misses an unknown variant', async ({
    expect,
  }) => {
    const l1 = await freshCache()
    const vary = ['accept-language']
    for (const lang of ['en', 'de']) {
      const varyKey = varyKeyFor({ 'accept-language': lang })(vary)
      await l1.put(KEY, meta({ vary, varyKey }), new Headers(), bodyOf(lang), 60)
    }
    for (const lang of ['en', 'de']) {
      const got = await found(await l1.get(KEY, varyKeyFor({ 'accept-language': lang })))
      expect(got).toMatchObject({ body: lang, meta: { vary } })
    }
    expect(await l1.get(KEY, varyKeyFor({ 'accept-language': 'fr' }))).toEqual({
      miss: 'vary-miss',
    })
  })

  it('deletes every variant with the URL: none resurfaces once the URL is stored again', async ({
    expect,
  }) => {
    const l1 = await freshCache()
    const vary = ['accept-language']
    const key = (lang: string) => varyKeyFor({ 'accept-language': lang })
    for (const lang of ['en', 'de']) {
      await l1.put(KEY, meta({ vary, varyKey: key(lang)(vary) }), new Headers(), bodyOf(lang), 60)
    }
    expect(await l1.delete(KEY)).toBe(true)
    expect(await l1.get(KEY, key('en'))).toEqual({ miss: 'uri-miss' })
    await l1.put(KEY, meta({ vary, varyKey: key('en')(vary) }), new Headers(), bodyOf('en2'), 60)
    expect(await found(await l1.get(KEY, key('en')))).toMatchObject({ body: 'en2' })
    expect(await l1.get(KEY, key('de'))).toEqual({ miss: 'vary-miss' })
  })

  it('answers false when deleting what is not stored', async ({ expect }) => {
    const l1 = await freshCache()
    expect(await l1.delete(KEY)).toBe(false)
  })
})
