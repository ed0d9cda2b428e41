/**
 * @module tier/bodies
 * Stored bodies as streams, read while they are being written (Apache Traffic Server's
 * read-while-writer): the writer appends chunks to SQLite as the origin sends them and every
 * reader follows at its own pace, so no waiter buffers for a slower one and memory stays at one
 * chunk per stream. Rows are all CHUNK_BYTES but the last, so a range read starts at the row that
 * holds it. Readers get a native stream (IdentityTransformStream) that the shard writes one row
 * into at a time, and once the body is in R2 the rest is piped from there natively. A body that
 * is replaced or evicted is deleted once its last reader (or holder, tier/cache-tier.ts) is done.
 *
 * Large bodies end up in an R2 tier bucket (which one: tier/body-placement.ts; the store records
 * it per body, so reads and deletes go to the bucket the body was written to), moved there after
 * they are complete
 * (copy, then drop the chunks once no reader is on them). The trade-off: a large body passes
 * through SQLite once, so live readers keep plain read-while-writer semantics, its length is
 * known for R2's `put` whether or not the origin sent Content-Length, and memory stays at one
 * chunk; the cost is a second write and, while it is in flight, SQLite space for the body.
 * @see https://developers.cloudflare.com/r2/api/workers/workers-api-reference/
 */

import { readWithin } from '../silence'
import { logError } from '../tracing/log'
import { CHUNK_BYTES, type TierStore } from './tier-store'

/** How far a body's writer has got. */
export class BodyProgress {
  chunks = 0
  size = 0
  done = false
  error: unknown
  #wakers: (() => void)[] = []

  /** Resolves at the writer's next step (a chunk, the end, or a failure). */
  next(): Promise<void> {
    return new Promise((resolve) => this.#wakers.push(resolve))
  }

  advance(): void {
    const wakers = this.#wakers
    this.#wakers = []
    for (const wake of wakers) wake()
  }

  static complete(chunks: number, size: number): BodyProgress {
    const progress = new BodyProgress()
    progress.chunks = chunks
    progress.size = size
    progress.done = true
    return progress
  }
}

/** The R2 object key of a body moved to the bucket. */
export function r2BodyKey(bodyId: string): string {
  return `tier/${bodyId}`
}

/** Resolves a tier bucket binding by name; undefined when the Worker does not bind it. */
export type BucketResolver = (binding: string) => R2Bucket | undefined

/** What a body in R2 is, written as the object's custom metadata so a listing can tell. */
export interface R2BodyMetadata {
  /** The primary cache key (the URL). */
  url: string
  /** The residency region the content is pinned to, empty when none. */
  residency: string
}

export class Bodies {
  readonly #store: TierStore
  readonly #buckets: BucketResolver
  readonly #background: (promise: Promise<unknown>) => void
  readonly #readers = new Map<string, number>()
  readonly #doomed = new Set<string>()
  /** Bodies now in R2 whose SQLite chunks go once their current readers are done. */
  readonly #chunksDoomed = new Set<string>()

  /**
   * @param buckets resolves the tier buckets bodies are moved to and read from
   * @param background keeps background work (R2 deletes) alive, e.g. `ctx.waitUntil`
   */
  constructor(
    store: TierStore,
    buckets: BucketResolver = () => undefined,
    background: (promise: Promise<unknown>) => void = () => undefined
  ) {
    this.#store = store
    this.#buckets = buckets
    this.#background = background
  }

  /**
   * Copies `source` into chunks of `bodyId`, advancing `progress` as it goes.
   * @param silenceMs how long the source may send nothing before the write fails (and the
   *   source is cancelled); without it, the write waits for as long as the source does
   * @returns resolves when the body is complete; rejects (and deletes the chunks) on failure
   */
  async write(
    bodyId: string,
    source: ReadableStream<Uint8Array>,
    progress: BodyProgress,
    silenceMs?: number
  ) {
    try {
      await readRows(source, silenceMs, (row) => {
        this.#store.writeChunk(bodyId, progress.chunks, row)
        progress.chunks++
        progress.size += row.byteLength
        progress.advance()
      })
      progress.done = true
      progress.advance()
    } catch (error) {
      progress.error = error
      progress.advance()
      this.release(bodyId)
      throw error
    }
  }

  /**
   * A stream of the body that follows the writer until `progress` is done; with `range`, only
   * bytes `start` to `end` (inclusive), starting at the row that holds `start`.
   */
  read(bodyId: string, progress: BodyProgress, range?: ByteSpan): ReadableStream<Uint8Array> {
    // A native stream the feeder writes into: each write waits for the reader (one row in
    // flight), and once the body is in R2 the rest is piped from there without passing
    // through JavaScript at all.
    const { readable, writable } = new IdentityTransformStream()
    void this.#readInto(bodyId, progress, writable, range)
    return readable
  }

  /** Feeds the body into `writable` as one of its readers: it is not deleted meanwhile. */
  async #readInto(
    bodyId: string,
    progress: BodyProgress,
    writable: WritableStream<Uint8Array>,
    range?: ByteSpan
  ): Promise<void> {
    const release = this.hold(bodyId)
    try {
      await this.#feed(bodyId, progress, writable, range)
    } finally {
      release()
    }
  }

  /**
   * Keeps a body readable until the returned function is called, as a reader does: a body
   * released meanwhile (replaced, invalidated, purged, evicted) is deleted only then. A request
   * revalidating a stale entry holds its body while the origin decides.
   */
  hold(bodyId: string): () => void {
    this.#readers.set(bodyId, (this.#readers.get(bodyId) ?? 0) + 1)
    let held = true
    return () => {
      if (!held) return
      held = false
      const left = (this.#readers.get(bodyId) ?? 1) - 1
      if (left > 0) this.#readers.set(bodyId, left)
      else {
        this.#readers.delete(bodyId)
        if (this.#doomed.delete(bodyId)) this.#destroy(bodyId)
        else if (this.#chunksDoomed.delete(bodyId)) this.#store.deleteBody(bodyId)
      }
    }
  }

  /** Writes the body (or `range` of it) into `writable`: rows as they come, then R2. */
  async #feed(
    bodyId: string,
    progress: BodyProgress,
    writable: WritableStream<Uint8Array>,
    range?: ByteSpan
  ): Promise<void> {
    const end = range ? range.end + 1 : Number.POSITIVE_INFINITY
    // Rows are all full except the last, so the row holding `range.start` is found by offset;
    // a body written otherwise (older rows of uneven size) is read from its first row.
    let seq = range && seekable(progress) ? Math.floor(range.start / CHUNK_BYTES) : 0
    let offset = seq * CHUNK_BYTES
    const writer = writable.getWriter()
    try {
      for (;;) {
        const from = Math.max(offset, range?.start ?? 0)
        if (from >= Math.min(end, progress.done ? progress.size : Number.POSITIVE_INFINITY)) break
        const binding = progress.done ? this.#store.r2Bucket(bodyId) : undefined
        if (binding !== undefined) {
          writer.releaseLock()
          return await this.#pipeFromR2(
            binding,
            bodyId,
            from,
            Math.min(end, progress.size),
            writable
          )
        }
        while (seq >= progress.chunks && !progress.done && progress.error === undefined) {
          await progress.next()
        }
        if (progress.error !== undefined) throw progress.error
        if (seq >= progress.chunks) break
        const row = this.#store.readChunk(bodyId, seq)
        if (!row) throw new Error(`tier body ${bodyId} lost chunk ${seq}`)
        const part = row.subarray(
          Math.max(0, from - offset),
          Math.min(row.byteLength, end - offset)
        )
        seq++
        offset += row.byteLength
        if (part.byteLength > 0) await writer.write(part)
      }
      await writer.close()
    } catch (error) {
      await writer.abort(error).catch(() => undefined)
    }
  }

  /** Bytes `from` to `to` (exclusive) of a body in R2, piped natively into `writable`. */
  async #pipeFromR2(
    binding: string,
    bodyId: string,
    from: number,
    to: number,
    writable: WritableStream<Uint8Array>
  ): Promise<void> {
    try {
      const object = await this.#bucket(binding).get(r2BodyKey(bodyId), {
        range: { offset: from, length: to - from },
      })
      if (!object) throw new Error(`tier body ${bodyId} is missing from R2`)
      await object.body.pipeTo(writable)
    } catch (error) {
      await writable.abort(error).catch(() => undefined)
    }
  }

  /** Deletes a body now, or when its last reader finishes. */
  release(bodyId: string): void {
    if (this.#readers.has(bodyId)) this.#doomed.add(bodyId)
    else this.#destroy(bodyId)
  }

  /**
   * Copies a complete body from its chunks to an R2 tier bucket, then drops the chunks (once
   * the readers on them finish). A body released meanwhile is deleted from R2 again.
   * @param binding the tier bucket, chosen by tier/body-placement.ts
   * @param metadata written with the object, so a bucket listing tells what it holds
   * @returns resolves when the body is in R2
   */
  async moveToR2(
    bodyId: string,
    size: number,
    chunks: number,
    binding: string,
    metadata: R2BodyMetadata
  ): Promise<void> {
    const bucket = this.#bucket(binding)
    const { readable, writable } = new FixedLengthStream(size)
    const key = r2BodyKey(bodyId)
    await Promise.all([
      this.#readInto(bodyId, BodyProgress.complete(chunks, size), writable),
      bucket.put(key, readable, { customMetadata: r2Metadata(metadata) }),
    ])
    if (!this.#store.bodyInUse(bodyId)) {
      await bucket.delete(key)
      return
    }
    this.#store.markInR2(bodyId, binding)
    if (this.#readers.has(bodyId)) this.#chunksDoomed.add(bodyId)
    else this.#store.deleteBody(bodyId)
  }

  #destroy(bodyId: string): void {
    this.#chunksDoomed.delete(bodyId)
    this.#store.deleteBody(bodyId)
    const binding = this.#store.r2Bucket(bodyId)
    if (binding === undefined) return
    this.#store.forgetR2(bodyId)
    const deleted = async () => this.#bucket(binding).delete(r2BodyKey(bodyId))
    this.#background(
      deleted().catch((error: unknown) => logError('tier: R2 body delete failed', bodyId, error))
    )
  }

  /**
   * @throws Error when the Worker no longer binds the bucket a body was written to (a config
   *   change): the body is unreadable, never looked for in another bucket
   */
  #bucket(binding: string): R2Bucket {
    const bucket = this.#buckets(binding)
    if (!bucket) throw new Error(`tier bucket ${binding} is not bound`)
    return bucket
  }
}

/** R2 allows 2 KiB of custom metadata per object: a longer URL is cut, never refused. */
function r2Metadata(metadata: R2BodyMetadata): Record<string, string> {
  return { url: metadata.url.slice(0, 1024), residency: metadata.residency }
}

/** Bytes `start` to `end` of a body, both inclusive. */
export interface ByteSpan {
  start: number
  end: number
}

/**
 * Rows can be found by offset when all but the last are full, which the writer guarantees; a
 * complete body written otherwise has more rows than its size needs.
 */
function seekable(progress: BodyProgress): boolean {
  return !progress.done || progress.chunks <= Math.ceil(progress.size / CHUNK_BYTES)
}

/**
 * Reads `source` into rows of CHUNK_BYTES (the last one shorter) and calls `onRow` with each; the
 * row is overwritten once `onRow` returns (SQLite copies a blob when it binds it). A byte stream,
 * such as an origin's fetch body, is read with a BYOB reader straight into the row, so a body of
 * any size allocates one buffer; other streams are copied in.
 */
async function readRows(
  source: ReadableStream<Uint8Array>,
  silenceMs: number | undefined,
  onRow: (row: Uint8Array) => void
): Promise<void> {
  let buffer = new ArrayBuffer(CHUNK_BYTES)
  let filled = 0
  const emit = () => {
    onRow(new Uint8Array(buffer, 0, filled))
    filled = 0
  }
  const byob = byobReader(source)
  if (byob) {
    for (;;) {
      const { done, value } = await readWithin(
        silenceMs,
        byob,
        byob.read(new Uint8Array(buffer, filled, CHUNK_BYTES - filled))
      )
      // The read transfers the buffer: keep using the one it hands back.
      if (value) buffer = value.buffer as ArrayBuffer
      if (done) break
      filled += value.byteLength
      if (filled === CHUNK_BYTES) emit()
    }
  } else {
    const reader = source.getReader()
    for (;;) {
      const { done, value } = await readWithin(silenceMs, reader, reader.read())
      if (done) break
      for (let offset = 0; offset < value.byteLength; ) {
        const take = Math.min(CHUNK_BYTES - filled, value.byteLength - offset)
        new Uint8Array(buffer).set(value.subarray(offset, offset + take), filled)
        filled += take
        offset += take
        if (filled === CHUNK_BYTES) emit()
      }
    }
  }
  if (filled > 0) emit()
}

function byobReader(source: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return source.getReader({ mode: 'byob' })
  } catch {
    return undefined // not a byte stream
  }
}
