/**
 * A tier shard's SQLite storage, on a real Durable Object's SQLite (workerd): entries and their
 * Vary record, body chunks, expiry and eviction order, R2 bookkeeping, the saved sketch, and the
 * schema upgrade of an older database.
 * @see edge-cache/tier/tier-store.ts
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import type { EntryMeta } from '../../../edge-cache/entry'
import type { CacheTier } from '../../../edge-cache/tier/cache-tier'
import {
  ACCESS_GRANULARITY_MS,
  type TierEntry,
  TierStore,
  variantKey,
} from '../../../edge-cache/tier/tier-store'
import { SHARED_TIER_BUCKET } from '../../../schemas/regions'

const T0 = Date.UTC(2026, 0, 1)
const URL_A = 'https://ts.test/a'
const URL_B = 'https://ts.test/b'

/** Runs `fn` on the SQLite of a shard object no other test uses. */
function withSql<T>(fn: (sql: SqlStorage) => T): Promise<T> {
  const stub = env.CACHE_TIER.get(env.CACHE_TIER.idFromName(`test:${crypto.randomUUID()}`))
  return runInDurableObject(stub, (_tier: CacheTier, state) => fn(state.storage.sql))
}

const withStore = <T>(fn: (store: TierStore) => T) => withSql((sql) => fn(new TierStore(sql)))

function entry(key: string, bodyId: string, overrides: Partial<EntryMeta> = {}): TierEntry {
  const meta: EntryMeta = {
    status: 200,
    requestTime: T0,
    responseTime: T0,
    vary: [],
    varyKey: '',
    tags: [],
    purgeSeq: 0,
    ...overrides,
  }
  return { key, meta, headers: [['content-type', 'text/plain']], bodyId, size: 10, chunks: 1 }
}

describe('TierStore', () => {
  it('reads back a committed entry and the Vary fields of its URL', async ({ expect }) => {
    const got = await withStore((store) => {
      const key = variantKey(URL_A, 'accept-language=en')
      const stored = entry(key, 'b1', { vary: ['accept-language'], varyKey: 'accept-language=en' })
      const before = { entry: store.get(key, T0), vary: store.varyFields(URL_A) }
      store.commit(URL_A, stored, T0, T0 + 60_000)
      return { before, stored, after: store.get(key, T0), vary: store.varyFields(URL_A) }
    })
    expect(got.before).toEqual({ entry: undefined, vary: undefined })
    expect(got.after).toEqual(got.stored)
    expect(got.vary).toEqual(['accept-language'])
  })

  it('hands back the replaced body id on commit, none when the body stays', async ({ expect }) => {
    const replaced = await withStore((store) => [
      store.commit(URL_A, entry(URL_A, 'b1'), T0, T0),
      store.commit(URL_A, entry(URL_A, 'b2'), T0, T0),
      store.commit(URL_A, entry(URL_A, 'b2'), T0, T0),
    ])
    expect(replaced).toEqual([undefined, 'b1', undefined])
  })

  it('keeps chunks by body and sequence until the body is deleted', async ({ expect }) => {
    const got = await withStore((store) => {
      store.writeChunk('b1', 0, new Uint8Array([1, 2]))
      store.writeChunk('b1', 1, new Uint8Array([3]))
      const read = [store.readChunk('b1', 0), store.readChunk('b1', 1), store.readChunk('b1', 2)]
      store.deleteBody('b1')
      return { read, after: store.readChunk('b1', 0) }
    })
    expect(got.read).toEqual([new Uint8Array([1, 2]), new Uint8Array([3]), undefined])
    expect(got.after).toBeUndefined()
  })

  it('updates headers after a 304, keeping the body', async ({ expect }) => {
    const got = await withStore((store) => {
      store.commit(URL_A, entry(URL_A, 'b1'), T0, T0 + 1000)
      const meta = { ...entry(URL_A, 'b1').meta, responseTime: T0 + 5000 }
      store.updateHeaders(URL_A, meta, [['etag', '"v1"']], T0 + 9000)
      return { entry: store.get(URL_A, T0), nextExpiry: store.nextExpiry() }
    })
    expect(got.entry).toMatchObject({ bodyId: 'b1', headers: [['etag', '"v1"']] })
    expect(got.entry?.meta.responseTime).toBe(T0 + 5000)
    expect(got.nextExpiry).toBe(T0 + 9000)
  })

  it('deletes every variant of a URL and its Vary record', async ({ expect }) => {
    const got = await withStore((store) => {
      for (const [lang, body] of [
        ['en', 'b-en'],
        ['de', 'b-de'],
      ] as const) {
        store.commit(URL_A, entry(variantKey(URL_A, lang), body, { vary: ['x'] }), T0, T0)
      }
      store.commit('https://ts.test/b', entry('https://ts.test/b', 'b-other'), T0, T0)
      const bodies = store.deleteUrl(URL_A).sort()
      return { bodies, vary: store.varyFields(URL_A), usage: store.usage() }
    })
    expect(got.bodies).toEqual(['b-de', 'b-en'])
    expect(got.vary).toBeUndefined()
    expect(got.usage).toEqual({ bytes: 10, entries: 1 })
  })

  it('drops a Vary record only once its URL has no variant left', async ({ expect }) => {
    const got = await withStore((store) => {
      const en = variantKey(URL_A, 'en')
      store.commit(URL_A, entry(en, 'b1', { vary: ['x'] }), T0, T0)
      store.deleteOrphanVary(URL_A)
      const kept = store.varyFields(URL_A)
      store.deleteVariant(en)
      store.deleteOrphanVaryAll()
      return { kept, dropped: store.varyFields(URL_A) }
    })
    expect(got).toEqual({ kept: ['x'], dropped: undefined })
  })

  it('deletes expired entries oldest first, up to the limit', async ({ expect }) => {
    const got = await withStore((store) => {
      store.commit(URL_A, entry('k1', 'b1'), T0, T0 + 1)
      store.commit(URL_A, entry('k2', 'b2'), T0, T0 + 2)
      store.commit(URL_A, entry('k3', 'b3'), T0, T0 + 100)
      const first = store.deleteExpired(T0 + 50, 1)
      const second = store.deleteExpired(T0 + 50, 10)
      return { first, second, next: store.nextExpiry(), left: store.placed('k3') }
    })
    expect(got).toEqual({
      first: ['b1'],
      second: ['b2'],
      next: T0 + 100,
      left: { size: 10, segment: 'main' },
    })
  })

  it('counts window and main bytes as entries come, move and go, as a recount does', async ({
    expect,
  }) => {
    const got = await withSql((sql) => {
      const store = new TierStore(sql)
      store.usage()
      store.commit(URL_A, entry('w1', 'b1'), T0, T0 + 1, 'window')
      store.commit(URL_A, entry('w2', 'b2'), T0 + 1, T0 + 100, 'window')
      store.commit(URL_B, entry('m1', 'b3'), T0 + 2, T0 + 100)
      const filled = store.segmentUsage()
      store.promote('w2')
      store.promote('m1')
      const promoted = store.segmentUsage()
      const windowOrder = [...store.byLastAccess('window')].map((e) => e.key)
      const mainOrder = [...store.byLastAccess('main')].map((e) => e.key)
      store.deleteExpired(T0 + 50, 10)
      store.commit(URL_A, entry('w2', 'b4'), T0 + 3, T0 + 100, 'window')
      const replaced = store.segmentUsage()
      store.deleteUrl(URL_B)
      return {
        filled,
        promoted,
        windowOrder,
        mainOrder,
        replaced,
        counted: store.segmentUsage(),
        recounted: new TierStore(sql).segmentUsage(),
        placed: store.placed('w2'),
      }
    })
    expect(got.filled).toEqual({ window: 20, main: 10 })
    expect(got.promoted).toEqual({ window: 10, main: 20 })
    expect(got.windowOrder).toEqual(['w1'])
    expect(got.mainOrder).toEqual(['w2', 'm1'])
    // w1 expired; w2 came back to the window with a new body.
    expect(got.replaced).toEqual({ window: 10, main: 10 })
    expect(got.counted).toEqual({ window: 10, main: 0 })
    expect(got.recounted).toEqual(got.counted)
    expect(got.placed).toEqual({ size: 10, segment: 'window' })
  })

  it('orders entries for eviction by last access, a read counting as one', async ({ expect }) => {
    const order = await withStore((store) => {
      store.commit(URL_A, entry('k1', 'b1'), T0, T0)
      store.commit(URL_A, entry('k2', 'b2'), T0 + 1, T0)
      store.get('k1', T0 + ACCESS_GRANULARITY_MS)
      return [...store.byLastAccess()].map((row) => row.key)
    })
    expect(order).toEqual(['k2', 'k1'])
  })

  it('writes a last access only when the stored one is older than the granularity', async ({
    expect,
  }) => {
    const seen = await withStore((store) => {
      store.commit(URL_A, entry('k1', 'b1'), T0, T0)
      const lastAccess = () => [...store.byLastAccess()][0]?.lastAccess
      store.get('k1', T0 + ACCESS_GRANULARITY_MS - 1)
      const within = lastAccess()
      store.get('k1', T0 + ACCESS_GRANULARITY_MS)
      return { within, after: lastAccess() }
    })
    expect(seen).toEqual({ within: T0, after: T0 + ACCESS_GRANULARITY_MS })
  })

  it('keeps its usage as entries are committed, replaced and deleted, as a scan counts them', async ({
    expect,
  }) => {
    const seen = await withSql((sql) => {
      const store = new TierStore(sql)
      const scanned = () =>
        sql
          .exec<{ bytes: number | null; entries: number }>(
            'SELECT SUM(size) AS bytes, COUNT(*) AS entries FROM entries'
          )
          .one()
      const steps: unknown[] = []
      const check = () => {
        const { bytes, entries } = scanned()
        steps.push([store.usage(), { bytes: bytes ?? 0, entries }])
      }
      check()
      store.commit(URL_A, { ...entry('k1', 'b1'), size: 100 }, T0, T0 + 10)
      store.commit(URL_A, { ...entry('k2', 'b2'), size: 30 }, T0, T0 + 50)
      store.commit(URL_B, { ...entry('k3', 'b3'), size: 7 }, T0, T0 + 10)
      check()
      store.commit(URL_A, { ...entry('k1', 'b4'), size: 60 }, T0, T0 + 50)
      check()
      store.deleteVariant('k2')
      check()
      store.deleteExpired(T0 + 10, 10)
      check()
      store.deleteUrl(URL_A)
      check()
      return steps
    })
    for (const [counted, scanned] of seen as [unknown, unknown][]) expect(counted).toEqual(scanned)
    expect(seen.map((step) => (step as [unknown])[0])).toEqual([
      { bytes: 0, entries: 0 },
      { bytes: 137, entries: 3 },
      { bytes: 97, entries: 3 },
      { bytes: 67, entries: 2 },
      { bytes: 60, entries: 1 },
      { bytes: 0, entries: 0 },
    ])
  })

  it('tells whether an entry still refers to a body', async ({ expect }) => {
    const got = await withStore((store) => {
      store.commit(URL_A, entry(URL_A, 'b1'), T0, T0)
      return [store.bodyInUse('b1'), store.bodyInUse('b2')]
    })
    expect(got).toEqual([true, false])
  })

  it('records which R2 bucket holds a body, the shared one for rows from before buckets', async ({
    expect,
  }) => {
    const got = await withSql((sql) => {
      const store = new TierStore(sql)
      const before = store.r2Bucket('b1')
      store.markInR2('b1', 'TIER_BUCKET_EU')
      const marked = store.r2Bucket('b1')
      store.forgetR2('b1')
      sql.exec('INSERT INTO r2_bodies (body_id) VALUES (?)', 'b-old')
      return { before, marked, forgotten: store.r2Bucket('b1'), old: store.r2Bucket('b-old') }
    })
    expect(got).toEqual({
      before: undefined,
      marked: 'TIER_BUCKET_EU',
      forgotten: undefined,
      old: SHARED_TIER_BUCKET,
    })
  })

  it('saves and loads the admission sketch', async ({ expect }) => {
    const got = await withSql((sql) => {
      const store = new TierStore(sql)
      const before = store.loadSketch()
      const first = { width: 4, additions: 9, since: 1, windowShare: 0 }
      store.saveSketch({ ...first, counters: new Uint8Array([1, 2, 3, 4]) })
      const counters = new Uint8Array([5, 6, 7, 8])
      store.saveSketch({ width: 4, additions: 10, since: 1234, counters, windowShare: 0.3 })
      const after = store.loadSketch()
      // a sketch saved before migrations 0001 and 0003 added `since` and `window_share` has none
      sql.exec('UPDATE sketch SET since = NULL, window_share = NULL')
      return { before, after, legacy: store.loadSketch() }
    })
    expect(got.before).toBeUndefined()
    const counters = new Uint8Array([5, 6, 7, 8])
    expect(got.after).toEqual({ width: 4, additions: 10, since: 1234, counters, windowShare: 0.3 })
    expect(got.legacy).toEqual({
      width: 4,
      additions: 10,
      since: undefined,
      counters,
      windowShare: undefined,
    })
  })
})
