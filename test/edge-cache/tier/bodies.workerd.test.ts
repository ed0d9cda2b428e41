/**
 * Tier bodies on a real Durable Object's SQLite and a local R2 bucket (workerd): rows of
 * CHUNK_BYTES, readers that follow the writer, ranges, deletion deferred to the last reader,
 * and the move to R2.
 * @see edge-cache/tier/bodies.ts
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, it } from 'vitest'
import { Bodies, BodyProgress, r2BodyKey } from '../../../edge-cache/tier/bodies'
import type { CacheTier } from '../../../edge-cache/tier/cache-tier'
import { CHUNK_BYTES, TierStore } from '../../../edge-cache/tier/tier-store'

const T0 = Date.UTC(2026, 0, 1)
const BUCKET = 'TIER_BUCKET'

/** Runs `fn` with the bodies of a shard object no other test uses, and its store. */
function withBodies<T>(
  fn: (bodies: Bodies, store: TierStore, background: Promise<unknown>[]) => Promise<T>
): Promise<T> {
  const stub = env.CACHE_TIER.get(env.CACHE_TIER.idFromName(`test:${crypto.randomUUID()}`))
  return runInDurableObject(stub, (_tier: CacheTier, state) => {
    const store = new TierStore(state.storage.sql)
    const background: Promise<unknown>[] = []
    const buckets = (binding: string) => (binding === BUCKET ? env.TIER_BUCKET : undefined)
    return fn(new Bodies(store, buckets, (p) => background.push(p)), store, background)
  })
}

/** `size` bytes counting up, so any misplaced byte shows. */
function bytes(size: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = i % 251
  return out
}

/** Compares bodies of megabytes by digest: a deep equal of them is slow to fail and to print. */
async function digest(body: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
  return `${body.byteLength}:${Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/** A source the test feeds by hand: `push` parts, then `end` or `fail`. */
function manualSource() {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
    },
  })
  return {
    stream,
    push: (part: Uint8Array) => controller?.enqueue(part),
    end: () => controller?.close(),
    fail: (error: Error) => controller?.error(error),
  }
}

const readAll = async (stream: ReadableStream<Uint8Array>) =>
  digest(new Uint8Array(await new Response(stream).arrayBuffer()))

/** Stores a complete body and an entry referring to it, as the shard does on a fill. */
async function stored(bodies: Bodies, store: TierStore, bodyId: string, body: Uint8Array) {
  const progress = new BodyProgress()
  await bodies.write(bodyId, new Response(body).body as ReadableStream<Uint8Array>, progress)
  const meta = { status: 200, requestTime: T0, responseTime: T0, vary: [], varyKey: '' }
  store.commit(
    bodyId,
    {
      key: bodyId,
      meta: { ...meta, tags: [], purgeSeq: 0 },
      headers: [],
      bodyId,
      size: body.byteLength,
      chunks: progress.chunks,
    },
    T0,
    T0
  )
  return progress
}

describe('Bodies', () => {
  it('stores a body in full rows of CHUNK_BYTES and a shorter last one', async ({ expect }) => {
    const body = bytes(2 * CHUNK_BYTES + 10)
    const got = await withBodies(async (bodies, store) => {
      const progress = await stored(bodies, store, 'b1', body)
      const rows = [0, 1, 2, 3].map((seq) => store.readChunk('b1', seq)?.byteLength)
      return { progress, rows, read: await readAll(bodies.read('b1', progress)) }
    })
    expect(got.progress).toMatchObject({ chunks: 3, size: body.byteLength, done: true })
    expect(got.rows).toEqual([CHUNK_BYTES, CHUNK_BYTES, 10, undefined])
    expect(got.read).toBe(await digest(body))
  })

  it('streams to a reader that started before the writer had any byte', async ({ expect }) => {
    const got = await withBodies(async (bodies) => {
      const source = manualSource()
      const progress = new BodyProgress()
      const written = bodies.write('b1', source.stream, progress)
      const reading = readAll(bodies.read('b1', progress))
      source.push(bytes(CHUNK_BYTES + 1))
      source.push(bytes(5))
      source.end()
      await written
      return reading
    })
    expect(got).toBe(await digest(new Uint8Array([...bytes(CHUNK_BYTES + 1), ...bytes(5)])))
  })

  it('reads a range across rows, both ends inclusive', async ({ expect }) => {
    const body = bytes(2 * CHUNK_BYTES + 100)
    const span = { start: CHUNK_BYTES - 3, end: CHUNK_BYTES + 4 }
    const got = await withBodies(async (bodies, store) => {
      const progress = await stored(bodies, store, 'b1', body)
      return readAll(bodies.read('b1', progress, span))
    })
    expect(got).toBe(await digest(body.subarray(span.start, span.end + 1)))
  })

  it('fails the readers and deletes the chunks when the source fails', async ({ expect }) => {
    const got = await withBodies(async (bodies, store) => {
      const source = manualSource()
      const progress = new BodyProgress()
      const written = bodies.write('b1', source.stream, progress).catch((e: unknown) => e)
      const reading = readAll(bodies.read('b1', progress)).catch((e: unknown) => e)
      source.push(bytes(CHUNK_BYTES))
      source.fail(new Error('origin reset'))
      return { written: await written, reading: await reading, row: store.readChunk('b1', 0) }
    })
    expect(got.written).toMatchObject({ message: 'origin reset' })
    expect(got.reading).toBeInstanceOf(Error)
    expect(got.row).toBeUndefined()
  })

  it('deletes a released body only once its last holder is done', async ({ expect }) => {
    const got = await withBodies(async (bodies, store) => {
      await stored(bodies, store, 'b1', bytes(10))
      const release = bodies.hold('b1')
      bodies.release('b1')
      const whileHeld = store.readChunk('b1', 0)?.byteLength
      release()
      release() // a second call is a no-op, not a second reader leaving
      return { whileHeld, after: store.readChunk('b1', 0) }
    })
    expect(got).toEqual({ whileHeld: 10, after: undefined })
  })

  it('moves a complete body to R2, drops its chunks, and reads it from there', async ({
    expect,
  }) => {
    const body = bytes(CHUNK_BYTES + 20)
    const got = await withBodies(async (bodies, store) => {
      const progress = await stored(bodies, store, 'b1', body)
      await bodies.moveToR2('b1', body.byteLength, progress.chunks, BUCKET, {
        url: 'https://bodies.test/big',
        residency: 'eu',
      })
      const object = await env.TIER_BUCKET.head(r2BodyKey('b1'))
      return {
        bucket: store.r2Bucket('b1'),
        row: store.readChunk('b1', 0),
        metadata: object?.customMetadata,
        full: await readAll(bodies.read('b1', progress)),
        range: await readAll(bodies.read('b1', progress, { start: 5, end: CHUNK_BYTES + 2 })),
      }
    })
    expect(got.bucket).toBe(BUCKET)
    expect(got.row).toBeUndefined()
    expect(got.metadata).toEqual({ url: 'https://bodies.test/big', residency: 'eu' })
    expect(got.full).toBe(await digest(body))
    expect(got.range).toBe(await digest(body.subarray(5, CHUNK_BYTES + 3)))
  })

  it('deletes the R2 copy of a body that no entry refers to any more', async ({ expect }) => {
    const got = await withBodies(async (bodies, store, background) => {
      const progress = await stored(bodies, store, 'b1', bytes(30))
      await bodies.moveToR2('b1', 30, progress.chunks, BUCKET, { url: 'u', residency: '' })
      const moved = await env.TIER_BUCKET.head(r2BodyKey('b1'))
      store.deleteUrl('b1')
      bodies.release('b1')
      await Promise.all(background)
      // A body released before its move ends is not left behind in R2 either.
      const late = await stored(bodies, store, 'b2', bytes(30))
      store.deleteUrl('b2')
      await bodies.moveToR2('b2', 30, late.chunks, BUCKET, { url: 'u', residency: '' })
      return {
        moved: moved !== null,
        gone: await env.TIER_BUCKET.head(r2BodyKey('b1')),
        neverKept: await env.TIER_BUCKET.head(r2BodyKey('b2')),
        forgotten: store.r2Bucket('b1'),
      }
    })
    expect(got).toEqual({ moved: true, gone: null, neverKept: null, forgotten: undefined })
  })

  it('refuses to read a body whose bucket the Worker no longer binds', async ({ expect }) => {
    const got = await withBodies(async (bodies, store) => {
      const progress = await stored(bodies, store, 'b1', bytes(10))
      store.markInR2('b1', 'TIER_BUCKET_GONE')
      return readAll(bodies.read('b1', progress)).catch((e: unknown) => e)
    })
    expect(got).toMatchObject({ message: 'tier bucket TIER_BUCKET_GONE is not bound' })
  })
})
